import {parse as parseYaml} from 'yaml';
import {describe, expect, it} from 'vitest';
import {createRouter, routeOrders} from '../src/routing/create-router.ts';
import {exportLitellm, litellmConfigSchema} from '../src/routing/export-litellm.ts';
import {exportPortkey, type PortkeyTarget, portkeyConfigSchema} from '../src/routing/export-portkey.ts';
import {generatePolicy} from '../src/routing/generate-policy.ts';
import {loadPolicy, policyToYaml} from '../src/routing/load-policy.ts';
import type {CaseOutcomes, OutcomeSet, RoutingPolicy} from '../src/routing/policy-types.ts';
import {routingPolicySchema} from '../src/routing/policy-schema.ts';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

/** Three segments with different winners: math needs the large model, short chat is fine on mini. */
function syntheticOutcomes(): OutcomeSet {
  const cases: CaseOutcomes[] = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 300; i++) {
    const kind = i % 3 === 0 ? 'math' : i % 3 === 1 ? 'chat' : 'extract';
    const accuracy: Record<string, number> = kind === 'math' ? {large: 0.95, mini: 0.4} : kind === 'chat' ? {large: 0.9, mini: 0.88} : {large: 0.9, mini: 0.7};
    const byModel: CaseOutcomes['byModel'] = {};
    for (const [model, acc] of Object.entries(accuracy)) {
      const errors = model === 'mini' && i % 25 === 0 ? 1 : 0;
      byModel[model] = {score: rand() < acc ? 1 : 0, costUsd: model === 'large' ? 0.01 : 0.0005, latencyMs: model === 'large' ? 800 + 400 * rand() : 200 + 100 * rand(), inputTokens: 50 + (i % 7) * 30, outputTokens: 20, requests: 1 + errors, errors};
    }
    cases.push({caseId: `c${i}`, tags: [kind], metadata: {suite: kind === 'math' ? 'arith' : 'misc'}, inputTokens: 50 + (i % 7) * 30, byModel});
  }
  return {
    sources: ['synthetic'],
    models: {
      large: {provider: 'anthropic-prod', type: 'anthropic', model: 'claude-sonnet-4', pricing: {inputPerMTok: 3, outputPerMTok: 15}},
      mini: {provider: 'openai', type: 'openai', model: 'gpt-4o-mini-2024-07-18', pricing: {inputPerMTok: 0.15, outputPerMTok: 0.6}},
    },
    cases,
    errorStats: {large: {requests: 300, attempts: 310, errors: 0, errorsByClass: {}}, mini: {requests: 312, attempts: 330, errors: 12, errorsByClass: {server: 8, 'rate-limit': 4}}},
    warnings: [],
  };
}

const generated = generatePolicy(syntheticOutcomes(), {minQuality: 0.95, canary: {model: 'mini', weight: 0.1}, minCasesPerRule: 30, now: new Date('2026-01-01T00:00:00Z')});
const policy = generated.policy;

describe('the generated policy', () => {
  it('has the SPEC shape and survives a YAML round trip through loadPolicy', () => {
    expect(routingPolicySchema.safeParse(policy).success).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'assay-policy-'));
    writeFileSync(join(dir, 'p.yaml'), policyToYaml(policy));
    expect(loadPolicy(join(dir, 'p.yaml'))).toEqual(policy);
  });

  it('serves math with the large model, chat with the mini one, and derives resilience from the observed errors', () => {
    const router = createRouter(policy);
    const heaviest = (tags: string[]) => {
      const d = router.decide({tags, metadata: {suite: tags[0] === 'math' ? 'arith' : 'misc'}, inputTokens: 100});
      const route = d.rule === -1 ? policy.default.route : policy.rules[d.rule]!.route;
      return [...route].sort((a, b) => b.weight - a.weight)[0]!.model;
    };
    expect(heaviest(['math'])).toBe('large');
    expect(heaviest(['chat'])).toBe('mini');
    expect(policy.resilience.retry.retryOn).toEqual(expect.arrayContaining(['server', 'rate-limit']));
    expect(policy.resilience.retry.maxAttempts).toBeGreaterThanOrEqual(2);
    expect(policy.resilience.circuitBreaker.countClasses).not.toContain('rate-limit');
    for (const r of [...policy.rules, policy.default]) {
      expect(r.route.reduce((s, w) => s + w.weight, 0)).toBeCloseTo(1, 6);
      expect(r.expected.n).toBeGreaterThan(0);
    }
  });

  it('rejects a policy file with a typo, naming the field and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assay-policy-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, policyToYaml(policy).replace('fallback:', 'falback:'));
    expect(() => loadPolicy(file)).toThrow(/bad\.yaml:\d+.*falback/s);
    writeFileSync(file, policyToYaml(policy).replace(/model: large/, 'model: huge'));
    expect(() => loadPolicy(file)).toThrow(/"huge" is not under models/);
  });
});

