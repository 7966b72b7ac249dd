import type {Result} from '../core/types.ts';
import {holmAdjust} from '../stats/holm.ts';
import {pairedTest} from '../stats/paired-test.ts';
import type {BreakerTransitionRecord, GroupStats, ModelComparison, Summary} from './summary-types.ts';
import {CaseIndex, GroupAccumulator, type CaseTable, type CaseValues} from './group-accumulator.ts';
import {ResultRows} from './result-rows.ts';

export type {BreakerTransitionRecord, GroupStats, ModelComparison, Summary} from './summary-types.ts';

/** The statistics of one group of results (a gate's model, a compared run). */
export function groupStats(results: readonly Result[]): GroupStats {
  const cases = new CaseIndex();
  const rows = new ResultRows();
  const group = new GroupAccumulator(rows);
  for (const r of results) group.add(r, rows.add(r, cases.of(r.suiteId, r.caseId)));
  return group.stats();
}

/** Per case (suite + case id): the mean score and the pass fraction over repeats (repeats of a case are not independent). */
export function perCase(results: readonly Result[]): Map<string, {score: number; passRate: number | undefined; repeats: number; fingerprint?: string}> {
  const acc = new Map<string, {sum: number; n: number; passed: number; graded: number; fingerprint?: string}>();
  for (const r of results) {
    if (r.status !== 'ok' || r.score === null) continue;
    const key = `${r.suiteId}\u0000${r.caseId}`;
    const a = acc.get(key) ?? {sum: 0, n: 0, passed: 0, graded: 0, fingerprint: r.fingerprint};
    a.sum += r.score;
    a.n++;
    if (r.pass !== null) {
      a.graded++;
      if (r.pass) a.passed++;
    }
    acc.set(key, a);
  }
  return new Map([...acc].map(([k, a]) => [k, {score: a.sum / a.n, passRate: a.graded === 0 ? undefined : a.passed / a.graded, repeats: a.n, fingerprint: a.fingerprint}]));
}

/** The values one paired test compares on shared cases: pass fractions when every case has them on both sides, else mean scores. */
export function pairedUnits(
  a: ReadonlyMap<string, {score: number; passRate: number | undefined}>,
  b: ReadonlyMap<string, {score: number; passRate: number | undefined}>,
): {metric: 'passRate' | 'score'; units: Array<{key: string; a: number; b: number}>} {
  const shared = [...a.keys()].filter((k) => b.has(k));
  const byPass = shared.length > 0 && shared.every((k) => a.get(k)!.passRate !== undefined && b.get(k)!.passRate !== undefined);
  const value = (v: {score: number; passRate: number | undefined}) => (byPass ? v.passRate! : v.score);
  return {metric: byPass ? 'passRate' : 'score', units: shared.map((k) => ({key: k, a: value(a.get(k)!), b: value(b.get(k)!)}))};
}

/** A and B on their shared cases (A's order): pass fractions when every shared case has them on both sides, else mean scores. */
function sharedCaseUnits(a: CaseTable, b: CaseTable): {metric: 'passRate' | 'score'; units: Array<{a: number; b: number}>} {
  // Two passes over A's cases rather than a pair of objects per shared case: the metric first, then the units.
  let shared = 0;
  let byPass = true;
  for (let slot = 0; slot < a.size; slot++) {
    const other = b.slotOf[a.caseOf[slot]!] ?? -1;
    if (other === -1) continue;
    shared++;
    if (byPass && (a.values(slot).passRate === undefined || b.values(other).passRate === undefined)) byPass = false;
  }
  byPass &&= shared > 0;
  const value = (v: CaseValues) => (byPass ? v.passRate! : v.score);
  const units: Array<{a: number; b: number}> = [];
  for (let slot = 0; slot < a.size; slot++) {
    const other = b.slotOf[a.caseOf[slot]!] ?? -1;
    if (other !== -1) units.push({a: value(a.values(slot)), b: value(b.values(other))});
  }
  return {metric: byPass ? 'passRate' : 'score', units};
}

/** Every two models on their shared cases, one test each, Holm-adjusted across the pairs. */
function compareGroups(byModel: ReadonlyMap<string, GroupAccumulator>): ModelComparison[] {
  const labels = [...byModel.keys()].sort();
  const raw: Array<Omit<ModelComparison, 'pValueAdjusted' | 'significant'>> = [];
  for (let i = 0; i < labels.length; i++) {
    // Two case tables at a time, not one per model: each is a few numbers per case.
    const a = labels.length > i + 1 ? byModel.get(labels[i]!)!.caseTable('a') : null;
    for (let j = i + 1; j < labels.length; j++) {
      const {metric, units} = sharedCaseUnits(a!, byModel.get(labels[j]!)!.caseTable('b'));
      const t = pairedTest(units);
      if (!t) continue;
      raw.push({
        a: labels[i]!,
        b: labels[j]!,
        metric,
        test: t.test,
        n: t.n,
        meanDiff: t.estimate,
        ciLow: t.ciLow,
        ciHigh: t.ciHigh,
        pValue: t.pValue,
        adjustment: 'holm',
        tooFew: t.tooFew,
        mde: t.mde,
        mcnemar: t.test === 'mcnemar-score' ? {onlyA: t.onlyA, onlyB: t.onlyB, pValue: t.pValue} : null,
      });
    }
  }
  const adjusted = holmAdjust(raw.map((c) => c.pValue));
  return raw.map((c, i) => ({...c, pValueAdjusted: adjusted[i]!, significant: !c.tooFew && adjusted[i]! < 0.05}));
}

