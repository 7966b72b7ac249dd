import type {CostBreakdown, Result} from '../core/types.ts';
import {caseMeanInterval} from '../stats/case-mean-interval.ts';
import {clusteredMeanOfMeans} from '../stats/clustered-mean.ts';
import {percentileOfSorted} from '../stats/percentile.ts';
import {costsDisagree} from './cost.ts';
import type {GroupStats} from './summary-types.ts';

/** Cases numbered once per run (suite id, then case id), so groups key their cases by a number, never by a string per result. */
export class CaseIndex {
  readonly #suites = new Map<string, Map<string, number>>();
  size = 0;

  of(suiteId: string, caseId: string): number {
    let cases = this.#suites.get(suiteId);
    if (!cases) this.#suites.set(suiteId, (cases = new Map()));
    let index = cases.get(caseId);
    if (index === undefined) cases.set(caseId, (index = this.size++));
    return index;
  }
}

/** A growable Float64Array: numbers without an object per value. */
class Numbers {
  values = new Float64Array(16);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  sorted(): Float64Array {
    return this.values.subarray(0, this.length).sort();
  }
}

/** One case in a group: its mean score over repeats and, when any repeat was graded, its pass fraction. */
export interface CaseValues {
  score: number;
  passRate: number | undefined;
}

/**
 * The statistics of one group (the run, a model, a suite × model, a tag × model) accumulated one
 * result at a time, in journal order. It keeps counts and sums, the latencies as numbers, and per
 * case (in order of first appearance) four numbers: what the case-level intervals and the paired
 * tests need. Sums are added in the order groupStats always added them, so the figures are the same
 * to the last bit.
 */
export class GroupAccumulator {
  n = 0;
  ok = 0;
  provider: string | undefined;
  simulated = false;
  #errorsByClass: Record<string, number> = {};
  #notSent = 0;
  #circuitOpenCauses: Record<string, number> = {};
  #graded = 0;
  #passed = 0;
  #unscored = 0;
  /** Case index → its slot in the per-case arrays below (slots in order of first appearance). */
  readonly slots = new Map<number, number>();
  readonly #caseSum = new Numbers();
  readonly #caseCount = new Numbers();
  readonly #casePassed = new Numbers();
  readonly #caseGraded = new Numbers();
  readonly #latencies = new Numbers();
  readonly #ttfts = new Numbers();
  #inputTokens = 0;
  #outputTokens = 0;
  #cacheReadTokens = 0;
  #cacheWriteTokens = 0;
  #reasoningTokens = 0;
  #tokensEstimated = 0;
  #breakdown: CostBreakdown | null = null;
  #reported: {n: number; reportedUsd: number; computedUsd: number | null} | null = null;
  #cost = 0;
  #costKnown = 0;
  #costEstimated = 0;
  #judgeCost = 0;
  #judgeCostKnown = 0;
  #attempts = 0;
  #cached = 0;
  #turnarounds: Map<string, number> | null = null;

  add(r: Result, caseIndex: number): void {
    if (this.n++ === 0) this.provider = r.provider;
    if (r.simulated) this.simulated = true;
    this.#attempts += r.attempts;
    if (r.batchId && typeof r.batchTurnaroundMs === 'number') (this.#turnarounds ??= new Map()).set(r.batchId, r.batchTurnaroundMs);
    if (r.status === 'error') {
      this.#addError(r);
      return;
    }
    this.ok++;
    if (r.pass !== null) {
      this.#graded++;
      if (r.pass === true) this.#passed++;
    }
    if (r.score !== null) this.#addCaseScore(r.score, r.pass, caseIndex);
    if (r.grades.some((g) => g.unscored)) this.#unscored++;
    if (r.cached) this.#cached++;
    else {
      if (r.latencyMs !== null) this.#latencies.push(r.latencyMs);
      if (r.ttftMs !== null) this.#ttfts.push(r.ttftMs);
    }
    this.#inputTokens += r.inputTokens ?? 0;
    this.#outputTokens += r.outputTokens ?? 0;
    this.#cacheReadTokens += r.cacheReadTokens ?? 0;
    this.#cacheWriteTokens += r.cacheWriteTokens ?? 0;
    this.#reasoningTokens += r.reasoningTokens ?? 0;
    if (r.tokensEstimated) this.#tokensEstimated++;
    this.#addCost(r);
  }

  #addError(r: Result): void {
    const cls = r.error?.class ?? 'unknown';
    this.#errorsByClass[cls] = (this.#errorsByClass[cls] ?? 0) + 1;
    if (r.error?.notSent) this.#notSent++;
    const cause = r.error?.cause;
    if (cls === 'circuit-open' && cause) {
      const key = `${cause.class}${cause.status !== null ? ` ${cause.status}` : ''}`;
      this.#circuitOpenCauses[key] = (this.#circuitOpenCauses[key] ?? 0) + 1;
    }
  }

