import {costUsd} from '../runner/cost.ts';
import type {CaseOutcomes, ModelInfo, OutcomeSet} from './policy-types.ts';

/**
 * Cases × models as flat typed arrays (NaN = no outcome), so the generator's many cross-validation
 * passes are arithmetic over arrays rather than object lookups.
 */
export interface OutcomeMatrix {
  models: string[];
  cases: CaseOutcomes[];
  /** score[i * models.length + m] */
  score: Float64Array;
  costUsd: Float64Array;
  latencyMs: Float64Array;
  /** Per model: was any cost known? A model without one cannot be optimised for cost. */
  costKnown: boolean[];
  warnings: string[];
}

export function buildOutcomeMatrix(outcomes: OutcomeSet, models: readonly string[] = modelLabels(outcomes)): OutcomeMatrix {
  const M = models.length;
  const n = outcomes.cases.length;
  const score = new Float64Array(n * M).fill(Number.NaN);
  const costUsd = new Float64Array(n * M).fill(Number.NaN);
  const latencyMs = new Float64Array(n * M).fill(Number.NaN);
  const costKnown = models.map(() => false);
  outcomes.cases.forEach((c, i) => {
    models.forEach((label, m) => {
      const o = c.byModel[label];
      if (!o) return;
      if (o.score !== null) score[i * M + m] = o.score;
      const cost = o.costUsd ?? costFromPricing(outcomes.models[label], o.inputTokens, o.outputTokens);
      if (cost !== null) {
        costUsd[i * M + m] = cost;
        costKnown[m] = true;
      }
      if (o.latencyMs !== null) latencyMs[i * M + m] = o.latencyMs;
    });
  });
  const warnings = models.filter((_, m) => !costKnown[m]).map((label) => `model ${label} has no known cost (no pricing, no cost column): it is treated as the most expensive`);
  fillUnknownCosts(costUsd, n, M, costKnown);
  return {models: [...models], cases: outcomes.cases, score, costUsd, latencyMs, costKnown, warnings};
}

export function modelLabels(outcomes: OutcomeSet): string[] {
  const labels = new Set<string>();
  for (const c of outcomes.cases) for (const m of Object.keys(c.byModel)) labels.add(m);
  return [...labels].sort();
}

function costFromPricing(info: ModelInfo | undefined, inputTokens: number | null, outputTokens: number | null): number | null {
  return costUsd(info?.pricing ?? null, inputTokens, outputTokens);
}

/**
 * An unpriced model must not look free (it would win every cost comparison), so it is charged the
 * highest per-case cost seen on any priced model: it then wins only on quality.
 */
function fillUnknownCosts(costUsd: Float64Array, n: number, M: number, costKnown: readonly boolean[]): void {
  if (costKnown.every(Boolean) || !costKnown.some(Boolean)) {
    if (!costKnown.some(Boolean)) costUsd.fill(0);
    return;
  }
  let maxCost = 0;
  for (let i = 0; i < costUsd.length; i++) if (costUsd[i]! > maxCost) maxCost = costUsd[i]!;
  for (let i = 0; i < n; i++) for (let m = 0; m < M; m++) if (!costKnown[m]) costUsd[i * M + m] = maxCost;
}