/** Every two models of `results` on their shared cases, one test each, Holm-adjusted across the pairs. */
export function compareModels(results: readonly Result[]): ModelComparison[] {
  const summary = new SummaryAccumulator();
  for (const r of results) summary.add(r);
  return compareGroups(summary.models);
}

function byKey<T>(groups: ReadonlyMap<string, T>): Array<[string, T]> {
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * A run's summary built one result at a time: each case is numbered once and each result is added to
 * its groups (the run, its model, its suite × model, each tag × model), which keep counts, sums and
 * per-case numbers. So summarising holds numbers per case and per group, never lists of results.
 */
export class SummaryAccumulator {
  readonly #cases = new CaseIndex();
  readonly #rows = new ResultRows();
  readonly #overall = new GroupAccumulator(this.#rows);
  readonly models = new Map<string, GroupAccumulator>();
  readonly #suites = new Map<string, Map<string, GroupAccumulator>>();
  readonly #tags = new Map<string, Map<string, GroupAccumulator>>();

  /**
   * Adds `r`. `caseIndex`: its case's number when the caller numbers the cases already (a journal
   * index does), dense from 0 and one per (suite id, case id); give it for every result or for none.
   */
  add(r: Result, caseIndex = this.#cases.of(r.suiteId, r.caseId)): void {
    const row = this.#rows.add(r, caseIndex);
    this.#overall.add(r, row);
    this.#groupIn(this.models, r.model).add(r, row);
    this.#groupIn(this.#perModel(this.#suites, r.suiteId), r.model).add(r, row);
    for (const tag of r.tags) this.#groupIn(this.#perModel(this.#tags, tag), r.model).add(r, row);
  }

  #groupIn(groups: Map<string, GroupAccumulator>, key: string): GroupAccumulator {
    let group = groups.get(key);
    if (!group) groups.set(key, (group = new GroupAccumulator(this.#rows)));
    return group;
  }

  /** Each model's group within a suite, in order of first appearance there (the gate's suite checks). */
  suiteModels(suiteId: string): ReadonlyMap<string, GroupAccumulator> {
    return this.#suites.get(suiteId) ?? new Map();
  }

  #perModel(outer: Map<string, Map<string, GroupAccumulator>>, key: string): Map<string, GroupAccumulator> {
    let inner = outer.get(key);
    if (!inner) outer.set(key, (inner = new Map()));
    return inner;
  }

  summary(runId: string, breakerTransitions: ReadonlyArray<BreakerTransitionRecord & {model: string}> = []): Summary {
    const circuitBreaker: Summary['circuitBreaker'] = {};
    for (const {model, ...t} of breakerTransitions) (circuitBreaker[model] ??= []).push(t);
    const models: Summary['models'] = {};
    for (const [label, group] of byKey(this.models)) models[label] = {...group.stats(), provider: group.provider!, simulated: group.simulated};
    const nested = (outer: Map<string, Map<string, GroupAccumulator>>) => {
      const out: Record<string, Record<string, GroupStats>> = {};
      for (const [key, inner] of byKey(outer)) {
        out[key] = {};
        for (const [model, group] of byKey(inner)) out[key][model] = group.stats();
      }
      return out;
    };
    const summary: Summary = {
      runId,
      generatedAt: new Date().toISOString(),
      simulated: this.#overall.simulated,
      n: this.#overall.n,
      overall: this.#overall.stats(),
      models,
      suites: nested(this.#suites),
      tags: nested(this.#tags),
      circuitBreaker,
      comparisons: compareGroups(this.models),
    };
    this.releaseScratch();
    return summary;
  }

  /** Frees the working arrays the groups' statistics were built in (made again if asked for more). */
  releaseScratch(): void {
    this.#rows.releaseScratch();
  }
}

/** Per model, per suite × model and per tag × model statistics, computed from journal results. */
export function summarize(runId: string, results: Iterable<Result>, breakerTransitions: ReadonlyArray<BreakerTransitionRecord & {model: string}> = []): Summary {
  const summary = new SummaryAccumulator();
  for (const r of results) summary.add(r);
  return summary.summary(runId, breakerTransitions);
}
