import {incompleteBeta, normalQuantile, studentTQuantile} from './student-t.ts';

export interface StratumUnits {
  stratum: string;
  /** Requests of this stratum in the traffic the sample was drawn from: its weight is population / Σ population. */
  population: number;
  /** Per-request differences (treatment − control) of the stratum's usable pairs. */
  differences: number[];
}

export interface StratifiedDifference {
  /** Σ_h W_h · mean_h: the difference the whole traffic would show, each stratum at its traffic share. */
  estimate: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
  /** Standard error: sqrt(Σ_h W_h² s_h² / n_h). */
  se: number;
  /** Welch–Satterthwaite degrees of freedom of the t interval. */
  df: number;
  /** Kish's effective sample size, (Σ w)² / Σ w²: what the unequal weights leave of n. */
  nEffective: number;
  /** Smallest true difference this design detects with 80% power at α = 0.05: (z_{1−α/2} + z_{power}) · se. */
  mde: number;
  strata: Array<{stratum: string; population: number; n: number; weight: number; difference: number | null}>;
  /** Strata with traffic but no usable pair: left out, and the others' weights renormalized. */
  missing: string[];
}

/**
 * The stratified estimator of a mean difference (Cochran 1977, Sampling Techniques, ch. 5): each
 * stratum's mean difference weighted by its share of the traffic, with variance Σ W_h² s_h² / n_h
 * (no finite-population correction: the traffic is itself a sample of future traffic) and a t
 * interval on Welch–Satterthwaite degrees of freedom. A stratum with one pair borrows the pooled
 * within-stratum variance; when every difference is equal the variance is floored as pairedTest
 * floors it, so the interval narrows with n instead of collapsing. `bounds` clamps the interval
 * (−1..1 for score differences).
 */
export function stratifiedDifference(strata: readonly StratumUnits[], opts: {alpha?: number; power?: number; bounds?: [number, number]} = {}): StratifiedDifference | null {
  const alpha = opts.alpha ?? 0.05;
  const present = strata.filter((s) => s.differences.length > 0 && s.population > 0);
  if (present.length === 0) return null;
  const total = present.reduce((sum, s) => sum + s.population, 0);
  const stats = present.map((s) => {
    const n = s.differences.length;
    const mean = s.differences.reduce((a, d) => a + d, 0) / n;
    const ss = s.differences.reduce((a, d) => a + (d - mean) ** 2, 0);
    return {s, n, mean, ss, weight: s.population / total};
  });
  const pooledDf = stats.reduce((a, x) => a + (x.n - 1), 0);
  const pooledVar = pooledDf > 0 ? stats.reduce((a, x) => a + x.ss, 0) / pooledDf : 0;
  const parts = stats.map((x) => ({...x, g: (x.weight ** 2 * (x.n > 1 ? x.ss / (x.n - 1) : pooledVar)) / x.n}));
  const estimate = parts.reduce((a, x) => a + x.weight * x.mean, 0);
  const nTotal = parts.reduce((a, x) => a + x.n, 0);
  let variance = parts.reduce((a, x) => a + x.g, 0);
  if (!(variance > 0)) variance = nTotal > 1 ? 1 / ((nTotal - 1) * nTotal) : 1;
  const se = Math.sqrt(variance);
  const satterthwaite = parts.filter((x) => x.n > 1 && x.g > 0).reduce((a, x) => a + x.g ** 2 / (x.n - 1), 0);
  const df = Math.max(1, satterthwaite > 0 ? variance ** 2 / satterthwaite : nTotal - 1);
  const t = estimate / se;
  const pValue = Math.min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5));
  const half = studentTQuantile(1 - alpha / 2, df) * se;
  const [lo, hi] = opts.bounds ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  // Per-request weights w_i = W_h / n_h for Kish's effective n.
  const sumW = parts.reduce((a, x) => a + x.weight, 0);
  const sumW2 = parts.reduce((a, x) => a + x.weight ** 2 / x.n, 0);
  return {
    estimate,
    ciLow: Math.max(lo, estimate - half),
    ciHigh: Math.min(hi, estimate + half),
    pValue,
    se,
    df,
    nEffective: sumW ** 2 / sumW2,
    mde: (normalQuantile(1 - alpha / 2) + normalQuantile(opts.power ?? 0.8)) * se,
    strata: strata.map((s) => {
      const p = parts.find((x) => x.s === s);
      return {stratum: s.stratum, population: s.population, n: s.differences.length, weight: p ? p.weight : 0, difference: p ? p.mean : null};
    }),
    missing: strata.filter((s) => !present.includes(s) && s.population > 0).map((s) => s.stratum),
  };
}
