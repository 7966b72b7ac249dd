import {InputError} from '../core/errors.ts';
import {type GeneratedPolicy, type GenerateOptions, generatePolicy} from './generate-policy.ts';
import {learnRouter} from './learn-router.ts';
import {loadOutcomes} from './load-outcomes.ts';
import type {WeightedModel} from './policy-types.ts';

export interface RouteFromSourcesOptions extends Omit<GenerateOptions, 'canary'> {
  from: string[];
  cwd?: string;
  /** `MODEL:SHARE`, e.g. `gpt-4.1-mini:0.1`. */
  canary?: string;
  /** Also learn a per-request router from the prompts (`--learn`); the rules stay as its fallback and for gateways. */
  learn?: boolean;
}

/** `assay route`: read the sources, generate the policy. */
export function routeFromSources(opts: RouteFromSourcesOptions): GeneratedPolicy {
  const {from, cwd, canary, learn, ...generate} = opts;
  const outcomes = loadOutcomes(from, {cwd});
  const generated = generatePolicy(outcomes, {...generate, ...(canary !== undefined ? {canary: parseCanary(canary)} : {})});
  if (!learn) return generated;
  const {learned, warnings} = learnRouter(outcomes, {minQuality: generate.minQuality, maxCostUsdPer1k: generate.maxCostUsdPer1k, folds: generate.folds, seed: generate.seed});
  if (canary !== undefined) warnings.push('the learned router does not split traffic for --canary: only requests routed by the rules (no prompt) reach the canary');
  if (generate.maxP95LatencyMs !== undefined) warnings.push('the learned router optimises quality and cost only: --max-p95-latency-ms applies to the rules');
  return {...generated, policy: {...generated.policy, learned}, warnings: [...generated.warnings, ...warnings]};
}

export function parseCanary(text: string): WeightedModel {
  const at = text.lastIndexOf(':');
  const model = at > 0 ? text.slice(0, at).trim() : '';
  const weight = at > 0 ? Number(text.slice(at + 1)) : Number.NaN;
  if (!model || !(weight > 0 && weight < 1)) {
    throw new InputError(`"${text}" is not MODEL:SHARE with 0 < SHARE < 1`, {field: '--canary', hint: 'e.g. --canary gpt-4.1-mini:0.1 sends 10% of every rule\'s traffic to gpt-4.1-mini'});
  }
  return {model, weight};
}
