import {normalQuantile, studentTQuantile} from './student-t.ts';
import {wilsonInterval} from './wilson-interval.ts';

export interface CaseMeanInterval {
  /** Mean over cases of each case's value (its repeats averaged first). */
  estimate: number;
  ciLow: number;
  ciHigh: number;
  /** Cases: the unit of evidence. */
  n: number;
  /** Independent observations the cases are worth (Kish): n for pass/fail without variation inside a case. */
  nEffective: number;
  method: 'wilson' | 'wilson-design-effect';
}

/**
 * 95% interval for the mean of a metric in [0, 1] (a pass rate or a score) when the unit of evidence
 * is the case. `values` holds one entry per case: the mean over its repeats. When every case is all
 * pass or all fail (one repeat, or a deterministic model) this is the Wilson interval over cases, so
 * repeating a deterministic model never narrows it. Otherwise it is the Wilson score interval at the
 * effective sample size p̄(1 − p̄)/SE² (Kish's design effect, SE over cases), with a t quantile on
 * n − 1 degrees of freedom: it stays inside [0, 1], and for scores that vary inside a case it
 * reduces to p̄ ± t·SE as n grows. For pass rates, `trials` (graded results) caps the effective size:
 * repeats cannot be worth more than independent observations, and at the cap it is Wilson over trials.
 */
export function caseMeanInterval(values: ArrayLike<number>, opts: {trials?: number; alpha?: number} = {}): CaseMeanInterval | null {
  const alpha = opts.alpha ?? 0.05;
  const n = values.length;
  if (n === 0) return null;
  // Loops, not reduce: `values` may be a typed array (a summary's working array); the sums are the same, left to right from 0.
  let sum = 0;
  let binary = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    if (v !== 0 && v !== 1) binary = false;
  }
  const mean = sum / n;
  if (binary || n === 1) {
    const [lo, hi] = wilsonInterval(mean * n, n)!;
    return {estimate: mean, ciLow: lo, ciHigh: hi, n, nEffective: n, method: 'wilson'};
  }
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const se2 = ss / (n - 1) / n;
  // No spread between cases: the SE says nothing; treat each case as one pass/fail observation rather than claim certainty.
  const kish = se2 > 0 ? (mean * (1 - mean)) / se2 : n;
  const trials = Math.max(opts.trials ?? Number.POSITIVE_INFINITY, n);
  // Cases that vary no more than independent trials would are worth the trials: plain Wilson over
  // them (z). Otherwise the SE comes from n cases, so the quantile is t on n − 1 degrees of freedom.
  const nEffective = Math.min(trials, kish);
  const q = kish >= trials ? normalQuantile(1 - alpha / 2) : studentTQuantile(1 - alpha / 2, n - 1);
  const [lo, hi] = wilsonInterval(mean * nEffective, nEffective, q)!;
  return {estimate: mean, ciLow: lo, ciHigh: hi, n, nEffective, method: 'wilson-design-effect'};
}
