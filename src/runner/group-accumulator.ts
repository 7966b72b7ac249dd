import type {CostBreakdown, Result} from '../core/types.ts';
import {caseMeanInterval} from '../stats/case-mean-interval.ts';
import {clusteredMeanOfMeans} from '../stats/clustered-mean.ts';
import {percentileOfSorted} from '../stats/percentile.ts';
import {Int32s} from '../core/growable-arrays.ts';
import {StringIds} from '../core/string-ids.ts';
import {costsDisagree} from './cost.ts';
import {FIRST_TOKEN, GRADED, PASSED, ResultRows, SCORED, TIMED} from './result-rows.ts';
import type {GroupStats} from './summary-types.ts';

/**
 * Cases numbered once per run (suite id, then case id), densely in order of first appearance, so
 * groups key their cases by a number, never by a string per result. The ids are held as bytes
 * (StringIds), not as a Map of strings: at a million cases that is ~20 MB instead of ~60.
 */
export class CaseIndex {
  readonly #suites = new Map<string, number>();
  readonly #cases = new StringIds();

  get size(): number {
    return this.#cases.size;
  }

  of(suiteId: string, caseId: string): number {
    let suite = this.#suites.get(suiteId);
    if (suite === undefined) this.#suites.set(suiteId, (suite = this.#suites.size));
    return this.#cases.id(suite, caseId);
  }
}

/** One case in a group: its mean score over repeats and, when any repeat was graded, its pass fraction. */
export interface CaseValues {
  score: number;
  passRate: number | undefined;
}

/**
 * A group's cases in order of first appearance (slots) with four numbers each (score sum, scored
 * repeats, graded, passed): what the case-level intervals and the paired tests read. Built from the
 * group's rows when asked for, and dropped after: a summary never holds one per group.
 */
export class CaseTable {
  readonly #rows: ResultRows;
  /** Case number → its slot, -1 when the group has no scored result of it. */
  readonly slotOf: Int32Array;
  readonly caseOf: Int32Array;
  readonly #sum: Float64Array;
  readonly #count: Int32Array;
  readonly #graded: Int32Array;
  readonly #passed: Int32Array;
  size = 0;

  /** `set`: the name of the working arrays it is built in (ResultRows.scratch); two tables read together need two names. */
  constructor(rows: ResultRows, members: Int32Array | null, memberCount: number, scoredRows: number, set: string) {
    this.#rows = rows;
    this.slotOf = rows.scratch(`${set}.slotOf`, Int32Array, rows.cases).fill(-1);
    this.caseOf = rows.scratch(`${set}.caseOf`, Int32Array, scoredRows);
    this.#sum = rows.scratch(`${set}.sum`, Float64Array, scoredRows);
    this.#count = rows.scratch(`${set}.count`, Int32Array, scoredRows);
    this.#graded = rows.scratch(`${set}.graded`, Int32Array, scoredRows);
    this.#passed = rows.scratch(`${set}.passed`, Int32Array, scoredRows);
    const flags = rows.flags.values;
    const score = rows.score.values;
    const caseOfRow = rows.caseOf.values;
    for (let i = 0; i < memberCount; i++) {
      const row = members ? members[i]! : i;
      const f = flags[row]!;
      if ((f & SCORED) === 0) continue;
      const caseIndex = caseOfRow[row]!;
      let slot = this.slotOf[caseIndex]!;
      if (slot === -1) {
        slot = this.size++;
        this.slotOf[caseIndex] = slot;
        this.caseOf[slot] = caseIndex;
      }
      // Added in the order the results came, as the old per-group arrays added them: the same sums to the bit.
      this.#sum[slot]! += score[row]!;
      this.#count[slot]!++;
      if (f & GRADED) {
        this.#graded[slot]!++;
        if (f & PASSED) this.#passed[slot]!++;
      }
    }
  }

