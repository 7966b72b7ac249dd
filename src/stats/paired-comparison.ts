import {mcnemarExact} from './mcnemar.ts';
import {normalQuantile, studentTQuantile} from './student-t.ts';

export interface PairedUnit {
  /** Per-unit (case) score of A and B, each averaged over repeats first. */
  a: number;
  b: number;
  /** Per-unit pass of A and B (majority over repeats), where graded. */
  passA?: boolean;
  passB?: boolean;
}

export interface PairedComparison {
  n: number;
  /** Mean of B − A over the shared cases. */
  meanDiff: number;
  ciLow: number;
  ciHigh: number;
  /** Smallest true difference this n detects with 80% power at α = 0.05 (two-sided). */
  mde: number | null;
  mcnemar: {onlyA: number; onlyB: number; pValue: number} | null;
}

/**
 * Paired difference B − A over the same cases: mean with a t-based 95% CI (the CLT on per-case
 * differences, with t rather than z so small suites are not overconfident), the MDE at this n,
 * and exact McNemar on pass/fail.
 */
export function pairedComparison(units: readonly PairedUnit[], alpha = 0.05, power = 0.8): PairedComparison | null {
  const n = units.length;
  if (n === 0) return null;
  const diffs = units.map((u) => u.b - u.a);
  const mean = diffs.reduce((s, d) => s + d, 0) / n;
  const sd = n > 1 ? Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / (n - 1)) : 0;
  const se = sd / Math.sqrt(n);
  const t = n > 1 ? studentTQuantile(1 - alpha / 2, n - 1) : Number.POSITIVE_INFINITY;
  const half = n > 1 ? t * se : Number.POSITIVE_INFINITY;
  const graded = units.filter((u) => u.passA !== undefined && u.passB !== undefined);
  const onlyA = graded.filter((u) => u.passA && !u.passB).length;
  const onlyB = graded.filter((u) => !u.passA && u.passB).length;
  return {
    n,
    meanDiff: mean,
    ciLow: mean - half,
    ciHigh: mean + half,
    mde: n > 1 ? (normalQuantile(1 - alpha / 2) + normalQuantile(power)) * (sd / Math.sqrt(n)) : null,
    mcnemar: graded.length > 0 ? {onlyA, onlyB, pValue: mcnemarExact(onlyA, onlyB)} : null,
  };
}
