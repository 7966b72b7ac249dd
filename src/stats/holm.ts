/**
 * Holm's step-down adjustment (Holm 1979): controls the family-wise error rate across all the
 * p-values given, uniformly more powerful than Bonferroni. Adjusted values are monotone in the raw
 * ones and never above 1; "significant" means adjusted p < α. Input order is kept.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({p, i})).sort((x, y) => x.p - y.p);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({p, i}, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
