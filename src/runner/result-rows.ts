import {Float64s, Int32s, SmallInts} from '../core/growable-arrays.ts';
import type {Result} from '../core/types.ts';

/** What a row holds besides its case (bits of ResultRows.flags). */
export const SCORED = 1;
export const GRADED = 2;
export const PASSED = 4;
export const TIMED = 8;
export const FIRST_TOKEN = 16;

/**
 * The few numbers per result that a summary's statistics cannot keep as counts and sums: the case
 * (case-level intervals and paired tests), the score and pass/fail, the latency and the time to
 * first token (exact percentiles need every value). One row per result added to a summary, in the
 * order added, shared by all the groups the result belongs to (the run, its model, its suite ×
 * model, each tag × model), each of which lists only its rows' numbers. About 21 bytes a result
 * (13 without latencies), whatever the number of groups; the per-case tables and sorted latencies
 * are built from the rows when a group's statistics are asked for, one group at a time.
 */
export class ResultRows {
  readonly caseOf = new Int32s();
  readonly flags = new SmallInts();
  /** Set only on scored rows (0 elsewhere), and so on for the two below: a column never set stays empty. */
  readonly score = new Float64s();
  readonly latency = new Float64s();
  readonly ttft = new Float64s();
  /** One more than the highest case number added: the size of a table indexed by case. */
  cases = 0;
  #scratch = new Map<string, Float64Array | Int32Array>();

  get length(): number {
    return this.caseOf.length;
  }

  /**
   * A working array of `length` numbers, zeroed, for building one group's statistics: the same memory
   * is lent again under the same name (the next group's), so summarising 1,000,000 results in three
   * groups allocates the case tables and sorted latencies once, not three times over before V8
   * frees them. What it returned before under `name` is then overwritten.
   */
  scratch<T extends Float64Array | Int32Array>(name: string, type: {new (length: number): T}, length: number): T {
    let array = this.#scratch.get(name) as T | undefined;
    if (!array || array.length < length || !(array instanceof type)) this.#scratch.set(name, (array = new type(Math.max(length, 1024))));
    const lent = array.subarray(0, length) as T;
    lent.fill(0);
    return lent;
  }

  /** Frees the working arrays (they are made again when next asked for). */
  releaseScratch(): void {
    this.#scratch.clear();
  }

  /** Adds `r` of case `caseIndex`; its row number. */
  add(r: Result, caseIndex: number): number {
    const row = this.caseOf.push(caseIndex);
    if (caseIndex >= this.cases) this.cases = caseIndex + 1;
    let flags = 0;
    // As GroupAccumulator counts them: an error adds nothing here; a score adds to its case; a cached answer took no time.
    if (r.status !== 'error') {
      if (r.score !== null) {
        flags |= SCORED;
        this.score.set(row, r.score);
        if (r.pass !== null) flags |= r.pass ? GRADED | PASSED : GRADED;
      }
      if (!r.cached) {
        if (r.latencyMs !== null) {
          flags |= TIMED;
          this.latency.set(row, r.latencyMs);
        }
        if (r.ttftMs !== null) {
          flags |= FIRST_TOKEN;
          this.ttft.set(row, r.ttftMs);
        }
      }
    }
    this.flags.push(flags);
    return row;
  }
}
