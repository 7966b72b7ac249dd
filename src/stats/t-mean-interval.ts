import {studentTQuantile} from './student-t.ts';

/**
 * 95% t interval for the mean of any measurement (methodology §2.1a: the CLT standard error with a
 * t quantile on n − 1 degrees of freedom), kept at or above `floor` (0 for costs). Null below 2 values.
 */
export function tMeanInterval(values: readonly number[], floor = Number.NEGATIVE_INFINITY): {mean: number; ciLow: number; ciHigh: number} | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
  return {mean, ciLow: Math.max(floor, mean - half), ciHigh: mean + half};
}