  /** The case in `slot`: its mean score and, when any repeat was graded, its pass fraction. */
  values(slot: number): CaseValues {
    const graded = this.#graded[slot]!;
    return {score: this.#sum[slot]! / this.#count[slot]!, passRate: graded === 0 ? undefined : this.#passed[slot]! / graded};
  }

  /** Each case's mean score, and the pass fractions of the cases with any graded repeat, in slot order. */
  means(): {scores: Float64Array; passFractions: Float64Array} {
    const scores = this.#rows.scratch('scores', Float64Array, this.size);
    const fractions = this.#rows.scratch('passFractions', Float64Array, this.size);
    let graded = 0;
    for (let slot = 0; slot < this.size; slot++) {
      scores[slot] = this.#sum[slot]! / this.#count[slot]!;
      if (this.#graded[slot] !== 0) fractions[graded++] = this.#passed[slot]! / this.#graded[slot]!;
    }
    return {scores, passFractions: fractions.subarray(0, graded)};
  }
}

/**
 * The statistics of one group (the run, a model, a suite × model, a tag × model) accumulated one
 * result at a time, in journal order. It keeps counts and sums, and the numbers of its results'
 * rows in a ResultRows shared with the other groups (none while they are all the rows so far: the
 * run's group, and a run's only model and suite): the per-case table and the sorted latencies are built from them when its statistics are
 * asked for. Sums are added in the order groupStats always added them, so the figures are the same
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
  readonly #rows: ResultRows;
  /** The rows of this group's results, in the order added; null while they are rows 0 … n − 1 (no list needed). */
  #members: Int32s | null = null;
  #scoredRows = 0;
  #timedRows = 0;
  #firstTokenRows = 0;
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

  /**
   * `rows` holds the rows of this group's results (added by its owner before `add`). While the group
   * has had every row so far (the run's group; a run's only model and only suite), it keeps no list.
   */
  constructor(rows: ResultRows = new ResultRows()) {
    this.#rows = rows;
  }

  /** Adds `r`, whose row in this group's ResultRows is `row`. */
  add(r: Result, row: number): void {
    if (this.#members) this.#members.push(row);
    else if (row !== this.n) {
      // The first row this group does not share with the rows before it: list its rows from here on.
      this.#members = new Int32s(Math.max(16, this.n + 1));
      for (let i = 0; i < this.n; i++) this.#members.push(i);
      this.#members.push(row);
    }
    const flags = this.#rows.flags.values[row]!;
    if (flags & SCORED) this.#scoredRows++;
    if (flags & TIMED) this.#timedRows++;
    if (flags & FIRST_TOKEN) this.#firstTokenRows++;
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
    if (r.grades.some((g) => g.unscored)) this.#unscored++;
    if (r.cached) this.#cached++;
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

  /** This group's cases with their numbers, built from its rows in working arrays named `set`: valid until the next table built in the same set. */
  caseTable(set = 'table'): CaseTable {
    return new CaseTable(this.#rows, this.#members?.values ?? null, this.#members?.length ?? this.n, this.#scoredRows, set);
  }

  /** The values of `column` on this group's rows whose flags have `bit`, sorted. */
  #sorted(column: Float64Array, bit: number, count: number): Float64Array {
    const out = this.#rows.scratch(`sorted.${bit}`, Float64Array, count);
    const flags = this.#rows.flags.values;
    const members = this.#members?.values ?? null;
    const memberCount = this.#members?.length ?? this.n;
    let at = 0;
    for (let i = 0; i < memberCount; i++) {
      const row = members ? members[i]! : i;
      if (flags[row]! & bit) out[at++] = column[row]!;
    }
    return out.sort();
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
    const {scores, passFractions} = this.caseTable().means();
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
    const latencies = this.#sorted(this.#rows.latency.values, TIMED, this.#timedRows);
    const ttfts = this.#sorted(this.#rows.ttft.values, FIRST_TOKEN, this.#firstTokenRows);
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
