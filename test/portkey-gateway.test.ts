import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createRouter, routeOrders} from '../src/routing/create-router.ts';
import {exportPortkey, portkeyConfigHeader} from '../src/routing/export-portkey.ts';
import type {RoutingPolicy} from '../src/routing/policy-types.ts';
import type {SandboxRequestLog} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {PortkeyProcess} from './portkey-process.ts';
import {SandboxProcess} from './sandbox-process.ts';

// The exported Portkey config served by the real open-source gateway (@portkey-ai/gateway from npm,
// its own process) in front of the assay sandbox (its own process), checked request by request
// against createRouter's decisions. Nothing is mocked; the only test hook in the gateway is the
// preload that reports its port and seeds its Math.random.

const KEYS = {ASSAY_TEST_ANTHROPIC_KEY: 'sk-ant-test-7f3a', ASSAY_TEST_LOCAL_KEY: 'sk-local-test-91c2'};

const expected = {quality: 0.9, costUsdPer1k: 1, p95LatencyMs: 100, n: 100};

/** Four rules and a default over five sandbox models: one always fails, one never sends its headers. */
function policyFor(sandboxUrl: string): RoutingPolicy {
  const local = (model: string, extra: object = {}) => ({provider: 'local', type: 'openai-compatible', model, baseURL: `${sandboxUrl}/v1`, keyEnv: 'ASSAY_TEST_LOCAL_KEY', ...extra});
  return {
    version: 1,
    generatedAt: '2026-11-30T00:00:00Z',
    sources: ['test'],
    objective: {minQuality: 0.95},
    models: {
      large: {provider: 'anthropic-sim', type: 'anthropic', model: 'sim-large', baseURL: sandboxUrl, keyEnv: 'ASSAY_TEST_ANTHROPIC_KEY', params: {temperature: 0, maxTokens: 300}},
      mini: local('sim-mini', {params: {temperature: 0.2}}),
      mid: local('sim-mid'),
      broken: local('sim-broken'),
      // A short timeout only on the model that never answers: the others keep assay's 60 s.
      stall: local('sim-stall', {timeoutMs: 1000}),
    },
    rules: [
      {name: 'math', when: {tags: ['math']}, route: [{model: 'large', weight: 1}], fallback: ['mini'], expected, rationale: ''},
      {name: 'capitals', when: {metadata: {suite: 'capitals'}}, route: [{model: 'mini', weight: 0.7}, {model: 'mid', weight: 0.3}], fallback: ['large'], expected, rationale: ''},
      {name: 'long', when: {inputTokens: {min: 400}}, route: [{model: 'broken', weight: 0.5}, {model: 'mid', weight: 0.5}], fallback: ['mini'], expected, rationale: ''},
      {name: 'slow', when: {tags: ['slow']}, route: [{model: 'stall', weight: 1}], fallback: ['mini'], expected, rationale: ''},
    ],
    default: {route: [{model: 'mid', weight: 1}], fallback: ['mini'], expected, rationale: ''},
    resilience: {
      retry: {maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 30_000, retryOn: ['rate-limit', 'server', 'timeout'], retryOnStatus: [408, 429, 500, 502, 503, 504], respectRetryAfter: true},
      circuitBreaker: {errorRate: 0.5, minRequests: 20, cooldownMs: 30_000, windowMs: 60_000, countClasses: ['server', 'timeout']},
      basis: [],
    },
  };
}

const MODEL_OF: Record<string, string> = {'sim-large': 'large', 'sim-mini': 'mini', 'sim-mid': 'mid', 'sim-broken': 'broken', 'sim-stall': 'stall'};

interface Probe {
  tags: string[];
  suite: string;
  inputTokens: number;
}

