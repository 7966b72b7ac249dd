/** A request as the case table orders it. */
interface Entry {
  suiteId: string;
  caseId: string;
  repeat: number;
  request: number;
}

// One collator for every comparison, as in caseOrder (report-data.ts).
const NUMERIC = new Intl.Collator(undefined, {numeric: true});

/** caseOrder (suite, case id numeric-aware, repeat), then first appearance; identical strings are equal without asking ICU. */
function compare(suiteId: string, caseId: string, repeat: number, request: number, b: Entry): number {
  return (
    (suiteId === b.suiteId ? 0 : suiteId.localeCompare(b.suiteId)) ||
    (caseId === b.caseId ? 0 : NUMERIC.compare(caseId, b.caseId)) ||
    repeat - b.repeat ||
    request - b.request
  );
}

/**
 * The first `limit` requests in the case table's order (caseOrder, ties in order of first
 * appearance), picked while a journal streams by: a max-heap of at most `limit` entries, so only
 * those requests' ids are held, whatever the run's size. A request that cannot enter costs one
 * comparison with the heap's last entry.
 */
export class FirstInCaseOrder {
  readonly #heap: Entry[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Offers request number `request` (numbers rising in order of first appearance). */
  offer(suiteId: string, caseId: string, repeat: number, request: number): void {
    const heap = this.#heap;
    if (heap.length < this.#limit) {
      heap.push({suiteId, caseId, repeat, request});
      this.#up(heap.length - 1);
    } else if (this.#limit > 0 && compare(suiteId, caseId, repeat, request, heap[0]!) < 0) {
      heap[0] = {suiteId, caseId, repeat, request};
      this.#down(0);
    }
  }

  /** The picked requests, in the case table's order. */
  requests(): Int32Array {
    const sorted = [...this.#heap].sort((a, b) => compare(a.suiteId, a.caseId, a.repeat, a.request, b));
    return Int32Array.from(sorted, (e) => e.request);
  }

  #greater(i: number, j: number): boolean {
    const a = this.#heap[i]!;
    return compare(a.suiteId, a.caseId, a.repeat, a.request, this.#heap[j]!) > 0;
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    [heap[i], heap[j]] = [heap[j]!, heap[i]!];
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#greater(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#heap.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < n && this.#greater(left, largest)) largest = left;
      if (right < n && this.#greater(right, largest)) largest = right;
      if (largest === i) return;
      this.#swap(i, largest);
      i = largest;
    }
  }
}
