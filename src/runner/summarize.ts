import type {CostBreakdown, ErrorCause, Result} from '../core/types.ts';
import {caseMeanInterval} from '../stats/case-mean-interval.ts';
import {costsDisagree} from './cost.ts';
import {clusteredMean} from '../stats/clustered-mean.ts';
import {holmAdjust} from '../stats/holm.ts';
import {pairedTest, type PairedTestName} from '../stats/paired-test.ts';
import {percentileOfSorted} from '../stats/percentile.ts';

export interface GroupStats {
  n: number;
  ok: number;
  errors: number;
  errorRate: number;
  errorsByClass: Record<string, number>;
  /** Errors that were never sent (an open breaker, a model stopped by fail-fast): --resume sends them. */
  notSent: number;
  /** Requests an open breaker refused, by the error that opened it ("server 500"): never a bare circuit-open. */
  circuitOpenCauses: Record<string, number>;
  /** Results that had graders and an answer: the pass rate's denominator (errors are counted in errorRate). */
  graded: number;
  passed: number;
  /** Cases (suite + case id) with at least one graded result: the unit of evidence for the intervals. */
  gradedCases: number;
  /** Mean over cases of each case's pass fraction (= passed / graded when every case has as many repeats). */
  passRate: number | null;
  /** 95% interval over cases (Wilson; with repeats, Wilson at the clustered effective n): repeats never narrow it beyond the evidence. */
  passRateCi95: [number, number] | null;
  /** Mean over cases of each case's mean score. */
  meanScore: number | null;
  /** Standard error of the mean score, clustered by case (repeats averaged per case first). */
  meanScoreSe: number | null;
  meanScoreCi95: [number, number] | null;
  /** Results with a grade that could not be scored: excluded from pass rate and mean score. */
  unscored: number;
  latencyMs: {p50: number | null; p95: number | null; p99: number | null; mean: number | null};
  ttftMs: {p50: number | null; p95: number | null};
  /** Uncached input; cache reads and writes are counted apart. */
  inputTokens: number;
  /** Visible output; reasoning is counted apart where the provider reports it. */
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  tokensEstimated: number;
  /** Sum of known costs; null when no result had a price. */
  costUsd: number | null;
  /** The computed cost by token kind, summed over the results that had a price (null when none had). */
  costBreakdown: CostBreakdown | null;
  /** Results whose computed cost rests on an estimate (estimated tokens, or a cache price from a ratio). */
  costEstimated: number;
  /** Where the provider or a gateway reported costs: their sum, what the pricing computes for the same results, and whether the two disagree by more than 3%. */
  reportedCost: {n: number; reportedUsd: number; computedUsd: number | null; disagree: boolean} | null;
  costUnknown: number;
  costPer1kUsd: number | null;
  attempts: number;
  /** Results served from the response cache (left out of latency statistics). */
  cached: number;
  /** Cost of judge-model grading, kept apart from costUsd. */
  judgeCostUsd: number | null;
  /** `assay run --batch`: submission-to-results time over the distinct batches (present only for batch results). */
  batchTurnaroundMs?: {batches: number; p50: number | null; max: number | null};
}

/** A breaker state change; an opening carries its cause and the window's failures by class. */
export interface BreakerTransitionRecord {
  from: string;
  to: string;
  at: string;
  errorRate: number;
  attempts: number;
  cause?: ErrorCause;
  failuresByClass?: Record<string, number>;
}

export interface ModelComparison {
  a: string;
  b: string;
  /** passRate when every shared case was graded pass/fail for both models, else the mean score. */
  metric: 'passRate' | 'score';
  /** The one test behind both the interval and the p-value (docs/statistics.md). */
  test: PairedTestName;
  /** Shared cases (repeats averaged per case). */
  n: number;
  /** B − A on `metric`. */
  meanDiff: number;
  /** 95% interval of the same test: excludes 0 exactly when pValue < 0.05. */
  ciLow: number;
  ciHigh: number;
  pValue: number;
  /** Holm-adjusted over every pair of the run. */
  pValueAdjusted: number;
  adjustment: 'holm';
  /** Adjusted p < 0.05 and enough shared cases: a clear difference. */
  significant: boolean;
  /** Fewer shared cases than MIN_PAIRED_CASES: never significant. */
  tooFew: boolean;
  mde: number | null;
  /** Discordant cases, for pass/fail (the pValue is McNemar's score test). */
  mcnemar: {onlyA: number; onlyB: number; pValue: number} | null;
}

