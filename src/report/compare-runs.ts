import type {Result} from '../core/types.ts';
import {perCase} from '../runner/summarize.ts';
import type {GroupStats} from '../runner/summarize.ts';
import {pairedComparison} from '../stats/paired-comparison.ts';
import {wilsonInterval} from '../stats/wilson-interval.ts';
import type {LoadedRun} from './load-run.ts';
import {servedChanges, type ServedChange} from './served-models.ts';

export interface RunSide {
  n: number;
  graded: number;
  passRate: number | null;
  passRateCi95: [number, number] | null;
  meanScore: number | null;
  errorRate: number;
  costPer1kUsd: number | null;
  latencyP50Ms: number | null;
}

export interface ComparisonDiff {
  /** candidate − baseline: mean score on shared cases (paired), or pass rate (unpaired, when too few cases are shared). */
  metric: 'score' | 'passRate';
  estimate: number;
  ciLow: number;
  ciHigh: number;
  method: 'paired' | 'unpaired';
  /** Exact McNemar on pass/fail over the shared cases (paired only). */
  pValue: number | null;
}

export interface ComparisonRow {
  model: string;
  group: {kind: 'all' | 'suite' | 'tag'; name: string | null};
  baseline: RunSide | null;
  candidate: RunSide | null;
  /** Cases (suite + case id) both runs answered with a score. */
  shared: number;
  diff: ComparisonDiff | null;
  /** The whole 95% interval is below 0: the candidate is worse here. */
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
}

function side(s: GroupStats | undefined): RunSide | null {
  if (!s) return null;
  return {n: s.n, graded: s.graded, passRate: s.passRate, passRateCi95: s.passRateCi95, meanScore: s.meanScore, errorRate: s.errorRate, costPer1kUsd: s.costPer1kUsd, latencyP50Ms: s.latencyMs.p50};
}

/**
 * Newcombe's hybrid score interval for p_b − p_a from the two Wilson intervals: for runs that share
 * too few cases to pair (different suites or samples).
 */
function unpairedPassRate(a: GroupStats, b: GroupStats): ComparisonDiff | null {
  const ia = wilsonInterval(a.passed, a.graded);
  const ib = wilsonInterval(b.passed, b.graded);
  if (!ia || !ib || a.passRate === null || b.passRate === null) return null;
  const d = b.passRate - a.passRate;
  return {
    metric: 'passRate',
    estimate: d,
    ciLow: d - Math.sqrt((b.passRate - ib[0]) ** 2 + (ia[1] - a.passRate) ** 2),
    ciHigh: d + Math.sqrt((ib[1] - b.passRate) ** 2 + (a.passRate - ia[0]) ** 2),
    method: 'unpaired',
    pValue: null,
  };
}

function diffOf(aResults: readonly Result[], bResults: readonly Result[], a: GroupStats | undefined, b: GroupStats | undefined): {shared: number; diff: ComparisonDiff | null} {
  const ca = perCase(aResults);
  const cb = perCase(bResults);
  const units = [...ca].filter(([k]) => cb.has(k)).map(([k, ua]) => ({a: ua.score, b: cb.get(k)!.score, passA: ua.pass, passB: cb.get(k)!.pass}));
  if (units.length >= 2) {
    const cmp = pairedComparison(units)!;
    return {shared: units.length, diff: {metric: 'score', estimate: cmp.meanDiff, ciLow: cmp.ciLow, ciHigh: cmp.ciHigh, method: 'paired', pValue: cmp.mcnemar?.pValue ?? null}};
  }
  return {shared: units.length, diff: a && b ? unpairedPassRate(a, b) : null};
}

/**
 * Candidate against baseline, per model overall, per suite and per tag: the difference with a 95% CI,
 * paired on the cases both runs answered (so case difficulty cancels out), and a regression flag
 * when the whole interval is below zero.
 */
export function compareRuns(baseline: LoadedRun, candidate: LoadedRun): RunComparison {
  const modelsA = Object.keys(baseline.summary.models);
  const modelsB = Object.keys(candidate.summary.models);
  const shared = modelsA.filter((m) => modelsB.includes(m));
  const rows: ComparisonRow[] = [];
  const byModel = (run: LoadedRun, model: string) => run.results.filter((r) => r.model === model);
  for (const model of shared) {
    const ra = byModel(baseline, model);
    const rb = byModel(candidate, model);
    const groups: Array<{kind: 'all' | 'suite' | 'tag'; name: string | null; a: GroupStats | undefined; b: GroupStats | undefined; pick: (r: Result) => boolean}> = [
      {kind: 'all', name: null, a: baseline.summary.models[model], b: candidate.summary.models[model], pick: () => true},
    ];
    for (const suite of new Set([...Object.keys(baseline.summary.suites), ...Object.keys(candidate.summary.suites)])) {
      groups.push({kind: 'suite', name: suite, a: baseline.summary.suites[suite]?.[model], b: candidate.summary.suites[suite]?.[model], pick: (r) => r.suiteId === suite});
    }
    for (const tag of new Set([...Object.keys(baseline.summary.tags), ...Object.keys(candidate.summary.tags)])) {
      groups.push({kind: 'tag', name: tag, a: baseline.summary.tags[tag]?.[model], b: candidate.summary.tags[tag]?.[model], pick: (r) => r.tags.includes(tag)});
    }
    for (const g of groups) {
      if (!g.a && !g.b) continue;
      const {shared: n, diff} = diffOf(ra.filter(g.pick), rb.filter(g.pick), g.a, g.b);
      rows.push({
        model,
        group: {kind: g.kind, name: g.name},
        baseline: side(g.a),
        candidate: side(g.b),
        shared: n,
        diff,
        regression: diff !== null && diff.ciHigh < 0,
        improvement: diff !== null && diff.ciLow > 0,
      });
    }
  }
  return {
    baseline: {runId: baseline.runId, dir: baseline.dir, simulated: baseline.summary.simulated},
    candidate: {runId: candidate.runId, dir: candidate.dir, simulated: candidate.summary.simulated},
    rows,
    onlyInBaseline: modelsA.filter((m) => !modelsB.includes(m)),
    onlyInCandidate: modelsB.filter((m) => !modelsA.includes(m)),
    regressions: rows.filter((r) => r.regression).length,
    improvements: rows.filter((r) => r.improvement).length,
    servedChanges: servedChanges(baseline.results, candidate.results),
  };
}