describe('--export litellm', () => {
  const text = exportLitellm(policy);
  const config = parseYaml(text);

  it('parses back into the documented model_list / router_settings shape', () => {
    expect(litellmConfigSchema.safeParse(config).success).toBe(true);
    expect(config.router_settings.routing_strategy).toBe('simple-shuffle');
    expect(config.router_settings.num_retries).toBe(policy.resilience.retry.maxAttempts - 1);
    expect(config.router_settings.cooldown_time).toBe(30);
    expect(config.router_settings.enable_tag_filtering).toBe(true);
  });

  it('tag routing: single-tag rules become tagged deployments of one group, the default route carries "default"', () => {
    const tagged = config.model_list.filter((d: {model_name: string}) => d.model_name === 'assay');
    const tagRules = policy.rules.filter((r) => r.when.tags?.length === 1 && !r.when.metadata && !r.when.inputTokens);
    for (const r of tagRules) expect(tagged.some((d: {litellm_params: {tags: string[]}}) => d.litellm_params.tags[0] === r.when.tags![0])).toBe(true);
    expect(tagged.filter((d: {litellm_params: {tags: string[]}}) => d.litellm_params.tags[0] === 'default').length).toBe(policy.default.route.filter((w) => w.weight > 0).length);
    // Outside the tag group every deployment carries "default", so a tagged request is never refused there.
    for (const d of config.model_list.filter((x: {model_name: string}) => x.model_name !== 'assay')) expect(d.litellm_params.tags).toEqual(['default']);
    expect(text).toContain('match-any with no rule order');
  });

  it('pins timeout, key variable and params; no literal keys', () => {
    for (const d of config.model_list) {
      expect(d.litellm_params.timeout).toBe(60);
      if (d.litellm_params.model.startsWith('anthropic/')) expect(d.litellm_params.max_tokens).toBe(1024);
    }
    expect(text).not.toMatch(/sk-/);
  });

  it('openai-compatible models get api_base, as a reference when the URL was not recorded, and their own key variable', () => {
    const p: RoutingPolicy = {...policy, models: {...policy.models, mini: {provider: 'vllm-local', type: 'openai-compatible', model: 'qwen', keyEnv: 'VLLM_KEY', params: {temperature: 0}}}};
    const ll = parseYaml(exportLitellm(p));
    const mini = ll.model_list.find((d: {litellm_params: {model: string}}) => d.litellm_params.model === 'openai/qwen');
    expect(mini.litellm_params).toMatchObject({api_base: 'os.environ/VLLM_LOCAL_BASE_URL', api_key: 'os.environ/VLLM_KEY', temperature: 0});
    const pk = exportPortkey(p);
    expect(pk).toContain('"custom_host": "${VLLM_LOCAL_BASE_URL}"');
    expect(pk).toContain('"api_key": "${VLLM_KEY}"');
  });

  it('one model group per rule with the route\'s weights, provider-prefixed ids and env-var keys', () => {
    const groups = new Set(config.model_list.map((d: {model_name: string}) => d.model_name));
    expect(groups.size).toBeGreaterThanOrEqual(policy.rules.length + 1);
    expect(groups.has('assay-default')).toBe(true);
    const large = config.model_list.find((d: {litellm_params: {model: string}}) => d.litellm_params.model === 'anthropic/claude-sonnet-4');
    expect(large.litellm_params.api_key).toBe('os.environ/ANTHROPIC_API_KEY');
    expect(large.litellm_params.input_cost_per_token).toBeCloseTo(3e-6, 12);
    // Per-token prices are written as people write them (0.4 / 1e6 alone is 4.0000000000000003e-7).
    const noisy: RoutingPolicy = {...policy, models: {...policy.models, mini: {...policy.models.mini!, pricing: {inputPerMTok: 0.4, outputPerMTok: 1.6}}}};
    const noisyText = exportLitellm(noisy);
    expect(noisyText).toContain('input_cost_per_token: 4e-7');
    expect(noisyText).toContain('output_cost_per_token: 0.0000016\n');
    const weighted = config.model_list.filter((d: {litellm_params: {weight?: number}}) => d.litellm_params.weight !== undefined);
    expect(weighted.some((d: {litellm_params: {weight: number}}) => d.litellm_params.weight === 0.1)).toBe(true);
  });

  it('every fallback names a model group that exists', () => {
    const groups = new Set(config.model_list.map((d: {model_name: string}) => d.model_name));
    for (const entry of config.router_settings.fallbacks) {
      for (const [from, to] of Object.entries(entry as Record<string, string[]>)) {
        expect(groups.has(from)).toBe(true);
        for (const t of to) expect(groups.has(t)).toBe(true);
      }
    }
  });
});

