import type {Result} from '../core/types.ts';
import {groupStats, pairedUnits, perCase} from '../runner/summarize.ts';
import {holmAdjust} from '../stats/holm.ts';
import {pairedTest, type PairedTestName} from '../stats/paired-test.ts';
import type {LoadedRun} from './load-run.ts';
import {servedChanges, type ServedChange} from './served-models.ts';

export interface RunSide {
  /** Results of this side on the shared cases (repeats included). */
  n: number;
  /** Cases this side answered in the group, shared or not. */
  cases: number;
  graded: number;
  /** On the shared cases only, so both sides and the difference stand on one footing. */
  passRate: number | null;
  passRateCi95: [number, number] | null;
  meanScore: number | null;
  errorRate: number;
  costPer1kUsd: number | null;
  latencyP50Ms: number | null;
}

export interface ComparisonDiff {
  /** candidate − baseline on the shared cases: pass rate when both sides graded pass/fail on every one, else mean score. */
  metric: 'passRate' | 'score';
  estimate: number;
  ciLow: number;
  ciHigh: number;
  method: 'paired';
  test: PairedTestName;
  /** Same test as the interval: the interval excludes 0 exactly when pValue < 0.05. */
  pValue: number;
  /** Holm-adjusted over every row of this comparison. */
  pValueAdjusted: number;
  /** Fewer than MIN_PAIRED_CASES shared cases: shown, never flagged. */
  tooFew: boolean;
}

export interface ComparisonRow {
  model: string;
  group: {kind: 'all' | 'suite' | 'tag'; name: string | null};
  baseline: RunSide | null;
  candidate: RunSide | null;
  /** Cases (suite + case id) both runs answered with a score. */
  shared: number;
  diff: ComparisonDiff | null;
  /** Adjusted p < 0.05 with the candidate lower: a regression. */
  regression: boolean;
  improvement: boolean;
}

export interface RunComparison {
  baseline: {runId: string; dir: string; simulated: boolean};
  candidate: {runId: string; dir: string; simulated: boolean};
  rows: ComparisonRow[];
  onlyInBaseline: string[];
  onlyInCandidate: string[];
  regressions: number;
  improvements: number;
  /** Labels served by a different model, fingerprint or upstream in the two runs. */
  servedChanges: ServedChange[];
  /** Ways the two runs differ that make the comparison less like-for-like (options, prompts, params, model ids, cases). */
  warnings: string[];
  adjustment: 'holm';
}

const caseKey = (r: Result) => `${r.suiteId}\u0000${r.caseId}`;

function side(results: readonly Result[], cases: number): RunSide {
  const s = groupStats(results);
  return {n: s.n, cases, graded: s.graded, passRate: s.passRate, passRateCi95: s.passRateCi95, meanScore: s.meanScore, errorRate: s.errorRate, costPer1kUsd: s.costPer1kUsd, latencyP50Ms: s.latencyMs.p50};
}

const stable = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

/** What differs between the runs beyond the models' answers: each a sentence for the page. */
function runWarnings(baseline: LoadedRun, candidate: LoadedRun, models: readonly string[]): string[] {
  const out: string[] = [];
  const optsA = (baseline.run?.options ?? {}) as Record<string, unknown>;
  const optsB = (candidate.run?.options ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(optsA), ...Object.keys(optsB)])].sort().filter((k) => stable(optsA[k]) !== stable(optsB[k]));
  if (keys.length > 0) out.push(`the runs used different options: ${keys.map((k) => `${k} ${stable(optsA[k]) ?? 'unset'} → ${stable(optsB[k]) ?? 'unset'}`).join(', ')}`);
  if (baseline.run?.configDigest && candidate.run?.configDigest && baseline.run.configDigest !== candidate.run.configDigest) out.push('the config files differ (config digest changed)');
  for (const m of models) {
    const a = baseline.run?.models?.[m]?.model;
    const b = candidate.run?.models?.[m]?.model;
    if (a && b && a !== b) out.push(`${m} is a different model id: ${a} → ${b}`);
    const fa = new Map(baseline.results.filter((r) => r.model === m && r.fingerprint).map((r) => [caseKey(r), r.fingerprint]));
    const changed = candidate.results.filter((r) => r.model === m && r.fingerprint && fa.has(caseKey(r)) && fa.get(caseKey(r)) !== r.fingerprint);
    const n = new Set(changed.map(caseKey)).size;
    if (n > 0) out.push(`${m}: ${n} shared case(s) were sent differently (prompt, params, model id or graders changed)`);
  }
  const inModels = (r: Result) => models.includes(r.model);
  const casesA = new Set(baseline.results.filter(inModels).map(caseKey));
  const casesB = new Set(candidate.results.filter(inModels).map(caseKey));
  const shared = [...casesA].filter((k) => casesB.has(k)).length;
  if (shared < casesA.size || shared < casesB.size) out.push(`the runs answered different cases: baseline ${casesA.size}, candidate ${casesB.size}, shared ${shared}; every figure here uses the shared cases only`);
  return out;
}

