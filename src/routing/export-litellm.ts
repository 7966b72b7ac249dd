import {Document} from 'yaml';
import {z} from 'zod';
import {describeCondition} from './compile-condition.ts';
import {routeOrders} from './create-router.ts';
import {gatewayTarget, SANDBOX_KEY, slug} from './gateway-targets.ts';
import type {PolicyRule, RoutingPolicy, WeightedModel} from './policy-types.ts';

/** The LiteLLM source this schema was derived from (BerriAI/litellm main, as stored): see docs/gateways.md. */
export const LITELLM_CHECKED_AGAINST = 'BerriAI/litellm main @ 0044fbec (litellm/types/router.py) and 017a8327 (litellm/router_strategy/tag_based_routing.py)';

/** Exception names LiteLLM's RetryPolicy and AllowedFailsPolicy take (litellm/types/router.py). */
const RETRY_KEYS = ['BadRequestError', 'AuthenticationError', 'TimeoutError', 'RateLimitError', 'ContentPolicyViolationError', 'InternalServerError', 'ServiceUnavailableError', 'NotFoundError', 'Default'];
const ALLOWED_FAILS_KEYS = ['BadRequestError', 'AuthenticationError', 'TimeoutError', 'RateLimitError', 'ContentPolicyViolationError', 'InternalServerError', 'ServiceUnavailableError', 'BadGatewayError', 'NotFoundError'];

const envRef = z.string().regex(/^os\.environ\/[A-Za-z_][A-Za-z0-9_]*$/, 'must be os.environ/NAME');

/**
 * The subset of LiteLLM's proxy config the export writes, derived from its source: `Deployment` /
 * `LiteLLM_Params` / `ModelInfo` and the Router's settings (`UpdateRouterConfig`, `RetryPolicy`,
 * `AllowedFailsPolicy`). Strict, so a misspelt key fails here; LiteLLM itself would accept it and
 * pass it to the provider as a parameter.
 */
export const litellmConfigSchema = z.strictObject({
  model_list: z.array(
    z.strictObject({
      model_name: z.string().min(1),
      litellm_params: z.strictObject({
        model: z.string().regex(/^(openai|anthropic|gemini)\/.+/, 'a provider-prefixed model id'),
        api_base: z.union([z.string().url(), envRef]).optional(),
        api_key: z.union([envRef, z.literal(SANDBOX_KEY)]).optional(),
        timeout: z.number().positive().optional(),
        max_tokens: z.number().int().positive().optional(),
        temperature: z.number().min(0).max(2).optional(),
        top_p: z.number().min(0).max(1).optional(),
        weight: z.number().positive().optional(),
        tags: z.array(z.string().min(1)).min(1).optional(),
        input_cost_per_token: z.number().min(0).optional(),
        output_cost_per_token: z.number().min(0).optional(),
      }),
      model_info: z.strictObject({id: z.string(), base_model: z.string().optional()}),
    }),
  ),
  router_settings: z.strictObject({
    routing_strategy: z.enum(['simple-shuffle', 'least-busy', 'usage-based-routing', 'usage-based-routing-v2', 'latency-based-routing', 'cost-based-routing']),
    num_retries: z.number().int().min(0),
    allowed_fails: z.number().int().min(1),
    cooldown_time: z.number().min(0),
    enable_tag_filtering: z.boolean(),
    fallbacks: z.array(z.record(z.string(), z.array(z.string()))),
    retry_policy: z.strictObject(Object.fromEntries(RETRY_KEYS.map((k) => [`${k}Retries`, z.number().int().min(0).optional()]))),
    allowed_fails_policy: z.strictObject(Object.fromEntries(ALLOWED_FAILS_KEYS.map((k) => [`${k}AllowedFails`, z.number().int().min(0).optional()]))),
  }),
});
export type LitellmConfig = z.infer<typeof litellmConfigSchema>;

type Deployment = LitellmConfig['model_list'][number];

/** The one group LiteLLM's tag routing serves; per-rule groups stay for callers that pick the rule themselves. */
export const LITELLM_TAG_GROUP = 'assay';

/** A rule LiteLLM's tag routing can serve as written: exactly one tag and nothing else. */
export function tagRoutable(rule: PolicyRule): string | undefined {
  const w = rule.when;
  const onlyTag = w.tags?.length === 1 && Object.keys(w.metadata ?? {}).length === 0 && w.inputTokens === undefined;
  return onlyTag ? w.tags![0] : undefined;
}

