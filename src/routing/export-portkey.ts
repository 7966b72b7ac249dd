import {z} from 'zod';
import {InputError} from '../core/errors.ts';
import {routeOrders} from './create-router.ts';
import {type GatewayTarget, gatewayTarget, SANDBOX_KEY, slug} from './gateway-targets.ts';
import type {RoutingPolicy, RuleCondition, WeightedModel} from './policy-types.ts';

export interface PortkeyTarget {
  name?: string;
  provider?: string;
  api_key?: string;
  custom_host?: string;
  override_params?: PortkeyParams;
  request_timeout?: number;
  weight?: number;
  retry?: {attempts: number; on_status_codes: number[]; use_retry_after_header?: boolean};
  strategy?: PortkeyStrategy;
  targets?: PortkeyTarget[];
}

export interface PortkeyParams {
  model: string;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
}

export interface PortkeyStrategy {
  mode: 'single' | 'fallback' | 'loadbalance' | 'conditional';
  on_status_codes?: number[];
  conditions?: {query: Record<string, unknown>; then: string}[];
  default?: string;
  sticky_session?: {hash_fields: string[]; ttl: number};
  cb_config?: {failure_threshold_percentage: number; minimum_requests: number; cooldown_interval: number; failure_status_codes: number[]};
}

/** Portkey's provider names for the wires assay exports (its VALID_PROVIDERS list). */
const PORTKEY_PROVIDER = {openai: 'openai', anthropic: 'anthropic', gemini: 'google'} as const;

/** An env var reference, `${NAME}`, resolved by portkeyConfigHeader (or envsubst) when the config is sent. */
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

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

/**
 * What the export writes, checked against the open-source gateway's validator (1.15.2,
 * src/middlewares/requestValidator/schema/config.ts) and its router (src/handlers/handlerUtils.ts):
 * valid provider names, a provider on every leaf, recursive targets, documented modes. Strict, so a
 * misspelt key fails here rather than being silently ignored by the gateway.
 */