  #addCaseScore(score: number, pass: boolean | null, caseIndex: number): void {
    let slot = this.slots.get(caseIndex);
    if (slot === undefined) {
      slot = this.#caseSum.length;
      this.slots.set(caseIndex, slot);
      this.#caseSum.push(0);
      this.#caseCount.push(0);
      this.#casePassed.push(0);
      this.#caseGraded.push(0);
    }
    this.#caseSum.values[slot]! += score;
    this.#caseCount.values[slot]!++;
    if (pass !== null) {
      this.#caseGraded.values[slot]!++;
      if (pass) this.#casePassed.values[slot]!++;
    }
  }

  #addCost(r: Result): void {
    if (r.judgeCostUsd !== undefined && r.judgeCostUsd !== null) {
      this.#judgeCost += r.judgeCostUsd;
      this.#judgeCostKnown++;
    }
    if (r.costBreakdown) {
      const breakdown = (this.#breakdown ??= {inputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 0, reasoningUsd: 0});
      for (const k of Object.keys(breakdown) as Array<keyof CostBreakdown>) breakdown[k] += r.costBreakdown[k];
    }
    if (typeof r.reportedCostUsd === 'number') {
      const reported = (this.#reported ??= {n: 0, reportedUsd: 0, computedUsd: 0});
      reported.n++;
      reported.reportedUsd += r.reportedCostUsd;
      reported.computedUsd = typeof r.computedCostUsd === 'number' && reported.computedUsd !== null ? reported.computedUsd + r.computedCostUsd : null;
    }
    if (r.costUsd !== null) {
      this.#cost += r.costUsd;
      this.#costKnown++;
    }
    if (r.costEstimated) this.#costEstimated++;
  }

  /** The case in `slot`: its mean score and, when any repeat was graded, its pass fraction. */
  caseValues(slot: number): CaseValues {
    const graded = this.#caseGraded.values[slot]!;
    return {score: this.#caseSum.values[slot]! / this.#caseCount.values[slot]!, passRate: graded === 0 ? undefined : this.#casePassed.values[slot]! / graded};
  }

  stats(): GroupStats {
    const {n, ok} = this;
    const errors = n - ok;
    const cost = this.#cost;
    const costKnown = this.#costKnown;
    const reported = this.#reported;
    return {
      n,
      ok,
      errors,
      errorRate: n === 0 ? 0 : errors / n,
      errorsByClass: this.#errorsByClass,
      notSent: this.#notSent,
      circuitOpenCauses: this.#circuitOpenCauses,
      ...this.#gradeStats(),
      ...this.#timings(),
      inputTokens: this.#inputTokens,
      outputTokens: this.#outputTokens,
      cacheReadTokens: this.#cacheReadTokens,
      cacheWriteTokens: this.#cacheWriteTokens,
      reasoningTokens: this.#reasoningTokens,
      tokensEstimated: this.#tokensEstimated,
      costUsd: costKnown === 0 ? null : cost,
      costBreakdown: this.#breakdown,
      costEstimated: this.#costEstimated,
      reportedCost: reported && {...reported, disagree: reported.computedUsd !== null && costsDisagree(reported.computedUsd, reported.reportedUsd)},
      costUnknown: ok - costKnown,
      costPer1kUsd: costKnown === 0 ? null : (cost / costKnown) * 1000,
      attempts: this.#attempts,
      cached: this.#cached,
      judgeCostUsd: this.#judgeCostKnown === 0 ? null : this.#judgeCost,
      ...(this.#turnarounds && this.#turnarounds.size > 0 && {batchTurnaroundMs: batchTurnaround(new Float64Array(this.#turnarounds.values()).sort())}),
    };
  }

  /** Pass rate and mean score with their case-level intervals (repeats of a case are one unit of evidence). */
  #gradeStats() {
    const passFractions: number[] = [];
    const scores: number[] = [];
    for (let slot = 0; slot < this.#caseSum.length; slot++) {
      const {score, passRate} = this.caseValues(slot);
      scores.push(score);
      if (passRate !== undefined) passFractions.push(passRate);
    }
    const passCi = caseMeanInterval(passFractions, {trials: this.#graded});
    const scoreCi = caseMeanInterval(scores);
    return {
      graded: this.#graded,
      passed: this.#passed,
      gradedCases: passFractions.length,
      passRate: passCi?.estimate ?? null,
      passRateCi95: passCi ? ([passCi.ciLow, passCi.ciHigh] as [number, number]) : null,
      meanScore: scoreCi?.estimate ?? null,
      meanScoreSe: clusteredMeanOfMeans(scores)?.se ?? null,
      meanScoreCi95: scoreCi ? ([scoreCi.ciLow, scoreCi.ciHigh] as [number, number]) : null,
      unscored: this.#unscored,
    };
  }

  /** Latency and time to first token over the requests really sent (a cached answer took no time). */
  #timings(): Pick<GroupStats, 'latencyMs' | 'ttftMs'> {
    const latencies = this.#latencies.sorted();
    const ttfts = this.#ttfts.sorted();
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
}

function batchTurnaround(sorted: Float64Array): NonNullable<GroupStats['batchTurnaroundMs']> {
  return {batches: sorted.length, p50: percentileOfSorted(sorted, 50), max: sorted.at(-1) ?? null};
}
