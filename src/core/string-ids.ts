import {Int32s, SmallInts} from './growable-arrays.ts';
import {murmurMix} from './murmur-mix.ts';

/**
 * Dense numbers (0, 1, 2, … in order of first appearance) for keys made of a small namespace number
 * and a string (a suite's number and a case id), exact, without a JS string or Map entry per key:
 * the keys' UTF-8 bytes sit in one buffer, with their offsets and an open-addressing table of
 * numbers in typed arrays. About 13 bytes plus the key's length per key (a million case ids of 7
 * characters: ~20 MB, against ~60 MB for a Map of strings).
 */
export class StringIds {
  #bytes = Buffer.allocUnsafe(1 << 16);
  #used = 0;
  /** Per id: where its bytes start (they end where the next id's start). */
  readonly #start = new Int32s();
  readonly #namespace = new SmallInts();
  #table = new Int32Array(1 << 10).fill(-1);
  #scratch = Buffer.allocUnsafe(256);
  /** The length of the key #slotOf last wrote into #scratch. */
  #keyLength = 0;
  /** Keys with a lone surrogate, which UTF-8 cannot tell apart (each becomes U+FFFD): kept as strings, never in the table. */
  readonly #illFormed = new Map<string, number>();
  size = 0;

  /** The number of (namespace, key), given the next one when the pair is new. */
  id(namespace: number, key: string): number {
    if (!key.isWellFormed()) return this.#illFormedId(namespace, key);
    const slot = this.#slotOf(namespace, key);
    const id = this.#table[slot]!;
    if (id !== -1) return id;
    this.#table[slot] = this.#add(namespace, this.#scratch, this.#keyLength);
    if (this.size * 2 > this.#table.length) this.#rehash();
    return this.size - 1;
  }

  /** The number of (namespace, key), or -1 when it has none (nothing is added). */
  find(namespace: number, key: string): number {
    if (!key.isWellFormed()) return this.#illFormed.get(`${namespace}\u0000${key}`) ?? -1;
    return this.#table[this.#slotOf(namespace, key)]!;
  }

  /** The key's UTF-8 bytes into the scratch buffer, and the slot that holds its id, or the empty one where it would go. */
  #slotOf(namespace: number, key: string): number {
    if (key.length * 3 > this.#scratch.length) this.#scratch = Buffer.allocUnsafe(key.length * 3);
    const scratch = this.#scratch;
    const length = (this.#keyLength = scratch.write(key, 0, 'utf8'));
    const mask = this.#table.length - 1;
    for (let slot = hashBytes(scratch, 0, length, namespace) & mask; ; slot = (slot + 1) & mask) {
      const id = this.#table[slot]!;
      if (id === -1 || (this.#namespace.values[id] === namespace && this.#equals(id, scratch, length))) return slot;
    }
  }

  #illFormedId(namespace: number, key: string): number {
    const name = `${namespace}\u0000${key}`;
    let id = this.#illFormed.get(name);
    if (id === undefined) {
      this.#start.push(this.#used);
      this.#namespace.push(namespace);
      this.#illFormed.set(name, (id = this.size++));
    }
    return id;
  }

  #end(id: number): number {
    return id + 1 < this.size ? this.#start.values[id + 1]! : this.#used;
  }

  #equals(id: number, key: Buffer, length: number): boolean {
    const start = this.#start.values[id]!;
    if (this.#end(id) - start !== length) return false;
    const bytes = this.#bytes;
    for (let i = 0; i < length; i++) if (bytes[start + i] !== key[i]) return false;
    return true;
  }

  #add(namespace: number, key: Buffer, length: number): number {
    if (this.#used + length > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#used + length));
      this.#bytes.copy(grown, 0, 0, this.#used);
      this.#bytes = grown;
    }
    key.copy(this.#bytes, this.#used, 0, length);
    this.#start.push(this.#used);
    this.#namespace.push(namespace);
    this.#used += length;
    return this.size++;
  }

  #rehash(): void {
    const table = new Int32Array(this.#table.length * 2).fill(-1);
    const mask = table.length - 1;
    const illFormed = new Set(this.#illFormed.values());
    for (let id = 0; id < this.size; id++) {
      if (illFormed.has(id)) continue;
      let slot = hashBytes(this.#bytes, this.#start.values[id]!, this.#end(id), this.#namespace.values[id]!) & mask;
      while (table[slot] !== -1) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.#table = table;
  }
}

/** FNV-1a over the bytes, seeded with the namespace, then murmur3's finaliser (sequential ids like c1, c2 … spread over the table). */
function hashBytes(bytes: Uint8Array, start: number, end: number, namespace: number): number {
  let h = Math.imul(0x811c9dc5 ^ namespace, 0x01000193);
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return murmurMix(h);
}
