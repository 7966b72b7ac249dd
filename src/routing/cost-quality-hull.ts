export interface CostQualityPoint {
  costUsdPer1k: number;
  quality: number;
}

/**
 * RouterBench's non-decreasing convex hull: the upper hull of the points, monotone in cost. Any point
 * on a segment is reachable by mixing the two configurations at its ends at random, so the hull,
 * not the raw points, is what a router family can deliver.
 */
export function costQualityHull<T extends CostQualityPoint>(points: readonly T[]): T[] {
  const sorted = [...points].sort((a, b) => a.costUsdPer1k - b.costUsdPer1k || b.quality - a.quality);
  // Pareto front first: a dearer point that is not better is never worth choosing.
  const front: T[] = [];
  for (const p of sorted) if (front.length === 0 || p.quality > front[front.length - 1]!.quality) front.push(p);
  const hull: T[] = [];
  for (const p of front) {
    while (hull.length >= 2) {
      const a = hull[hull.length - 2]!;
      const b = hull[hull.length - 1]!;
      // b lies on or under the chord a→p: drop it.
      const cross = (b.costUsdPer1k - a.costUsdPer1k) * (p.quality - a.quality) - (b.quality - a.quality) * (p.costUsdPer1k - a.costUsdPer1k);
      if (cross >= 0) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

/**
 * AIQ (RouterBench): the mean quality of the hull over a cost range, i.e. the area under it divided by
 * the range. The hull is extended flat beyond its ends, so two curves are compared over the same range.
 */
export function averageImprovementInQuality(points: readonly CostQualityPoint[], range: {lo: number; hi: number}): number | null {
  const hull = costQualityHull(points);
  if (hull.length === 0) return null;
  const at = (c: number): number => {
    if (c <= hull[0]!.costUsdPer1k) return hull[0]!.quality;
    for (let i = 1; i < hull.length; i++) {
      const a = hull[i - 1]!;
      const b = hull[i]!;
      if (c <= b.costUsdPer1k) return a.quality + ((b.quality - a.quality) * (c - a.costUsdPer1k)) / (b.costUsdPer1k - a.costUsdPer1k);
    }
    return hull[hull.length - 1]!.quality;
  };
  if (!(range.hi > range.lo)) return at(range.lo);
  const xs = [range.lo, ...hull.map((p) => p.costUsdPer1k).filter((c) => c > range.lo && c < range.hi), range.hi];
  let area = 0;
  for (let i = 1; i < xs.length; i++) area += ((at(xs[i - 1]!) + at(xs[i]!)) / 2) * (xs[i]! - xs[i - 1]!);
  return area / (range.hi - range.lo);
}
