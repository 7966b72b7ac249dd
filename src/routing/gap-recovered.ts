import {averageImprovementInQuality, costQualityHull} from './cost-quality-hull.ts';

export interface GapPoint {
  costUsdPer1k: number;
  quality: number;
}

/** RouteLLM's metrics for one router's curve between a weak (cheap) and a strong model. */
export interface GapRecovered {
  strong: string;
  weak: string;
  /** Area under performance-gap-recovered vs normalised cost, on the curve's hull: random mixing scores 0.5. */
  apgr: number;
  /** Least normalised cost (0 = weak alone, 1 = strong alone) that recovers 50% / 80% of the gap; null when never reached. */
  cpt50: number | null;
  cpt80: number | null;
  /** Points of the curve as (normalised cost, PGR). */
  points: {cost: number; pgr: number}[];
}

/**
 * RouteLLM's APGR and CPT(x%) on a cost axis normalised between the weak and the strong model (with
 * two models and fixed per-call prices this is the share of strong calls RouteLLM uses; with more
 * models or per-call costs it is the cost share). PGR = (quality − weak) / (strong − weak). The
 * curve is taken on its non-decreasing hull, with the weak and strong models as its ends, since
 * every router can serve either alone. Null when the strong model is not both better and dearer.
 */
export function gapRecovered(points: readonly GapPoint[], strong: {model: string} & GapPoint, weak: {model: string} & GapPoint): GapRecovered | null {
  const dq = strong.quality - weak.quality;
  const dc = strong.costUsdPer1k - weak.costUsdPer1k;
  if (!(dq > 0 && dc > 0)) return null;
  const norm = [weak, strong, ...points].map((p) => ({costUsdPer1k: (p.costUsdPer1k - weak.costUsdPer1k) / dc, quality: (p.quality - weak.quality) / dq}));
  const apgr = averageImprovementInQuality(norm, {lo: 0, hi: 1})!;
  const hull = costQualityHull(norm);
  const cpt = (x: number): number | null => {
    for (let i = 0; i < hull.length; i++) {
      const b = hull[i]!;
      if (b.quality < x) continue;
      if (i === 0) return Math.max(0, b.costUsdPer1k);
      const a = hull[i - 1]!;
      return Math.max(0, a.costUsdPer1k + ((x - a.quality) / (b.quality - a.quality)) * (b.costUsdPer1k - a.costUsdPer1k));
    }
    return null;
  };
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  const c50 = cpt(0.5);
  const c80 = cpt(0.8);
  return {
    strong: strong.model,
    weak: weak.model,
    apgr: r4(apgr),
    cpt50: c50 === null ? null : r4(c50),
    cpt80: c80 === null ? null : r4(c80),
    points: norm.slice(2).map((p) => ({cost: r4(p.costUsdPer1k), pgr: r4(p.quality)})).sort((a, b) => a.cost - b.cost),
  };
}
