import {incompleteBeta, normalQuantile, studentTQuantile} from './student-t.ts';
import {tangoScoreTest} from './tango-interval.ts';

/** Below this many paired cases a comparison is shown as "too few" and never called significant. */
export const MIN_PAIRED_CASES = 10;

export type PairedTestName = 'mcnemar-score' | 'paired-t';

export interface PairedTest {
  /** `mcnemar-score`: every per-case difference is −1, 0 or +1 (pass/fail, pairwise wins); `paired-t` otherwise. */
  test: PairedTestName;
  /** Cases (the unit of evidence; repeats are averaged per case first). */
  n: number;
  /** Mean of B − A over the cases. */
  estimate: number;
  /** 95% interval of the same test: it excludes 0 exactly when pValue < α. Inside [−1, 1]. */
  ciLow: number;
  ciHigh: number;
  pValue: number;
  /** Standard deviation of the per-case differences (floored when they are all equal; see pairedTest). */
  sdDiff: number | null;
  /** Smallest true difference this n detects with 80% power at α = 0.05 (two-sided). */
  mde: number | null;
  /** Cases where only A / only B was ahead (pass/fail: the discordant pairs). */
  onlyA: number;
  onlyB: number;
  tooFew: boolean;
}

export interface PairedUnitValues {
  /** A's and B's value on one case, each in [0, 1] and averaged over that case's repeats. */
  a: number;
  b: number;
}

/**
 * One paired comparison, one test: the interval and the p-value come from the same statistic on the
 * same metric. Differences that are all −1, 0 or +1 (pass/fail, judged wins) use the score test
 * (McNemar's statistic) and Tango's interval, which inverts it; anything else uses the paired t on
 * per-case differences. When every difference is equal the sample SD is 0 and a t interval would
 * have zero width at any n; the SD is then taken as if one case sat half the range (1 point) away,
 * so the interval shrinks like 1/n instead of vanishing.
 */
export function pairedTest(units: readonly PairedUnitValues[], alpha = 0.05, power = 0.8): PairedTest | null {
  const n = units.length;
  if (n === 0) return null;
  const diffs = units.map((u) => u.b - u.a);
  const estimate = diffs.reduce((s, d) => s + d, 0) / n;
  const onlyA = diffs.filter((d) => d < 0).length;
  const onlyB = diffs.filter((d) => d > 0).length;
  const ss = diffs.reduce((s, d) => s + (d - estimate) ** 2, 0);
  const sdDiff = n > 1 ? Math.sqrt((ss > 0 ? ss : 1) / (n - 1)) : null;
  const zPower = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  const mde = sdDiff === null ? null : Math.min(1, (zPower * sdDiff) / Math.sqrt(n));
  const base = {n, onlyA, onlyB, sdDiff, mde, tooFew: n < MIN_PAIRED_CASES};
  if (diffs.every((d) => d === 0 || d === 1 || d === -1)) {
    const s = tangoScoreTest(onlyA, onlyB, n, alpha);
    return {...base, test: 'mcnemar-score', estimate: s.estimate, ciLow: s.ciLow, ciHigh: s.ciHigh, pValue: s.pValue};
  }
  if (n === 1) return {...base, test: 'paired-t', estimate, ciLow: -1, ciHigh: 1, pValue: 1};
  const se = sdDiff! / Math.sqrt(n);
  const t = estimate / se;
  const df = n - 1;
  // Two-sided tail of Student's t straight from the incomplete beta (no 1 − CDF cancellation).
  const pValue = Math.min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5));
  const half = studentTQuantile(1 - alpha / 2, df) * se;
  return {...base, test: 'paired-t', estimate, ciLow: Math.max(-1, estimate - half), ciHigh: Math.min(1, estimate + half), pValue};
}

/** Requests (cases) needed to detect `effect` with the given power, from this comparison's SD of differences. */
export function casesForEffect(sdDiff: number | null, effect: number, alpha = 0.05, power = 0.8): number | null {
  if (sdDiff === null || !(effect > 0)) return null;
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return Math.ceil(((z * sdDiff) / effect) ** 2);
}