export interface Summary {
  runId: string;
  generatedAt: string;
  simulated: boolean;
  n: number;
  overall: GroupStats;
  models: Record<string, GroupStats & {provider: string; simulated: boolean}>;
  suites: Record<string, Record<string, GroupStats>>;
  tags: Record<string, Record<string, GroupStats>>;
  /** Circuit breaker state changes during the run, per model. */
  circuitBreaker: Record<string, BreakerTransitionRecord[]>;
  /** Every two models on the cases both answered: B − A in mean score with a 95% CI, McNemar on pass/fail, MDE. */
  comparisons: ModelComparison[];
  /** The gate's verdict, when thresholds were set (added after the run). */
  gate?: {pass: boolean; checks: Array<{scope: string; model: string | null; metric: string; threshold: number; actual: number | null; pass: boolean; message: string}>};
}

/** Errors by class, those never sent, and what opened a breaker (circuit-open results by their cause). */
function errorCounts(errors: readonly Result[]): Pick<GroupStats, 'errorsByClass' | 'notSent' | 'circuitOpenCauses'> {
  const errorsByClass: Record<string, number> = {};
  const circuitOpenCauses: Record<string, number> = {};
  let notSent = 0;
  for (const r of errors) {
    const cls = r.error?.class ?? 'unknown';
    errorsByClass[cls] = (errorsByClass[cls] ?? 0) + 1;
    if (r.error?.notSent) notSent++;
    const cause = r.error?.cause;
    if (cls === 'circuit-open' && cause) {
      const key = `${cause.class}${cause.status !== null ? ` ${cause.status}` : ''}`;
      circuitOpenCauses[key] = (circuitOpenCauses[key] ?? 0) + 1;
    }
  }
  return {errorsByClass, notSent, circuitOpenCauses};
}

/** Pass rate and mean score with their case-level intervals (repeats of a case are one unit of evidence). */
function gradeStats(results: readonly Result[], ok: readonly Result[]) {
  const graded = ok.filter((r) => r.pass !== null).length;
  const clustered = ok.flatMap((r) => (r.score === null ? [] : [{cluster: `${r.suiteId}\u0000${r.caseId}`, score: r.score}]));
  const cases = [...perCase(results).values()];
  const passFractions = cases.flatMap((c) => (c.passRate === undefined ? [] : [c.passRate]));
  const passCi = caseMeanInterval(passFractions, {trials: graded});
  const scoreCi = caseMeanInterval(cases.map((c) => c.score));
  return {
    graded,
    passed: ok.filter((r) => r.pass === true).length,
    gradedCases: passFractions.length,
    passRate: passCi?.estimate ?? null,
    passRateCi95: passCi ? ([passCi.ciLow, passCi.ciHigh] as [number, number]) : null,
    meanScore: scoreCi?.estimate ?? null,
    meanScoreSe: clusteredMean(clustered)?.se ?? null,
    meanScoreCi95: scoreCi ? ([scoreCi.ciLow, scoreCi.ciHigh] as [number, number]) : null,
    unscored: ok.filter((r) => r.grades.some((g) => g.unscored)).length,
  };
}

/** Latency and time to first token over the requests really sent (a cached answer took no time). */
function timings(ok: readonly Result[]): Pick<GroupStats, 'latencyMs' | 'ttftMs'> {
  const sent = ok.filter((r) => !r.cached);
  const latencies = sent.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs])).sort((a, b) => a - b);
  const ttfts = sent.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs])).sort((a, b) => a - b);
  return {
    latencyMs: {
      p50: percentileOfSorted(latencies, 50),
      p95: percentileOfSorted(latencies, 95),
      p99: percentileOfSorted(latencies, 99),
      mean: latencies.length === 0 ? null : latencies.reduce((a, b) => a + b, 0) / latencies.length,
    },
    ttftMs: {p50: percentileOfSorted(ttfts, 50), p95: percentileOfSorted(ttfts, 95)},
  };
}

function tokenTotals(ok: readonly Result[]): Pick<GroupStats, 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'reasoningTokens' | 'tokensEstimated'> {
  const sum = (of: (r: Result) => number | null | undefined) => ok.reduce((total, r) => total + (of(r) ?? 0), 0);
  return {
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    cacheReadTokens: sum((r) => r.cacheReadTokens),
    cacheWriteTokens: sum((r) => r.cacheWriteTokens),
    reasoningTokens: sum((r) => r.reasoningTokens),
    tokensEstimated: ok.filter((r) => r.tokensEstimated).length,
  };
}