/**
 * LiteLLM proxy config.yaml: one model group per rule (`assay-<n>-<rule>`, exact first-match routing
 * when the caller sends that group as `model`), one tag-routed group (`assay`) where single-tag rules
 * become deployments carrying that tag and the default route carries `default`, and one group per
 * fallback model. Every deployment pins the endpoint, key variable, timeout and measured params.
 */
export function buildLitellmConfig(policy: RoutingPolicy): LitellmConfig {
  const modelList: Deployment[] = [];
  const deployment = (group: string, label: string, extra: {weight?: number; tags?: string[]}): Deployment => {
    const info = policy.models[label];
    const t = gatewayTarget(label, info);
    const apiKey = t.keyEnv ? `os.environ/${t.keyEnv}` : t.sandbox ? SANDBOX_KEY : undefined;
    const apiBase = t.baseURLEnv ? `os.environ/${t.baseURLEnv}` : t.baseURL;
    return {
      model_name: group,
      litellm_params: {
        model: `${t.wire}/${t.modelId}`,
        ...(apiBase ? {api_base: apiBase} : {}),
        ...(apiKey ? {api_key: apiKey} : {}),
        timeout: t.timeoutMs / 1000,
        ...(t.params.maxTokens !== undefined ? {max_tokens: t.params.maxTokens} : {}),
        ...(t.params.temperature !== undefined ? {temperature: t.params.temperature} : {}),
        ...(t.params.topP !== undefined ? {top_p: t.params.topP} : {}),
        ...(extra.weight !== undefined ? {weight: extra.weight} : {}),
        // With enable_tag_filtering on, a tagged request to a group with no matching deployment fails
        // unless some carry `default`: every deployment outside the tag-routed group does.
        tags: extra.tags ?? ['default'],
        ...(info?.pricing ? {input_cost_per_token: perToken(info.pricing.inputPerMTok), output_cost_per_token: perToken(info.pricing.outputPerMTok)} : {}),
      },
      model_info: {id: `${group}/${label}${extra.tags && extra.tags[0] !== 'default' ? `#${extra.tags[0]}` : ''}`, ...(info?.model ? {base_model: info.model} : {})},
    };
  };
  const live = (route: WeightedModel[]) => routeOrders(route, []).map((p) => ({model: p.model, weight: p.weight}));
  const fallbacks: Record<string, string[]>[] = [];
  const groups = [
    ...policy.rules.map((r, i) => ({group: `assay-${i + 1}-${slug(r.name)}`, route: r.route, fallback: r.fallback})),
    {group: 'assay-default', route: policy.default.route, fallback: policy.default.fallback},
  ];
  for (const {group, route, fallback} of groups) {
    const picks = live(route);
    for (const p of picks) modelList.push(deployment(group, p.model, {weight: picks.length > 1 ? p.weight : undefined}));
    // LiteLLM retries within the group (other deployments of the split) before its fallbacks, as route() does.
    if (fallback.length > 0) fallbacks.push({[group]: fallback});
  }

  // The tag-routed group: single-tag rules whose tag an earlier rule has not claimed, then the default.
  const claimed = new Set<string>();
  for (const rule of policy.rules) {
    const tag = tagRoutable(rule);
    if (tag === undefined || claimed.has(tag) || tag === 'default') continue;
    claimed.add(tag);
    for (const p of live(rule.route)) modelList.push(deployment(LITELLM_TAG_GROUP, p.model, {weight: p.weight, tags: [tag]}));
  }
  for (const p of live(policy.default.route)) modelList.push(deployment(LITELLM_TAG_GROUP, p.model, {weight: p.weight, tags: ['default']}));
  if (policy.default.fallback.length > 0) fallbacks.push({[LITELLM_TAG_GROUP]: policy.default.fallback});

  // Fallbacks name model groups: one group per model label they may send to.
  const fallbackLabels = [...new Set(groups.flatMap((g) => g.fallback))].sort();
  for (const label of fallbackLabels) modelList.push(deployment(label, label, {}));

  const {retry, circuitBreaker} = policy.resilience;
  const retries = Math.max(0, retry.maxAttempts - 1);
  // LiteLLM cools a deployment down after more than allowed_fails failures within a minute; the
  // policy's breaker is a failure *rate* over a window, so the count is that rate at minRequests.
  const allowedFails = Math.max(1, Math.ceil(circuitBreaker.errorRate * circuitBreaker.minRequests));
  const counted = (cls: string) => (circuitBreaker.countClasses as string[]).includes(cls);
  return {
    model_list: modelList,
    router_settings: {
      routing_strategy: 'simple-shuffle',
      num_retries: retries,
      allowed_fails: allowedFails,
      cooldown_time: Math.round(circuitBreaker.cooldownMs / 1000),
      enable_tag_filtering: true,
      fallbacks,
      retry_policy: {
        RateLimitErrorRetries: retry.retryOn.includes('rate-limit') ? retries : 0,
        InternalServerErrorRetries: retry.retryOn.includes('server') ? retries : 0,
        ServiceUnavailableErrorRetries: retry.retryOn.includes('server') ? retries : 0,
        TimeoutErrorRetries: retry.retryOn.includes('timeout') ? retries : 0,
        BadRequestErrorRetries: 0,
        AuthenticationErrorRetries: 0,
        NotFoundErrorRetries: 0,
        ContentPolicyViolationErrorRetries: 0,
      },
      allowed_fails_policy: {
        InternalServerErrorAllowedFails: counted('server') ? allowedFails : 1000,
        ServiceUnavailableErrorAllowedFails: counted('server') ? allowedFails : 1000,
        BadGatewayErrorAllowedFails: counted('server') ? allowedFails : 1000,
        TimeoutErrorAllowedFails: counted('timeout') ? allowedFails : 1000,
        // Rate limits mean the endpoint is alive: the policy's breaker never counts them.
        RateLimitErrorAllowedFails: counted('rate-limit') ? allowedFails : 1000,
      },
    },
  };
}

/** What LiteLLM serves differently from createRouter for this policy, for the YAML header and stderr. */
export function litellmNotes(policy: RoutingPolicy): string[] {
  const {circuitBreaker} = policy.resilience;
  const notes: string[] = [];
  const claimed = new Set<string>();
  const served: string[] = [];
  const notServed: string[] = [];
  policy.rules.forEach((r, i) => {
    const tag = tagRoutable(r);
    const name = `assay-${i + 1}-${slug(r.name)}`;
    if (tag !== undefined && !claimed.has(tag) && tag !== 'default') {
      claimed.add(tag);
      served.push(`${describeCondition(r.when)} (also ${name})`);
    } else notServed.push(`${name}: ${describeCondition(r.when)}`);
  });
  if (served.length > 0) notes.push(`group ${LITELLM_TAG_GROUP} routes by the request's tags: ${served.join('; ')}; untagged or unmatched requests get the default route`);
  if (notServed.length > 0) notes.push(`not served by tag routing (needs several tags, metadata or input size): send model set to the group: ${notServed.join('; ')}`);
  notes.push(
    `tag routing is match-any with no rule order: a request carrying the tags of two rules is spread over both rules' deployments (createRouter: the first rule wins), and a rule the tag group cannot express does not take precedence over a later tag rule`,
    `fallbacks are per group: group ${LITELLM_TAG_GROUP} falls back as the default route does, whichever tag rule matched`,
    `breaker: the policy opens at ${Math.round(circuitBreaker.errorRate * 100)}% failures over at least ${circuitBreaker.minRequests} requests; LiteLLM cools a deployment down after more than allowed_fails failures in a minute, whatever the traffic`,
    'temperature, max_tokens and top_p in litellm_params are defaults: a request that sends its own values overrides them',
  );
  return notes;
}

/** LiteLLM proxy config.yaml, validated, with a header saying which group serves which requests and what differs from the policy. */
export function exportLitellm(policy: RoutingPolicy): string {
  const config = litellmConfigSchema.parse(buildLitellmConfig(policy));
  const doc = new Document(config);
  const lines = [
    ` LiteLLM proxy config generated by assay from a routing policy (${policy.generatedAt}).`,
    ' Exact policy routing: send each request with model set to its group (first match wins):',
    ...policy.rules.map((r, i) => `   assay-${i + 1}-${slug(r.name)}: requests with ${describeCondition(r.when)}`),
    '   assay-default: everything else',
    ' Differences from the policy:',
    ...litellmNotes(policy).map((n) => `   - ${n}`),
  ];
  doc.commentBefore = lines.join('\n');
  return doc.toString({lineWidth: 0});
}

/** A per-million price as LiteLLM's per-token price, without binary float noise (0.4 / 1e6 is 4.0000000000000003e-7). */
function perToken(perMTok: number): number {
  return Number((perMTok / 1e6).toPrecision(12));
}