/** Portkey's conditional evaluator (src/services/conditionalRouter.ts), enough of it to check our queries. */
function portkeyMatches(query: Record<string, unknown>, metadata: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(query)) {
    if (key === '$and') return (value as Record<string, unknown>[]).every((q) => portkeyMatches(q, metadata));
    const actual = key.startsWith('metadata.') ? metadata[key.slice('metadata.'.length)] : undefined;
    for (const [op, operand] of Object.entries(value as Record<string, unknown>)) {
      if (op === '$eq' && actual !== operand) return false;
      if (op === '$regex') return actual !== undefined && new RegExp(operand as string).test(actual);
      if (op === '$gte' && !(Number.parseFloat(actual!) >= Number(operand))) return false;
      if (op === '$lt' && !(Number.parseFloat(actual!) < Number(operand))) return false;
    }
  }
  return true;
}

describe('--export portkey', () => {
  const config = JSON.parse(exportPortkey(policy)) as PortkeyTarget;

  it('parses back into the documented recursive target shape', () => {
    expect(portkeyConfigSchema.safeParse(config).success).toBe(true);
    expect(config.strategy?.mode).toBe(policy.rules.length ? 'conditional' : 'fallback');
    expect(config.strategy?.cb_config).toBeUndefined(); // ignored by Portkey under conditional
  });

  it('each branch walks route()\'s order per weighted pick: a loadbalance of fallback chains, or one chain', () => {
    const leaves = (t: PortkeyTarget): string[] => (t.targets ? t.targets.flatMap(leaves) : [t.override_params!.model]);
    const modelId = (label: string) => policy.models[label]?.model ?? label;
    const routes = [...policy.rules.map((r) => [r.route, r.fallback] as const), [policy.default.route, policy.default.fallback] as const];
    config.targets!.forEach((branch, i) => {
      const picks = routeOrders(routes[i]![0], routes[i]![1]);
      if (picks.length === 1) {
        expect(branch.strategy?.mode === 'fallback' || branch.strategy === undefined).toBe(true);
        expect(leaves(branch)).toEqual(picks[0]!.order.map(modelId));
      } else {
        expect(branch.strategy?.mode).toBe('loadbalance');
        branch.targets!.forEach((chain, k) => {
          expect(chain.weight).toBe(picks[k]!.weight);
          expect(chain.strategy?.mode).toBe('fallback');
          expect(chain.strategy?.cb_config?.cooldown_interval).toBeGreaterThanOrEqual(30_000);
          expect(leaves(chain)).toEqual(picks[k]!.order.map(modelId));
        });
      }
    });
  });

  it('pins provider, key reference, timeout and params on every leaf', () => {
    const text = exportPortkey(policy);
    expect(text).toContain('"provider": "anthropic"');
    expect(text).toContain('"api_key": "${ANTHROPIC_API_KEY}"');
    expect(text).toContain('"max_tokens": 1024');
    expect(text).toContain('"request_timeout": 60000');
    expect(text).not.toContain('"@');
  });

  it('routes requests to the same branch as createRouter', () => {
    const router = createRouter(policy);
    const names = config.targets!.map((t) => t.name);
    for (const tags of [['math'], ['chat'], ['extract'], ['math', 'chat'], []]) {
      for (const suite of ['arith', 'misc']) {
        for (const inputTokens of [40, 120, 300]) {
          const metadata = {tags: tags.join(';'), suite, input_tokens: String(inputTokens)};
          const hit = config.strategy!.conditions!.find((c) => portkeyMatches(c.query, metadata));
          const portkeyBranch = hit ? hit.then : config.strategy!.default;
          const ours = router.decide({tags, metadata: {suite}, inputTokens});
          expect(portkeyBranch).toBe(names[ours.rule === -1 ? names.length - 1 : ours.rule]);
        }
      }
    }
  });
});

describe('a policy without rules', () => {
  it('exports a plain fallback chain to Portkey and a single group to LiteLLM', () => {
    const flat: RoutingPolicy = {...policy, rules: []};
    const pk = JSON.parse(exportPortkey(flat)) as PortkeyTarget;
    expect(pk.strategy?.mode).toBe(routeOrders(flat.default.route, []).length > 1 ? 'loadbalance' : 'fallback');
    expect(portkeyConfigSchema.safeParse(pk).success).toBe(true);
    const ll = parseYaml(exportLitellm(flat));
    expect(litellmConfigSchema.safeParse(ll).success).toBe(true);
  });
});
