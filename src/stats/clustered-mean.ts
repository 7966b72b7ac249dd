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
export function clusteredMeanOfMeans(means: ArrayLike<number>): {mean: number; se: number | null; clusters: number} | null {
  const k = means.length;
  if (k === 0) return null;
  // Loops, not reduce: `means` may be a typed array; the same sums, left to right from 0.
  let sum = 0;
  for (let i = 0; i < k; i++) sum += means[i]!;
  const mean = sum / k;
  if (k < 2) return {mean, se: null, clusters: k};
  let ss = 0;
  for (let i = 0; i < k; i++) ss += (means[i]! - mean) ** 2;
  const variance = ss / (k - 1);
  return {mean, se: Math.sqrt(variance / k), clusters: k};
}
