import {pairedTest, type PairedTestName} from './paired-test.ts';

export interface PairedUnit {
  /** Per-unit (case) score of A and B, each averaged over repeats first. */
  a: number;
  b: number;
}

export interface PairedComparison {
  n: number;
  test: PairedTestName;
  /** Mean of B − A over the shared cases. */
  meanDiff: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
  /** Smallest true difference this n detects with 80% power at α = 0.05 (two-sided). */
  mde: number | null;
  /** Discordant cases and the same test's p-value, when the differences are pass/fail (−1, 0, +1). */
  mcnemar: {onlyA: number; onlyB: number; pValue: number} | null;
}

/** pairedTest in the older shape some callers read (meanDiff, mcnemar); same numbers, one test. */
export function pairedComparison(units: readonly PairedUnit[], alpha = 0.05, power = 0.8): PairedComparison | null {
  const t = pairedTest(units, alpha, power);
  if (!t) return null;
  return {
    n: t.n,
    test: t.test,
    meanDiff: t.estimate,
    ciLow: t.ciLow,
    ciHigh: t.ciHigh,
    pValue: t.pValue,
    mde: t.mde,
    mcnemar: t.test === 'mcnemar-score' ? {onlyA: t.onlyA, onlyB: t.onlyB, pValue: t.pValue} : null,
  };
}
