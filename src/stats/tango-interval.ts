import {normalQuantile} from './student-t.ts';
import {normalTwoSidedP} from './normal-cdf.ts';

export interface ScoreTest {
  /** B − A: (onlyB − onlyA) / n. */
  estimate: number;
  ciLow: number;
  ciHigh: number;
  /** The score statistic at a difference of 0: McNemar's z, (onlyB − onlyA)/√(onlyA + onlyB). */
  z: number;
  pValue: number;
}

/**
 * Tango's score statistic for a paired difference δ = p_B − p_A, with the nuisance parameter at its
 * maximum likelihood under δ (Tango 1998). At δ = 0 it is McNemar's statistic, so the interval
 * {δ : |T(δ)| ≤ z} and McNemar's p-value are one test read two ways and always agree.
 */
function tangoStatistic(onlyA: number, onlyB: number, n: number, delta: number): number {
  const a = 2 * n;
  const b = -onlyB - onlyA + (2 * n - onlyB + onlyA) * delta;
  const c = -onlyA * delta * (1 - delta);
  const p = (Math.sqrt(Math.max(0, b * b - 4 * a * c)) - b) / (2 * a);
  const variance = n * (2 * p + delta * (1 - delta));
  const num = onlyB - onlyA - n * delta;
  if (variance <= 0) return num === 0 ? 0 : num > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return num / Math.sqrt(variance);
}

/**
 * Paired pass/fail: `onlyA` cases only A passed, `onlyB` only B passed, out of `n` paired cases.
 * The score interval stays inside [−1, 1], never has zero width, and has near-nominal coverage at
 * small n (Fagerland, Lydersen & Laake 2014 recommend it for paired proportions).
 */
export function tangoScoreTest(onlyA: number, onlyB: number, n: number, alpha = 0.05): ScoreTest {
  if (n <= 0 || onlyA + onlyB > n) throw new RangeError('need 0 ≤ onlyA + onlyB ≤ n and n > 0');
  const z = normalQuantile(1 - alpha / 2);
  const estimate = (onlyB - onlyA) / n;
  // T is decreasing in δ: the bounds are where it crosses +z and −z.
  const solve = (target: number, lo: number, hi: number) => {
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (tangoStatistic(onlyA, onlyB, n, mid) > target) lo = mid;
      else hi = mid;
      if (hi - lo < 1e-15) break;
    }
    return (lo + hi) / 2;
  };
  const ciLow = estimate <= -1 ? -1 : solve(z, -1, estimate);
  const ciHigh = estimate >= 1 ? 1 : solve(-z, estimate, 1);
  const z0 = onlyA + onlyB === 0 ? 0 : (onlyB - onlyA) / Math.sqrt(onlyA + onlyB);
  return {estimate, ciLow, ciHigh, z: z0, pValue: normalTwoSidedP(z0)};
}
