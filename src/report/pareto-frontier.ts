export interface CostQualityPoint {
  label: string;
  /** Lower is better. */
  cost: number;
  /** Higher is better. */
  quality: number;
}

/**
 * Labels of the points no other point beats on both axes (cheaper or as cheap, and better or as
 * good, strictly better on one). Sorted by cost: the cost-versus-quality trade-offs worth paying for.
 */
export function paretoFrontier(points: readonly CostQualityPoint[]): string[] {
  const sorted = [...points].sort((a, b) => a.cost - b.cost || b.quality - a.quality);
  const frontier: string[] = [];
  let best = Number.NEGATIVE_INFINITY;
  for (const p of sorted) {
    if (p.quality > best) {
      frontier.push(p.label);
      best = p.quality;
    }
  }
  return frontier;
}
