import {costUsd} from '../runner/cost.ts';
import {createRouter} from './create-router.ts';
import type {ModelOutcome, OutcomeSet, RoutingPolicy} from './policy-types.ts';

/** One case as the policy served it: the model that answered, its recorded outcome and what it cost. */
export interface Served {
  outcome: ModelOutcome;
  model: string;
  costUsd: number | null;
}

export type PriceOf = (label: string, o: ModelOutcome) => number | null;

/** A recorded outcome's cost: as recorded, else from the policy's (or the sources') pricing. */
export function pricedBy(policy: RoutingPolicy, outcomes: OutcomeSet): PriceOf {
  return (label, o) => o.costUsd ?? costUsd((policy.models[label] ?? outcomes.models[label])?.pricing ?? null, o.inputTokens, o.outputTokens);
}

/**
 * Routes each case as the router would (sticky key = case id) and serves it by the first model in
 * the answer that has an outcome for it; null when none has (the case is left out of the figures).
 */
export function replayPolicy(policy: RoutingPolicy, outcomes: OutcomeSet, priced: PriceOf = pricedBy(policy, outcomes)) {
  const router = createRouter(policy);
  const served: (Served | null)[] = [];
  const ruleOf: string[] = [];
  let fallbacksUsed = 0;
  for (const c of outcomes.cases) {
    const decision = router.decide({tags: c.tags, metadata: c.metadata, inputTokens: c.inputTokens, key: c.caseId, ...(c.prompt !== undefined ? {input: c.prompt} : {})});
    ruleOf.push(decision.ruleName);
    let pick: Served | null = null;
    for (let k = 0; k < decision.models.length; k++) {
      const label = decision.models[k]!;
      const o = c.byModel[label];
      if (o && o.score !== null) {
        pick = {outcome: o, model: label, costUsd: priced(label, o)};
        if (k > 0) fallbacksUsed++;
        break;
      }
    }
    served.push(pick);
  }
  return {served, ruleOf, fallbacksUsed};
}
