/**
 * murmur3's 32-bit finaliser: spreads the bits of a hash (or of sequential numbers: case ids c1,
 * c2 …, case numbers) over all 32, for open-addressing tables and feature buckets. Unsigned.
 */
export function murmurMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
