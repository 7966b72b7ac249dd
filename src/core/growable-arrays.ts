/**
 * Growable typed arrays: one number per result, request or line without an object or a boxed number
 * each. A million entries take 4 MB as Int32s, 8 MB as Float64s, and 1 MB as SmallInts while their
 * values stay under 256.
 */

/** A growable Int32Array. */
export class Int32s {
  values: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.values = new Int32Array(capacity);
  }

  push(value: number): number {
    if (this.length === this.values.length) this.#grow(this.length * 2);
    this.values[this.length] = value;
    return this.length++;
  }

  /** Sets index `i` (growing, and filling the gap with `fill`). */
  set(i: number, value: number, fill = -1): void {
    if (i >= this.values.length) this.#grow(Math.max(i + 1, this.values.length * 2));
    if (i >= this.length) {
      this.values.fill(fill, this.length, i);
      this.length = i + 1;
    }
    this.values[i] = value;
  }

  get(i: number, missing = -1): number {
    return i < this.length ? this.values[i]! : missing;
  }

  #grow(capacity: number): void {
    const grown = new Int32Array(capacity);
    grown.set(this.values.subarray(0, this.length));
    this.values = grown;
  }
}

/** A growable Float64Array; `set` past the end fills the gap with 0, so a column set only on some rows stays small until its first value. */
export class Float64s {
  values: Float64Array;
  length = 0;

  constructor(capacity = 16) {
    this.values = new Float64Array(capacity);
  }

  push(value: number): number {
    if (this.length === this.values.length) this.#grow(this.length * 2);
    this.values[this.length] = value;
    return this.length++;
  }

  set(i: number, value: number): void {
    if (i >= this.values.length) this.#grow(Math.max(i + 1, this.values.length * 2));
    if (i >= this.length) this.length = i + 1;
    this.values[i] = value;
  }

  /** Index `i`, 0 past the values set. */
  get(i: number): number {
    return i < this.length ? this.values[i]! : 0;
  }

  #grow(capacity: number): void {
    const grown = new Float64Array(capacity);
    grown.set(this.values.subarray(0, this.length));
    this.values = grown;
  }
}

type UintArray = Uint8Array | Uint16Array | Uint32Array;

/**
 * Growable unsigned integers in the narrowest width their values need: bytes until a value reaches
 * 256, then 16 bits, then 32 (a model's number, a repeat, a list's number: almost always small).
 */
export class SmallInts {
  values: UintArray = new Uint8Array(1024);
  length = 0;
  #max = 0xff;

  push(value: number): number {
    if (value > this.#max || value >>> 0 !== value) this.#widen(value);
    if (this.length === this.values.length) this.values = this.#copy(this.values.length * 2, this.values);
    this.values[this.length] = value;
    return this.length++;
  }

  set(i: number, value: number): void {
    if (value > this.#max || value >>> 0 !== value) this.#widen(value);
    if (i >= this.values.length) this.values = this.#copy(Math.max(i + 1, this.values.length * 2), this.values);
    if (i >= this.length) this.length = i + 1;
    this.values[i] = value;
  }

  #widen(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`SmallInts holds unsigned 32-bit integers, not ${value}`);
    const wider = value > 0xffff ? Uint32Array : Uint16Array;
    this.#max = value > 0xffff ? 0xffffffff : 0xffff;
    const grown = new wider(this.values.length);
    grown.set(this.values.subarray(0, this.length));
    this.values = grown;
  }

  #copy(capacity: number, from: UintArray): UintArray {
    const grown = new (from.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor)(capacity);
    grown.set(from.subarray(0, this.length));
    return grown;
  }
}
