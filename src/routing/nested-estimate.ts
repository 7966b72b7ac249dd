import {caseMeanInterval} from '../stats/case-mean-interval.ts';
import {tMeanInterval} from '../stats/t-mean-interval.ts';
import {assignFolds} from './cross-validate-routes.ts';
import type {OutcomeSet, RoutingPolicy} from './policy-types.ts';
import {replayPolicy} from './replay-policy.ts';

/** What a policy made by the whole generator is worth on cases it never saw, with 95% intervals. */
export interface NestedEstimate {
  quality: number;
  qualityCi95: [number, number];
  /** Null when no served case has a known cost. */
  costUsdPer1k: number | null;
  costUsdPer1kCi95: [number, number] | null;
  /** Cases served in the held-out folds. */
  n: number;
}

/**
 * Nested cross-validation: each outer fold is held out while `fit` (the whole generator: segments,
 * rules, μ, the mix, its own inner cross-validation) runs on the rest, and the policy it returns
 * serves the held-out cases. Selection never sees the cases that score it, so the estimate can miss
 * the target, as a new sample would. The per-case values are one draw of the policy's served quality
 * each; the interval is the case-level one the run summary uses (methodology §2.1a, §2.2: Wilson at
 * the effective sample size, t quantile), the cost's a t interval over cases.
 * Null when a training part is too small for the generator.
 */
export function nestedEstimate(outcomes: OutcomeSet, folds: number, seed: number, fit: (training: OutcomeSet) => RoutingPolicy): NestedEstimate | null {
  const fold = assignFolds(outcomes.cases.map((c) => c.caseId), folds, seed + 7919);
  const quality: number[] = [];
  const cost: number[] = [];
  for (let f = 0; f < folds; f++) {
    const training = {...outcomes, cases: outcomes.cases.filter((_, i) => fold[i] !== f), warnings: []};
    const heldOut = {...outcomes, cases: outcomes.cases.filter((_, i) => fold[i] === f)};
    if (training.cases.length < 4 || heldOut.cases.length === 0) return null;
    for (const s of replayPolicy(fit(training), heldOut).served) {
      if (!s) continue;
      quality.push(s.outcome.score!);
      if (s.costUsd !== null) cost.push(s.costUsd);
    }
  }
  const q = caseMeanInterval(quality);
  if (!q) return null;
  return {quality: q.estimate, qualityCi95: [q.ciLow, q.ciHigh], ...costInterval(cost), n: quality.length};
}

/** Mean cost per 1k requests with a t interval over cases (never below 0). */
function costInterval(costs: readonly number[]): Pick<NestedEstimate, 'costUsdPer1k' | 'costUsdPer1kCi95'> {
  if (costs.length === 0) return {costUsdPer1k: null, costUsdPer1kCi95: null};
  const ci = tMeanInterval(costs, 0);
  const mean = costs.reduce((a, b) => a + b, 0) / costs.length;
  return {costUsdPer1k: mean * 1000, costUsdPer1kCi95: ci && [ci.ciLow * 1000, ci.ciHigh * 1000]};
}