describe('the exported Portkey config in the real Portkey gateway', () => {
  let sandbox: SandboxProcess;
  let gateway: PortkeyProcess;
  let policy: RoutingPolicy;
  let configText: string;
  let header: string;
  let n = 0;

  beforeAll(async () => {
    const models = ['sim-large', 'sim-mini', 'sim-mid', 'sim-broken', 'sim-stall'].map((id) => resolveSimModel(id, {accuracy: 0.9}));
    models[3]!.faults.server = 1;
    models[4]!.faults.slowHeaders = 1;
    models[4]!.faults.slowHeadersMs = 600_000;
    [sandbox, gateway] = await Promise.all([SandboxProcess.start({models, latencyScale: 0}), PortkeyProcess.start({seed: 7})]);
    policy = policyFor(sandbox.url);
    configText = exportPortkey(policy);
    header = portkeyConfigHeader(configText, KEYS);
  });
  afterAll(async () => {
    await Promise.all([gateway?.close(), sandbox?.close()]);
  });

  /** Sends one probe through the gateway; returns its status and every upstream request it caused. */
  async function send(p: Probe, opts: {headers?: Record<string, string>; config?: string} = {}): Promise<{status: number; upstream: SandboxRequestLog[]; prompt: string}> {
    const prompt = `probe ${n++}: ${p.tags.join(',')} ${p.suite} ${p.inputTokens}`;
    const metadata = {tags: p.tags.join(';'), suite: p.suite, input_tokens: String(p.inputTokens)};
    // The client's own params differ from the measured ones: the gateway must pin the measured ones.
    const res = await gateway.chat(opts.config ?? header, {model: 'client-choice', messages: [{role: 'user', content: prompt}], temperature: 0.9, max_tokens: 7}, metadata, opts.headers);
    const upstream = (await sandbox.log()).filter((e) => e.prompt === prompt);
    return {status: res.status, upstream, prompt};
  }
  const served = (upstream: SandboxRequestLog[]) => upstream.filter((e) => e.status === 200).map((e) => MODEL_OF[e.model]);
  const routeOf = (p: Probe) => {
    const d = createRouter(policy).decide({tags: p.tags, metadata: {suite: p.suite}, inputTokens: p.inputTokens});
    return d.rule === -1 ? policy.default : policy.rules[d.rule]!;
  };

  it('holds env var references, never the key values', () => {
    for (const value of Object.values(KEYS)) expect(configText).not.toContain(value);
    expect(configText).toContain('${ASSAY_TEST_ANTHROPIC_KEY}');
    expect(() => portkeyConfigHeader(configText, {})).toThrow(/ASSAY_TEST_ANTHROPIC_KEY, ASSAY_TEST_LOCAL_KEY not set/);
  });

  it('routes every request to a model of the rule createRouter picks, with the measured params, and no config errors', async () => {
    const probes: Probe[] = [];
    for (const tags of [[], ['math'], ['chat'], ['chat', 'math']]) for (const suite of ['capitals', 'misc']) for (const inputTokens of [20, 150, 399]) probes.push({tags, suite, inputTokens});
    let agree = 0;
    for (const p of probes) {
      const {status, upstream} = await send(p);
      expect(status, JSON.stringify(p)).toBe(200);
      // One upstream request, to a model of the matched route: no retries, no fallbacks, nothing rejected.
      expect(upstream).toHaveLength(1);
      const route = routeOf(p).route.map((w) => w.model);
      expect(route).toContain(served(upstream)[0]);
      agree++;
    }
    expect(agree).toBe(probes.length);
    const log = await sandbox.log();
    const large = log.filter((e) => e.model === 'sim-large');
    expect(large.length).toBeGreaterThan(0);
    // Anthropic gets the measured max_tokens and temperature, not the client's 7 and 0.9.
    for (const e of large) expect(e.params).toMatchObject({maxTokens: 300, temperature: 0});
    for (const e of log.filter((x) => x.model === 'sim-mini')) expect(e.params?.temperature).toBe(0.2);
  });

  it('splits a rule\'s traffic by its weights', async () => {
    const counts: Record<string, number> = {};
    const N = 300;
    for (let i = 0; i < N; i++) {
      const {status, upstream} = await send({tags: [], suite: 'capitals', inputTokens: 30});
      expect(status).toBe(200);
      const model = served(upstream)[0]!;
      counts[model] = (counts[model] ?? 0) + 1;
    }
    // The gateway's draws are seeded, so this repeats exactly; the bound is 4 standard errors of a share.
    const share = (counts.mini ?? 0) / N;
    expect(Math.abs(share - 0.7)).toBeLessThan(4 * Math.sqrt((0.7 * 0.3) / N));
    expect((counts.mini ?? 0) + (counts.mid ?? 0)).toBe(N);
  });

  it('walks the rest of a split route before the fallbacks when the picked model fails, as route() orders it', async () => {
    const orders = routeOrders(policy.rules[2]!.route, policy.rules[2]!.fallback).map((p) => p.order);
    // Whatever the weighted pick, the first model in route()'s order that does not fail is mid, never the fallback mini.
    const firstHealthy = new Set(orders.map((o) => o.find((m) => m !== 'broken')));
    expect([...firstHealthy]).toEqual(['mid']);
    let brokenPicked = 0;
    for (let i = 0; i < 12; i++) {
      const {status, upstream} = await send({tags: [], suite: 'misc', inputTokens: 500});
      expect(status).toBe(200);
      expect(served(upstream)).toEqual(['mid']);
      const broken = upstream.filter((e) => e.model === 'sim-broken');
      if (broken.length > 0) {
        brokenPicked++;
        // 500 is retried once (maxAttempts 2) on the same model, then the chain moves on.
        expect(broken.map((e) => e.status)).toEqual([500, 500]);
        expect(upstream.map((e) => MODEL_OF[e.model])).toEqual(['broken', 'broken', 'mid']);
      }
    }
    expect(brokenPicked).toBeGreaterThan(0);
  });

  it('times out a model that never answers, retries it once, then falls back', async () => {
    for (let i = 0; i < 2; i++) {
      const {status, upstream} = await send({tags: ['slow'], suite: 'misc', inputTokens: 30});
      expect(status).toBe(200);
      expect(upstream.map((e) => MODEL_OF[e.model])).toEqual(['stall', 'stall', 'mini']);
      expect(served(upstream)).toEqual(['mini']);
    }
  });

  it('retries a transient failure on the same model, and does not retry a 400', async () => {
    const withHeaders = JSON.stringify({...JSON.parse(header), forward_headers: ['x-sandbox-fault', 'x-sandbox-fault-times']});
    const transient = await send({tags: [], suite: 'misc', inputTokens: 30}, {config: withHeaders, headers: {'x-sandbox-fault': 'server', 'x-sandbox-fault-times': '1'}});
    expect(transient.status).toBe(200);
    expect(transient.upstream.map((e) => [MODEL_OF[e.model], e.status])).toEqual([['mid', 500], ['mid', 200]]);

    const permanent = await send({tags: [], suite: 'misc', inputTokens: 30}, {config: withHeaders, headers: {'x-sandbox-fault': 'bad-request', 'x-sandbox-fault-times': '1'}});
    // 400 is not in the retry list: one attempt on each model of the chain, in route() order (mid, mini);
    // the forced fault hits each model's first request, so the client gets the last 400.
    expect(permanent.upstream.map((e) => [MODEL_OF[e.model], e.status])).toEqual([['mid', 400], ['mini', 400]]);
    expect(permanent.status).toBe(400);
  });
});