export const portkeyConfigSchema: z.ZodType<PortkeyTarget> = z.lazy(() =>
  z
    .strictObject({
      name: z.string().optional(),
      provider: z.enum(Object.values(PORTKEY_PROVIDER)).optional(),
      api_key: z.string().min(1).optional(),
      custom_host: z.string().regex(/^(https?:\/\/|\$\{)/, 'custom_host must be an http(s) URL or an env var reference').optional(),
      override_params: z
        .strictObject({model: z.string().min(1), max_tokens: z.number().int().positive().optional(), temperature: z.number().optional(), top_p: z.number().optional()})
        .optional(),
      request_timeout: z.number().int().positive().optional(),
      weight: z.number().min(0).optional(),
      retry: z.strictObject({attempts: z.number().int().min(0).max(5), on_status_codes: z.array(z.number().int()), use_retry_after_header: z.boolean().optional()}).optional(),
      strategy: strategySchema.optional(),
      targets: z.array(portkeyConfigSchema).optional(),
    })
    .refine((t) => !t.strategy || (t.targets?.length ?? 0) > 0, 'a strategy needs targets')
    .refine((t) => Boolean(t.strategy) || Boolean(t.provider), 'a target without a strategy needs a provider')
    .refine((t) => t.provider !== 'anthropic' || t.override_params?.max_tokens !== undefined, 'Anthropic requires max_tokens')
    .refine((t) => t.strategy?.mode !== 'conditional' || (t.strategy.default !== undefined && (t.strategy.conditions?.length ?? 0) > 0), 'conditional needs conditions and a default')
    .refine(
      (t) => t.strategy?.mode !== 'conditional' || [...(t.strategy.conditions ?? []).map((c) => c.then), t.strategy.default].every((n) => t.targets?.some((x) => x.name === n)),
      'every then/default must name a target',
    ),
);

/**
 * Portkey config the open-source gateway serves as createRouter routes: a conditional strategy on
 * request metadata (the caller sends `tags` as a `;`-joined string, metadata fields as themselves and
 * `input_tokens`, all as strings); per rule, a loadbalance over one fallback chain per weighted pick,
 * each chain the very order route() returns for that pick; every leaf pins the measured model, its
 * params, timeout, retry and endpoint. Keys are `${NAME}` references, never values.
 *
 * Not enforced by the open-source gateway (hosted Portkey only): `cb_config` (circuit breaker) and
 * `sticky_session` (the loadbalance draw is random per request). They are written for hosted Portkey.
 */
export function buildPortkeyConfig(policy: RoutingPolicy): PortkeyTarget {
  const {retry, circuitBreaker} = policy.resilience;
  const retryBlock = {
    attempts: Math.min(5, Math.max(0, retry.maxAttempts - 1)),
    on_status_codes: retry.retryOnStatus.length ? retry.retryOnStatus : [429, 500, 502, 503, 504],
    use_retry_after_header: retry.respectRetryAfter,
  };
  const cb = {
    failure_threshold_percentage: Math.round(circuitBreaker.errorRate * 100),
    minimum_requests: circuitBreaker.minRequests,
    cooldown_interval: Math.max(30_000, circuitBreaker.cooldownMs),
    failure_status_codes: [408, 500, 502, 503, 504],
  };
  const leaf = (label: string): PortkeyTarget => portkeyLeaf(gatewayTarget(label, policy.models[label]), retryBlock);
  const chain = (order: readonly string[]): PortkeyTarget =>
    order.length === 1 ? leaf(order[0]!) : {strategy: {mode: 'fallback', cb_config: cb}, targets: order.map(leaf)};
  const branch = (route: WeightedModel[], fallback: string[]): PortkeyTarget => {
    const picks = routeOrders(route, fallback);
    if (picks.length === 1) return chain(picks[0]!.order);
    return {
      strategy: {mode: 'loadbalance', sticky_session: {hash_fields: ['metadata.user_id'], ttl: 3600}},
      targets: picks.map((p) => ({...chain(p.order), weight: p.weight})),
    };
  };
  const defaultBranch = branch(policy.default.route, policy.default.fallback);
  if (policy.rules.length === 0) return defaultBranch;
  const names = policy.rules.map((r, i) => `rule-${i + 1}-${slug(r.name)}`);
  return {
    strategy: {mode: 'conditional', conditions: policy.rules.map((r, i) => ({query: portkeyQuery(r.when), then: names[i]!})), default: 'default'},
    targets: [...policy.rules.map((r, i) => ({name: names[i]!, ...branch(r.route, r.fallback)})), {name: 'default', ...defaultBranch}],
  };
}

function portkeyLeaf(t: GatewayTarget, retry: NonNullable<PortkeyTarget['retry']>): PortkeyTarget {
  const params: PortkeyParams = {model: t.modelId};
  if (t.params.maxTokens !== undefined) params.max_tokens = t.params.maxTokens;
  if (t.params.temperature !== undefined) params.temperature = t.params.temperature;
  if (t.params.topP !== undefined) params.top_p = t.params.topP;
  const apiKey = t.keyEnv ? `\${${t.keyEnv}}` : t.sandbox ? SANDBOX_KEY : undefined;
  return {
    provider: PORTKEY_PROVIDER[t.wire],
    ...(apiKey ? {api_key: apiKey} : {}),
    ...(t.baseURL ? {custom_host: portkeyHost(t)} : {}),
    override_params: params,
    request_timeout: t.timeoutMs,
    retry,
  };
}

/** Portkey appends `/messages` to Anthropic's host where the Anthropic SDK appends `/v1/messages`; OpenAI and Gemini hosts match their SDKs'. */
function portkeyHost(t: GatewayTarget): string {
  const base = t.baseURL!.replace(/\/+$/, '');
  return t.wire === 'anthropic' && !/\/v1$/.test(base) ? `${base}/v1` : base;
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
  if (clauses.length === 0) return {$and: []};
  return clauses.length === 1 ? clauses[0]! : {$and: clauses};
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What the open-source gateway does differently from the policy: said once, in the docs, on stderr and here. */
export function portkeyNotes(policy: RoutingPolicy): string[] {
  const notes = [
    'send the config in the x-portkey-config header with ${NAME} references resolved (portkeyConfigHeader, or envsubst); it holds no key values',
    'send metadata in x-portkey-metadata as strings: tags joined by ";", input_tokens counted by the caller, plus the fields the rules name',
    'the open-source gateway ignores cb_config (circuit breaker) and sticky_session (weighted picks are random per request): hosted Portkey enforces them',
    'request_timeout bounds the time to response headers only: a stream or body that stalls after its headers is not cut off',
  ];
  const guessed = Object.keys(policy.models).filter((l) => gatewayTarget(l, policy.models[l]).guessed);
  if (guessed.length > 0) notes.push(`how to call ${guessed.join(', ')} was not recorded (outcomes CSV or http/bedrock): exported as OpenAI-compatible at \${…_BASE_URL}; check them`);
  return notes;
}

/** The Portkey config as JSON text, validated against the gateway's schema. */
export function exportPortkey(policy: RoutingPolicy): string {
  return `${JSON.stringify(portkeyConfigSchema.parse(buildPortkeyConfig(policy)), null, 2)}\n`;
}

/**
 * The value for the x-portkey-config header: the exported config with every `${NAME}` replaced from
 * `env`, minified. Done in memory at request time, so keys never land in a file.
 */
export function portkeyConfigHeader(configText: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const missing = new Set<string>();
  const config = JSON.parse(configText, (_key, value: unknown) =>
    typeof value === 'string'
      ? value.replace(ENV_REF, (_m, name: string) => {
          const v = env[name];
          if (v === undefined || v === '') missing.add(name);
          return v ?? '';
        })
      : value,
  ) as unknown;
  if (missing.size > 0) {
    throw new InputError(`environment variable${missing.size > 1 ? 's' : ''} ${[...missing].join(', ')} not set for the Portkey config`, {
      hint: `export ${[...missing].map((n) => `${n}=...`).join(' ')} where the application sends the config`,
    });
  }
  return JSON.stringify(config);
}
