import {logGamma} from './student-t.ts';

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * Exact McNemar test on the discordant pairs of a paired pass/fail comparison: `b` cases only A
 * passed, `c` cases only B passed. Two-sided p = min(1, 2·P(X ≤ min(b, c))) with X ~ Bin(b + c, ½).
 * Exact, so it stays honest at the small counts evals produce.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}
