import {Int32s, SmallInts} from '../core/growable-arrays.ts';
import {StringIds} from '../core/string-ids.ts';

/** A task's state: no kept result, a kept result, a kept result for a task of this run's plan. */
const NONE = 0;
const FINISHED = 1;
const DONE = 2;
/** The fingerprints assay writes: 16 hex digits, held as two 32-bit halves. */
const HEX_FINGERPRINT = /^[0-9a-f]{16}$/;

/**
 * The tasks a journal holds a kept result for (ok, or any with --no-retry-errors), each with the
 * fingerprint its result was sent with: what --resume skips and checks. Exact, without a string or
 * Map entry per task: keys as bytes in StringIds, fingerprints as two Int32s, a state byte. A
 * million tasks take ~50 MB here against ~190 MB as a Map of fingerprints and a Set of plan keys
 * (a resumed 1,000,000-case run peaked at 450 MB with those).
 */
export class FinishedTasks {
  readonly #ids = new StringIds();
  readonly #state = new SmallInts();
  readonly #high = new Int32s();
  readonly #low = new Int32s();
  /** Fingerprints not in assay's form (none, '', is one of them): kept as strings, by task number. */
  readonly #otherPrints = new Map<number, string>();
  #done = 0;

  /** The latest kept result of `key`'s task was sent with `fingerprint` ('' for a line without one). */
  set(key: string, fingerprint: string): void {
    const id = this.#ids.id(0, key);
    this.#state.set(id, FINISHED);
    if (HEX_FINGERPRINT.test(fingerprint)) {
      this.#high.set(id, Number.parseInt(fingerprint.slice(0, 8), 16) | 0);
      this.#low.set(id, Number.parseInt(fingerprint.slice(8), 16) | 0);
      this.#otherPrints.delete(id);
    } else this.#otherPrints.set(id, fingerprint);
  }

  /** `key`'s latest result is one that is sent again (an error): its task is not finished. */
  delete(key: string): void {
    const id = this.#ids.find(0, key);
    if (id >= 0) this.#state.set(id, NONE);
  }

  /** The fingerprint `key`'s kept result was sent with ('' when its line had none); undefined when it has none kept. */
  fingerprint(key: string): string | undefined {
    return this.#fingerprintOf(this.#ids.find(0, key));
  }

  /**
   * Marks `key`'s finished task as one of this run's plan (`has` answers true for it from then on)
   * and returns its fingerprint, as `fingerprint` does: undefined, and nothing marked, when it has
   * no kept result. One look-up a planned task on --resume.
   */
  markDone(key: string): string | undefined {
    const id = this.#ids.find(0, key);
    const print = this.#fingerprintOf(id);
    if (print !== undefined && this.#state.values[id] === FINISHED) {
      this.#state.values[id] = DONE;
      this.#done++;
    }
    return print;
  }

  #fingerprintOf(id: number): string | undefined {
    if (id < 0 || this.#state.values[id] === NONE) return undefined;
    const other = this.#otherPrints.get(id);
    if (other !== undefined) return other;
    const half = (value: number) => (value >>> 0).toString(16).padStart(8, '0');
    return half(this.#high.values[id]!) + half(this.#low.values[id]!);
  }

  /** Whether `key` is a task of the plan with a kept result (marked with markDone): not sent again. */
  has(key: string): boolean {
    const id = this.#ids.find(0, key);
    return id >= 0 && this.#state.values[id] === DONE;
  }

  /** How many of the plan's tasks have a kept result. */
  get size(): number {
    return this.#done;
  }
}