/** Cost totals: known, estimated and unknown; by token kind; as reported by the provider against as computed; judges'. */
function costTotals(ok: readonly Result[]) {
  let breakdown: CostBreakdown | null = null;
  let reported: {n: number; reportedUsd: number; computedUsd: number | null} | null = null;
  let cost = 0;
  let costKnown = 0;
  let judgeCost = 0;
  let judgeCostKnown = 0;
  for (const r of ok) {
    if (r.judgeCostUsd !== undefined && r.judgeCostUsd !== null) {
      judgeCost += r.judgeCostUsd;
      judgeCostKnown++;
    }
    if (r.costBreakdown) {
      breakdown ??= {inputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 0, reasoningUsd: 0};
      for (const k of Object.keys(breakdown) as Array<keyof CostBreakdown>) breakdown[k] += r.costBreakdown[k];
    }
    if (typeof r.reportedCostUsd === 'number') {
      reported ??= {n: 0, reportedUsd: 0, computedUsd: 0};
      reported.n++;
      reported.reportedUsd += r.reportedCostUsd;
      reported.computedUsd = typeof r.computedCostUsd === 'number' && reported.computedUsd !== null ? reported.computedUsd + r.computedCostUsd : null;
    }
    if (r.costUsd !== null) {
      cost += r.costUsd;
      costKnown++;
    }
  }
  return {
    costUsd: costKnown === 0 ? null : cost,
    costBreakdown: breakdown,
    costEstimated: ok.filter((r) => r.costEstimated).length,
    reportedCost: reported && {...reported, disagree: reported.computedUsd !== null && costsDisagree(reported.computedUsd, reported.reportedUsd)},
    costUnknown: ok.length - costKnown,
    costPer1kUsd: costKnown === 0 ? null : (cost / costKnown) * 1000,
    judgeCostUsd: judgeCostKnown === 0 ? null : judgeCost,
  };
}

export function groupStats(results: readonly Result[]): GroupStats {
  const ok = results.filter((r) => r.status !== 'error');
  const n = results.length;
  const errors = n - ok.length;
  const turnarounds = new Map<string, number>();
  for (const r of results) if (r.batchId && typeof r.batchTurnaroundMs === 'number') turnarounds.set(r.batchId, r.batchTurnaroundMs);
  const {judgeCostUsd, ...cost} = costTotals(ok);
  return {
    n,
    ok: ok.length,
    errors,
    errorRate: n === 0 ? 0 : errors / n,
    ...errorCounts(results.filter((r) => r.status === 'error')),
    ...gradeStats(results, ok),
    ...timings(ok),
    ...tokenTotals(ok),
    ...cost,
    attempts: results.reduce((total, r) => total + r.attempts, 0),
    cached: ok.filter((r) => r.cached).length,
    judgeCostUsd,
    ...(turnarounds.size > 0 && {batchTurnaroundMs: batchTurnaround([...turnarounds.values()])}),
  };
}

function batchTurnaround(values: number[]): NonNullable<GroupStats['batchTurnaroundMs']> {
  values.sort((a, b) => a - b);
  return {batches: values.length, p50: percentileOfSorted(values, 50), max: values.at(-1) ?? null};
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

/** Every two models on their shared cases, one test each, Holm-adjusted across the pairs. */
export function compareModels(results: readonly Result[]): ModelComparison[] {
  const byModel = new Map<string, Result[]>();
  for (const r of results) (byModel.get(r.model) ?? byModel.set(r.model, []).get(r.model)!).push(r);
  const labels = [...byModel.keys()].sort();
  const cases = new Map(labels.map((l) => [l, perCase(byModel.get(l)!)]));
  const raw: Array<Omit<ModelComparison, 'pValueAdjusted' | 'significant'>> = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const {metric, units} = pairedUnits(cases.get(labels[i]!)!, cases.get(labels[j]!)!);
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

function groupBy(results: readonly Result[], keys: (r: Result) => string[]): Map<string, Result[]> {
  const groups = new Map<string, Result[]>();
  for (const r of results) {
    for (const key of keys(r)) {
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(r);
    }
  }
  return groups;
}

function nested(results: readonly Result[], outer: (r: Result) => string[]): Record<string, Record<string, GroupStats>> {
  const out: Record<string, Record<string, GroupStats>> = {};
  for (const [key, list] of [...groupBy(results, outer)].sort(([a], [b]) => a.localeCompare(b))) {
    out[key] = {};
    for (const [model, perModel] of [...groupBy(list, (r) => [r.model])].sort(([a], [b]) => a.localeCompare(b))) out[key][model] = groupStats(perModel);
  }
  return out;
}

/** Per model, per suite × model and per tag × model statistics, computed from journal results. */
export function summarize(runId: string, results: readonly Result[], breakerTransitions: ReadonlyArray<BreakerTransitionRecord & {model: string}> = []): Summary {
  const circuitBreaker: Summary['circuitBreaker'] = {};
  for (const {model, ...t} of breakerTransitions) (circuitBreaker[model] ??= []).push(t);
  const models: Summary['models'] = {};
  for (const [label, list] of [...groupBy(results, (r) => [r.model])].sort(([a], [b]) => a.localeCompare(b))) {
    models[label] = {...groupStats(list), provider: list[0]!.provider, simulated: list.some((r) => r.simulated)};
  }
  return {
    runId,
    generatedAt: new Date().toISOString(),
    simulated: results.some((r) => r.simulated),
    n: results.length,
    overall: groupStats(results),
    models,
    suites: nested(results, (r) => [r.suiteId]),
    tags: nested(results, (r) => r.tags),
    circuitBreaker,
    comparisons: compareModels(results),
  };
}
