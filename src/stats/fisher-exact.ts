import {logGamma} from './student-t.ts';

const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/**
 * Two-sided Fisher exact test of a 2×2 table: `a` of `n1` against `b` of `n2` (e.g. failures now
 * against failures in the baseline). The p-value sums every table with the same margins that is no
 * more likely than the one seen. Exact, so a monitor's small samples are not overconfident.
 */
export function fisherExact(a: number, n1: number, b: number, n2: number): number {
  const k = a + b;
  const n = n1 + n2;
  if (n1 === 0 || n2 === 0 || k === 0 || k === n) return 1;
  const logP = (x: number) => logChoose(n1, x) + logChoose(n2, k - x) - logChoose(n, k);
  const seen = logP(a);
  let p = 0;
  for (let x = Math.max(0, k - n2); x <= Math.min(k, n1); x++) {
    const lp = logP(x);
    // A relative tolerance so tables as likely as the one seen are counted despite rounding.
    if (lp <= seen + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}
