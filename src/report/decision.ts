import type {Summary} from '../runner/summarize.ts';
import {paretoFrontier} from './pareto-frontier.ts';

export interface FrontierPoint {
  label: string;
  costPer1kUsd: number;
  quality: number;
}

export interface Decision {
  /** The cheapest model that does the job, or null when no model is both priced and graded. */
  recommended: string | null;
  /** Why, in a sentence: against which target, with what evidence. */
  reason: string;
  /** The highest-quality model. */
  best: string | null;
  /** Cost–quality trade-offs worth paying for, cheapest first. */
  frontier: FrontierPoint[];
  /** What quality is: pass rate, or mean score where nothing has a pass/fail. */
  qualityMetric: 'pass rate' | 'mean score';
  modelCostUsd: number | null;
  judgeCostUsd: number | null;
  totalCostUsd: number | null;
  /** Models with results whose cost is unknown (no price): the totals leave them out. */
  unpriced: string[];
}

type Stats = Summary['models'][string];
const SMALL_SAMPLE = 30;

function quality(s: Stats, metric: Decision['qualityMetric']): number | null {
  return metric === 'pass rate' ? s.passRate : s.meanScore;
}

/** Score difference (candidate − best) on their shared cases, from the run's paired comparisons. */
function pairedAgainst(summary: Summary, candidate: string, best: string): {diff: number; low: number; high: number; n: number} | null {
  for (const c of summary.comparisons) {
    if (c.a === best && c.b === candidate) return {diff: c.meanDiff, low: c.ciLow, high: c.ciHigh, n: c.n};
    if (c.a === candidate && c.b === best) return {diff: -c.meanDiff, low: -c.ciHigh, high: -c.ciLow, n: c.n};
  }
  return null;
}

/** The gate's quality bar, when it set one for every model (a global minimum pass rate or score). */
function gateTarget(summary: Summary, metric: Decision['qualityMetric']): number | null {
  const wanted = metric === 'pass rate' ? /pass/i : /score/i;
  const checks = summary.gate?.checks.filter((c) => c.model === null && wanted.test(c.metric)) ?? [];
  return checks.length ? Math.max(...checks.map((c) => c.threshold)) : null;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/**
 * The answer to "which model for the money": with a gate, the cheapest model that meets its bar and
 * passes its checks; without one, the cheapest model not clearly worse than the best (the paired 95%
 * interval of its score difference on shared cases reaches 0). The sentence says which and how sure.
 */
export function decide(summary: Summary): Decision {
  const entries = Object.entries(summary.models);
  const metric: Decision['qualityMetric'] = entries.some(([, s]) => s.passRate !== null) ? 'pass rate' : 'mean score';
  const graded = entries.filter(([, s]) => quality(s, metric) !== null);
  const priced = graded.filter(([, s]) => s.costPer1kUsd !== null);
  const frontierLabels = paretoFrontier(priced.map(([label, s]) => ({label, cost: s.costPer1kUsd!, quality: quality(s, metric)!})));
  const byLabel = new Map(entries);
  const frontier = frontierLabels.map((label) => ({label, costPer1kUsd: byLabel.get(label)!.costPer1kUsd!, quality: quality(byLabel.get(label)!, metric)!}));
  const best = graded.sort(([la, a], [lb, b]) => quality(b, metric)! - quality(a, metric)! || la.localeCompare(lb))[0]?.[0] ?? null;

  const sum = (pick: (s: Stats) => number | null) => entries.reduce<number | null>((acc, [, s]) => (pick(s) === null ? acc : (acc ?? 0) + pick(s)!), null);
  const modelCostUsd = sum((s) => s.costUsd);
  const judgeCostUsd = sum((s) => s.judgeCostUsd);
  const totals = {
    modelCostUsd,
    judgeCostUsd,
    totalCostUsd: modelCostUsd === null && judgeCostUsd === null ? null : (modelCostUsd ?? 0) + (judgeCostUsd ?? 0),
    unpriced: entries.filter(([, s]) => s.costUsd === null && s.n > 0).map(([label]) => label),
  };
  const base = {best, frontier, qualityMetric: metric, ...totals};
  if (!best || frontier.length === 0) {
    return {...base, recommended: null, reason: 'No model has both a known price and a graded result, so none can be recommended for the money.'};
  }

  const cheapestFirst = [...frontier];
  const target = gateTarget(summary, metric);
  if (target !== null) {
    const failedModels = new Set(summary.gate!.checks.filter((c) => !c.pass && c.model !== null).map((c) => c.model));
    const meets = cheapestFirst.find((p) => p.quality >= target && !failedModels.has(p.label));
    if (!meets) return {...base, recommended: null, reason: `No model meets the gate's ${metric} of ${pct(target)}.`};
    return {...base, recommended: meets.label, reason: `${meets.label} is the cheapest model that meets the gate's ${metric} of ${pct(target)} (${pct(meets.quality)}).`};
  }

  const bestStats = byLabel.get(best)!;
  for (const p of cheapestFirst) {
    if (p.label === best) break;
    const paired = pairedAgainst(summary, p.label, best);
    if (!paired || paired.high < 0) continue;
    const small = paired.n < SMALL_SAMPLE ? ` Small sample (${paired.n} cases): run more cases before switching.` : '';
    const times = bestStats.costPer1kUsd && p.costPer1kUsd > 0 ? ` at ${(bestStats.costPer1kUsd / p.costPer1kUsd).toFixed(1)}× less cost` : '';
    return {
      ...base,
      recommended: p.label,
      reason: `${p.label} is the cheapest model not clearly worse than the best, ${best}: its score differs by ${(paired.diff * 100).toFixed(1)} points (95% CI ${(paired.low * 100).toFixed(1)} to ${(paired.high * 100).toFixed(1)}) on ${paired.n} shared cases${times}.${small}`,
    };
  }
  const n = bestStats.n;
  return {
    ...base,
    recommended: best,
    reason: `${best} has the best ${metric} (${pct(quality(bestStats, metric)!)}) and every cheaper model is clearly worse on the shared cases.${n < SMALL_SAMPLE ? ` Small sample (${n} results).` : ''}`,
  };
}