/**
 * Candidate against baseline, per model overall, per suite and per tag, on one footing: both pass
 * rates, the difference and its test use only the cases both runs answered (paired, so case
 * difficulty cancels out). p-values are Holm-adjusted across every row; a regression or improvement
 * is declared on the adjusted p-value, never with fewer than MIN_PAIRED_CASES shared cases.
 */
export function compareRuns(baseline: LoadedRun, candidate: LoadedRun): RunComparison {
  const modelsA = Object.keys(baseline.summary.models);
  const modelsB = Object.keys(candidate.summary.models);
  const shared = modelsA.filter((m) => modelsB.includes(m));
  const rows: Array<Omit<ComparisonRow, 'diff' | 'regression' | 'improvement'> & {test: Omit<ComparisonDiff, 'pValueAdjusted'> | null}> = [];
  const byModel = (run: LoadedRun, model: string) => run.results.filter((r) => r.model === model);
  for (const model of shared) {
    const ra = byModel(baseline, model);
    const rb = byModel(candidate, model);
    const groups: Array<{kind: 'all' | 'suite' | 'tag'; name: string | null; pick: (r: Result) => boolean}> = [{kind: 'all', name: null, pick: () => true}];
    for (const suite of new Set([...Object.keys(baseline.summary.suites), ...Object.keys(candidate.summary.suites)])) groups.push({kind: 'suite', name: suite, pick: (r) => r.suiteId === suite});
    for (const tag of new Set([...Object.keys(baseline.summary.tags), ...Object.keys(candidate.summary.tags)])) groups.push({kind: 'tag', name: tag, pick: (r) => r.tags.includes(tag)});
    for (const g of groups) {
      const ga = ra.filter(g.pick);
      const gb = rb.filter(g.pick);
      if (ga.length === 0 && gb.length === 0) continue;
      const ca = perCase(ga);
      const cb = perCase(gb);
      const {metric, units} = pairedUnits(ca, cb);
      const keys = new Set(units.map((u) => u.key));
      const t = pairedTest(units);
      rows.push({
        model,
        group: {kind: g.kind, name: g.name},
        baseline: ga.length === 0 ? null : side(ga.filter((r) => keys.has(caseKey(r))), ca.size),
        candidate: gb.length === 0 ? null : side(gb.filter((r) => keys.has(caseKey(r))), cb.size),
        shared: units.length,
        test: t ? {metric, estimate: t.estimate, ciLow: t.ciLow, ciHigh: t.ciHigh, method: 'paired', test: t.test, pValue: t.pValue, tooFew: t.tooFew} : null,
      });
    }
  }
  const adjusted = holmAdjust(rows.flatMap((r) => (r.test ? [r.test.pValue] : [])));
  let next = 0;
  const out: ComparisonRow[] = rows.map(({test, ...r}) => {
    const diff: ComparisonDiff | null = test ? {...test, pValueAdjusted: adjusted[next++]!} : null;
    const clear = diff !== null && !diff.tooFew && diff.pValueAdjusted < 0.05;
    return {...r, diff, regression: clear && diff.estimate < 0, improvement: clear && diff.estimate > 0};
  });
  return {
    baseline: {runId: baseline.runId, dir: baseline.dir, simulated: baseline.summary.simulated},
    candidate: {runId: candidate.runId, dir: candidate.dir, simulated: candidate.summary.simulated},
    rows: out,
    onlyInBaseline: modelsA.filter((m) => !modelsB.includes(m)),
    onlyInCandidate: modelsB.filter((m) => !modelsA.includes(m)),
    regressions: out.filter((r) => r.regression).length,
    improvements: out.filter((r) => r.improvement).length,
    warnings: runWarnings(baseline, candidate, shared),
    adjustment: 'holm',
    servedChanges: servedChanges(baseline.results, candidate.results),
  };
}
