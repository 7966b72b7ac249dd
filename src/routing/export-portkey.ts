import {z} from 'zod';
import {gatewayTarget, slug} from './gateway-targets.ts';
import type {RoutingPolicy, RuleCondition, WeightedModel} from './policy-types.ts';

export interface PortkeyTarget {
  name?: string;
  provider?: string;
  override_params?: {model: string};
  weight?: number;
  retry?: {attempts: number; on_status_codes: number[]};
  strategy?: PortkeyStrategy;
  targets?: PortkeyTarget[];
}

export interface PortkeyStrategy {
  mode: 'single' | 'fallback' | 'loadbalance' | 'conditional';
  on_status_codes?: number[];
  conditions?: {query: Record<string, unknown>; then: string}[];
  default?: string;
  sticky_session?: {hash_fields: string[]; ttl: number};
  cb_config?: {failure_threshold_percentage: number; minimum_requests: number; cooldown_interval: number; failure_status_codes: number[]};
}

const strategySchema = z.strictObject({
  mode: z.enum(['single', 'fallback', 'loadbalance', 'conditional']),
  on_status_codes: z.array(z.number().int()).optional(),
  conditions: z.array(z.strictObject({query: z.record(z.string(), z.unknown()), then: z.string().min(1)})).optional(),
  default: z.string().optional(),
  sticky_session: z.strictObject({hash_fields: z.array(z.string()), ttl: z.number()}).optional(),
  cb_config: z
    .strictObject({
      failure_threshold_percentage: z.number().min(0).max(100),
      minimum_requests: z.number().int().min(1),
      cooldown_interval: z.number().min(30_000, 'Portkey requires cooldown_interval ≥ 30 s'),
      failure_status_codes: z.array(z.number().int()),
    })
    .optional(),
});

/** Portkey's config schema (routing.md §5.2) for what the export writes: recursive targets, documented modes and operators. */
export const portkeyConfigSchema: z.ZodType<PortkeyTarget> = z.lazy(() =>
  z
    .strictObject({
      name: z.string().optional(),
      provider: z.string().startsWith('@').optional(),
      override_params: z.strictObject({model: z.string().min(1)}).optional(),
      weight: z.number().min(0).optional(),
      retry: z.strictObject({attempts: z.number().int().min(0).max(5), on_status_codes: z.array(z.number().int())}).optional(),
      strategy: strategySchema.optional(),
      targets: z.array(portkeyConfigSchema).optional(),
    })
    .refine((t) => !t.strategy || (t.targets?.length ?? 0) > 0, 'a strategy needs targets')
    .refine((t) => t.strategy?.mode !== 'conditional' || (t.strategy.default !== undefined && (t.strategy.conditions?.length ?? 0) > 0), 'conditional needs conditions and a default')
    .refine(
      (t) => t.strategy?.mode !== 'conditional' || [...(t.strategy.conditions ?? []).map((c) => c.then), t.strategy.default].every((n) => t.targets?.some((x) => x.name === n)),
      'every then/default must name a target',
    ),
);

/**
 * Portkey config: a conditional strategy on request metadata (the caller sends `tags` as a `;`-joined
 * string, metadata fields as themselves and `input_tokens`), each branch a fallback chain whose first
 * target load-balances the route's weights. Circuit breaking sits on the fallback strategies because
 * Portkey ignores cb_config on conditional ones.
 */
export function buildPortkeyConfig(policy: RoutingPolicy): PortkeyTarget {
  const {retry, circuitBreaker} = policy.resilience;
  const retryBlock = {attempts: Math.min(5, Math.max(0, retry.maxAttempts - 1)), on_status_codes: retry.retryOnStatus.length ? retry.retryOnStatus : [429, 500, 502, 503, 504]};
  const cb = {
    failure_threshold_percentage: Math.round(circuitBreaker.errorRate * 100),
    minimum_requests: circuitBreaker.minRequests,
    cooldown_interval: Math.max(30_000, circuitBreaker.cooldownMs),
    failure_status_codes: [408, 500, 502, 503, 504],
  };
  const single = (label: string, weight?: number): PortkeyTarget => {
    const t = gatewayTarget(label, policy.models[label]);
    return {provider: `@${slug(t.providerId)}`, override_params: {model: t.modelId}, ...(weight !== undefined ? {weight} : {}), retry: retryBlock};
  };
  const branch = (name: string, route: WeightedModel[], fallback: string[]): PortkeyTarget => {
    const live = route.filter((w) => w.weight > 0);
    const first: PortkeyTarget =
      live.length > 1
        ? {strategy: {mode: 'loadbalance', sticky_session: {hash_fields: ['metadata.user_id'], ttl: 3600}}, targets: live.map((w) => single(w.model, w.weight))}
        : single((live[0] ?? route[0]!).model);
    return {name, strategy: {mode: 'fallback', cb_config: cb}, targets: [first, ...fallback.map((m) => single(m))]};
  };
  const defaultBranch = branch('default', policy.default.route, policy.default.fallback);
  if (policy.rules.length === 0) {
    const {name: _name, ...rest} = defaultBranch;
    return rest;
  }
  const names = policy.rules.map((r, i) => `rule-${i + 1}-${slug(r.name)}`);
  return {
    strategy: {mode: 'conditional', conditions: policy.rules.map((r, i) => ({query: portkeyQuery(r.when), then: names[i]!})), default: 'default'},
    targets: [...policy.rules.map((r, i) => branch(names[i]!, r.route, r.fallback)), defaultBranch],
  };
}

/**
 * A rule's condition as a Portkey query. Portkey's evaluator returns early on `$and` and on `$regex`,
 * so several clauses always go inside one `$and`, one clause each.
 */
export function portkeyQuery(when: RuleCondition): Record<string, unknown> {
  const clauses: Record<string, unknown>[] = [];
  for (const tag of when.tags ?? []) clauses.push({'metadata.tags': {$regex: `(^|[;,])${escapeRegex(tag)}([;,]|$)`}});
  for (const [field, value] of Object.entries(when.metadata ?? {})) clauses.push({[`metadata.${field}`]: {$eq: value}});
  const {min, max} = when.inputTokens ?? {};
  if (min !== undefined || max !== undefined) clauses.push({'metadata.input_tokens': {...(min !== undefined ? {$gte: min} : {}), ...(max !== undefined ? {$lt: max} : {})}});
  return clauses.length === 1 ? clauses[0]! : {$and: clauses};
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The Portkey config as JSON text, validated against the documented shape. */
export function exportPortkey(policy: RoutingPolicy): string {
  return `${JSON.stringify(portkeyConfigSchema.parse(buildPortkeyConfig(policy)), null, 2)}\n`;
}
