/**
 * Mean and standard error of scores clustered by case: repeats of a case are not independent, so
 * they are averaged per case first and the SE is taken over cases (n = number of cases).
 */
export function clusteredMean(scores: ReadonlyArray<{cluster: string; score: number}>): {mean: number; se: number | null; clusters: number} | null {
  if (scores.length === 0) return null;
  const sums = new Map<string, {sum: number; n: number}>();
  for (const {cluster, score} of scores) {
    const s = sums.get(cluster) ?? {sum: 0, n: 0};
    s.sum += score;
    s.n++;
    sums.set(cluster, s);
  }
  return clusteredMeanOfMeans([...sums.values()].map((s) => s.sum / s.n));
}

/** The same from each cluster's mean (in order of first appearance); null when there are none. */
export function clusteredMeanOfMeans(means: readonly number[]): {mean: number; se: number | null; clusters: number} | null {
  const k = means.length;
  if (k === 0) return null;
  const mean = means.reduce((a, b) => a + b, 0) / k;
  if (k < 2) return {mean, se: null, clusters: k};
  const variance = means.reduce((a, m) => a + (m - mean) ** 2, 0) / (k - 1);
  return {mean, se: Math.sqrt(variance / k), clusters: k};
}
