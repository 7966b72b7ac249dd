/**
 * Which ids a pass over a dataset has seen, as 53-bit hashes in an open-addressing table of
 * doubles (16 bytes a case at most, against about 60 for a Set of the strings): a million ids take
 * 16 MB instead of 60. `add` says whether the hash was there already; two different ids share a hash
 * about once in 10^10 pairs, so a caller treats `true` as "maybe seen" and confirms it exactly.
 */
export class IdHashSet {
  private table = new Float64Array(1 << 12).fill(-1);
  private count = 0;

  /** Adds the id's hash; true when it was there already (the id was probably seen). */
  add(id: string): boolean {
    if ((this.count + 1) * 2 > this.table.length) this.grow();
    const found = insert(this.table, hash53(id));
    if (!found) this.count++;
    return found;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2).fill(-1);
    for (const h of old) if (h >= 0) insert(this.table, h);
  }
}

/** Inserts `h` (linear probing); true when it was there. */
function insert(table: Float64Array, h: number): boolean {
  const mask = table.length - 1;
  for (let i = h % table.length; ; i = (i + 1) & mask) {
    const at = table[i]!;
    if (at === h) return true;
    if (at < 0) {
      table[i] = h;
      return false;
    }
  }
}

/** Two 32-bit FNV-1a hashes of the UTF-16 code units (different offsets), joined into 53 bits. */
export function hash53(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}
