import type {CostBreakdown, ErrorCause, Result} from '../core/types.ts';
import {costsDisagree} from './cost.ts';
import {clusteredMean} from '../stats/clustered-mean.ts';
import {pairedComparison, type PairedComparison} from '../stats/paired-comparison.ts';
import {percentileOfSorted} from '../stats/percentile.ts';
import {wilsonInterval} from '../stats/wilson-interval.ts';

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
  passRate: number | null;
  passRateCi95: [number, number] | null;
  meanScore: number | null;
  /** Standard error of the mean score, clustered by case (repeats averaged per case first). */
  meanScoreSe: number | null;
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

export interface ModelComparison extends PairedComparison {
  a: string;
  b: string;
  metric: 'score';
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

export function groupStats(results: readonly Result[]): GroupStats {
  let ok = 0;
  let graded = 0;
  let passed = 0;
  let scoreSum = 0;
  let scored = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let tokensEstimated = 0;
  let cacheReadTokens = 0;
  let cacheWriteTokens = 0;
  let reasoningTokens = 0;
  let costEstimated = 0;
  let breakdown: CostBreakdown | null = null;
  let reported: {n: number; reportedUsd: number; computedUsd: number | null} | null = null;
  let cost = 0;
  let costKnown = 0;
  let attempts = 0;
  let cached = 0;
  let unscored = 0;
  let judgeCost = 0;
  let judgeCostKnown = 0;
  const clustered: Array<{cluster: string; score: number}> = [];
  const errorsByClass: Record<string, number> = {};
  const circuitOpenCauses: Record<string, number> = {};
  let notSent = 0;
  const latencies: number[] = [];
  const ttfts: number[] = [];
  for (const r of results) {
    attempts += r.attempts;
    if (r.status === 'error') {
      const cls = r.error?.class ?? 'unknown';
      errorsByClass[cls] = (errorsByClass[cls] ?? 0) + 1;
      if (r.error?.notSent) notSent++;
      const cause = r.error?.cause;
      if (cls === 'circuit-open' && cause) {
        const key = `${cause.class}${cause.status !== null ? ` ${cause.status}` : ''}`;
        circuitOpenCauses[key] = (circuitOpenCauses[key] ?? 0) + 1;
      }
      continue;
    }
    ok++;
    if (r.judgeCostUsd !== undefined && r.judgeCostUsd !== null) {
      judgeCost += r.judgeCostUsd;
      judgeCostKnown++;
    }
    if (r.grades.some((g) => g.unscored)) unscored++;
    if (r.pass !== null) {
      graded++;
      if (r.pass) passed++;
    }
    if (r.score !== null) {
      scoreSum += r.score;
      scored++;
      clustered.push({cluster: `${r.suiteId}\u0000${r.caseId}`, score: r.score});
    }
    if (r.cached) cached++;
    else {
      if (r.latencyMs !== null) latencies.push(r.latencyMs);
      if (r.ttftMs !== null) ttfts.push(r.ttftMs);
    }
    inputTokens += r.inputTokens ?? 0;
    outputTokens += r.outputTokens ?? 0;
    cacheReadTokens += r.cacheReadTokens ?? 0;
    cacheWriteTokens += r.cacheWriteTokens ?? 0;
    reasoningTokens += r.reasoningTokens ?? 0;
    if (r.tokensEstimated) tokensEstimated++;
    if (r.costEstimated) costEstimated++;
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
  latencies.sort((a, b) => a - b);
  ttfts.sort((a, b) => a - b);
  const turnarounds = new Map<string, number>();
  for (const r of results) if (r.batchId && typeof r.batchTurnaroundMs === 'number') turnarounds.set(r.batchId, r.batchTurnaroundMs);
  const n = results.length;
  const errors = n - ok;
  return {
    n,
    ok,
    errors,
    errorRate: n === 0 ? 0 : errors / n,
    errorsByClass,
    notSent,
    circuitOpenCauses,
    graded,
    passed,
    passRate: graded === 0 ? null : passed / graded,
    passRateCi95: wilsonInterval(passed, graded),
    meanScore: scored === 0 ? null : scoreSum / scored,
    meanScoreSe: clusteredMean(clustered)?.se ?? null,
    unscored,
    latencyMs: {
      p50: percentileOfSorted(latencies, 50),
      p95: percentileOfSorted(latencies, 95),
      p99: percentileOfSorted(latencies, 99),
      mean: latencies.length === 0 ? null : latencies.reduce((a, b) => a + b, 0) / latencies.length,
    },
    ttftMs: {p50: percentileOfSorted(ttfts, 50), p95: percentileOfSorted(ttfts, 95)},
    inputTokens,
    outputTokens,
    cacheReadTokens,
    cacheWriteTokens,
    reasoningTokens,
    tokensEstimated,
    costUsd: costKnown === 0 ? null : cost,
    costBreakdown: breakdown,
    costEstimated,
    reportedCost: reported && {...reported, disagree: reported.computedUsd !== null && costsDisagree(reported.computedUsd, reported.reportedUsd)},
    costUnknown: ok - costKnown,
    costPer1kUsd: costKnown === 0 ? null : (cost / costKnown) * 1000,
    attempts,
    cached,
    judgeCostUsd: judgeCostKnown === 0 ? null : judgeCost,
    ...(turnarounds.size > 0 && {batchTurnaroundMs: batchTurnaround([...turnarounds.values()])}),
  };
}

function batchTurnaround(values: number[]): NonNullable<GroupStats['batchTurnaroundMs']> {
  values.sort((a, b) => a - b);
  return {batches: values.length, p50: percentileOfSorted(values, 50), max: values.at(-1) ?? null};
}

/** Per case (suite + case id): the mean score and majority pass over repeats, for paired comparisons (repeats of a case are not independent). */
export function perCase(results: readonly Result[]): Map<string, {score: number; pass: boolean | undefined}> {
  const acc = new Map<string, {sum: number; n: number; passed: number; graded: number}>();
  for (const r of results) {
    if (r.status !== 'ok' || r.score === null) continue;
    const key = `${r.suiteId}\u0000${r.caseId}`;
    const a = acc.get(key) ?? {sum: 0, n: 0, passed: 0, graded: 0};
    a.sum += r.score;
    a.n++;
    if (r.pass !== null) {
      a.graded++;
      if (r.pass) a.passed++;
    }
    acc.set(key, a);
  }
  return new Map([...acc].map(([k, a]) => [k, {score: a.sum / a.n, pass: a.graded === 0 ? undefined : a.passed * 2 >= a.graded}]));
}

export function compareModels(results: readonly Result[]): ModelComparison[] {
  const byModel = new Map<string, Result[]>();
  for (const r of results) (byModel.get(r.model) ?? byModel.set(r.model, []).get(r.model)!).push(r);
  const labels = [...byModel.keys()].sort();
  const cases = new Map(labels.map((l) => [l, perCase(byModel.get(l)!)]));
  const out: ModelComparison[] = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = cases.get(labels[i]!)!;
      const b = cases.get(labels[j]!)!;
      const units = [...a].filter(([k]) => b.has(k)).map(([k, ua]) => {
        const ub = b.get(k)!;
        return {a: ua.score, b: ub.score, passA: ua.pass, passB: ub.pass};
      });
      const cmp = pairedComparison(units);
      if (cmp) out.push({a: labels[i]!, b: labels[j]!, metric: 'score', ...cmp});
    }
  }
  return out;
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
