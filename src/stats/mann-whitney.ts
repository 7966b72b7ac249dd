import {normalCdf} from './normal-cdf.ts';

/**
 * Two-sided Mann–Whitney U test (normal approximation with tie correction and continuity correction):
 * do `x` and `y` come from the same distribution, or does one tend to be larger? Returns p and the
 * probability that a value of `x` exceeds one of `y` (ties half). Needs a few values on each side;
 * with fewer than 4 on either side it returns p = 1 rather than a verdict it cannot back.
 */
export function mannWhitney(x: readonly number[], y: readonly number[]): {pValue: number; probXGreater: number} {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 < 4 || n2 < 4) return {pValue: 1, probXGreater: 0.5};
  const all = [...x.map((v) => ({v, g: 0})), ...y.map((v) => ({v, g: 1}))].sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const t = j - i + 1;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  let r1 = 0;
  all.forEach((item, i) => {
    if (item.g === 0) r1 += ranks[i]!;
  });
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return {pValue: 1, probXGreater: u1 / (n1 * n2)};
  const z = (Math.abs(u1 - mean) - 0.5) / Math.sqrt(variance);
  return {pValue: Math.min(1, 2 * (1 - normalCdf(Math.max(0, z)))), probXGreater: u1 / (n1 * n2)};
}
