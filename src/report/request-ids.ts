import {Int32s, SmallInts} from '../core/growable-arrays.ts';
import {murmurMix} from '../core/murmur-mix.ts';

/**
 * Dense numbers (in order of first appearance) for a journal's requests, each one (case number,
 * model number, repeat), with those three kept per request in typed arrays and an open-addressing
 * table of request numbers: about 15 bytes a request, no string or Map entry each.
 */
export class RequestIds {
  readonly caseOf = new Int32s();
  readonly modelOf = new SmallInts();
  readonly repeatOf = new SmallInts();
  #table = new Int32Array(1 << 10).fill(-1);

  get size(): number {
    return this.caseOf.length;
  }

  /** The request's number, or -1 when it has not been added. */
  find(caseNo: number, model: number, repeat: number): number {
    const mask = this.#table.length - 1;
    for (let slot = hash(caseNo, model, repeat) & mask; ; slot = (slot + 1) & mask) {
      const id = this.#table[slot]!;
      if (id === -1) return -1;
      if (this.caseOf.values[id] === caseNo && this.modelOf.values[id] === model && this.repeatOf.values[id] === repeat) return id;
    }
  }

  /** Adds a request not found before; its number. */
  add(caseNo: number, model: number, repeat: number): number {
    const id = this.caseOf.push(caseNo);
    this.modelOf.push(model);
    this.repeatOf.push(repeat);
    if (this.size * 2 > this.#table.length) this.#rehash();
    else this.#place(this.#table, id);
    return id;
  }

  #place(table: Int32Array, id: number): void {
    const mask = table.length - 1;
    let slot = hash(this.caseOf.values[id]!, this.modelOf.values[id]!, this.repeatOf.values[id]!) & mask;
    while (table[slot] !== -1) slot = (slot + 1) & mask;
    table[slot] = id;
  }

  #rehash(): void {
    const table = new Int32Array(this.#table.length * 2).fill(-1);
    for (let id = 0; id < this.size; id++) this.#place(table, id);
    this.#table = table;
  }
}

/** The three numbers mixed (murmur3's finaliser), so sequential case numbers spread over the table. */
function hash(caseNo: number, model: number, repeat: number): number {
  return murmurMix(Math.imul(caseNo ^ Math.imul(model, 0x9e3779b1) ^ Math.imul(repeat, 0x85ebca77), 0xcc9e2d51));
}
