import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LoadedProvider} from '../src/config/load-config.ts';
import {createProviderClient} from '../src/providers/create-client.ts';
import type {ProviderClient} from '../src/providers/provider-client.ts';
import {createPolicyClient, type PolicyEvent} from '../src/routing/create-policy-client.ts';
import type {RoutingPolicy} from '../src/routing/policy-types.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {SandboxProcess} from './sandbox-process.ts';

// createPolicyClient through assay's real provider clients (real SDKs over HTTP) to the sandbox in its
// own process: one model always answers 500, one never sends its headers, one refuses every request
// with 400. Keys make every weighted pick deterministic (sticky), so each test knows the order.

const expected = {quality: 0.9, costUsdPer1k: 1, p95LatencyMs: 100, n: 100};

function policy(breakerMinRequests: number): RoutingPolicy {
  return {
    version: 1,
    generatedAt: '2026-11-30T00:00:00Z',
    sources: ['test'],
    objective: {},
    models: {
      good: {type: 'sandbox', wire: 'anthropic', model: 'sim-good', params: {temperature: 0, maxTokens: 64}},
      other: {type: 'sandbox', wire: 'openai', model: 'sim-other'},
      broken: {type: 'sandbox', wire: 'openai', model: 'sim-broken'},
      stall: {type: 'sandbox', wire: 'openai', model: 'sim-stall', timeoutMs: 300},
      refused: {type: 'sandbox', wire: 'openai', model: 'sim-refused'},
    },
    rules: [
      {name: 'split', when: {tags: ['split']}, route: [{model: 'broken', weight: 0.5}, {model: 'good', weight: 0.5}], fallback: ['other'], expected, rationale: ''},
      {name: 'slow', when: {tags: ['slow']}, route: [{model: 'stall', weight: 1}], fallback: ['other'], expected, rationale: ''},
      {name: 'refused', when: {tags: ['refused']}, route: [{model: 'refused', weight: 1}], fallback: ['other'], expected, rationale: ''},
    ],
    default: {route: [{model: 'good', weight: 1}], fallback: ['other'], expected, rationale: ''},
    resilience: {
      retry: {maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, retryOn: ['rate-limit', 'server', 'timeout'], retryOnStatus: [408, 429, 500], respectRetryAfter: true},
      circuitBreaker: {errorRate: 0.5, minRequests: breakerMinRequests, cooldownMs: 3_600_000, windowMs: 3_600_000, countClasses: ['server', 'timeout']},
      basis: [],
    },
  };
}

describe('createPolicyClient: the whole policy in-process', () => {
  let sandbox: SandboxProcess;
  const clients: Record<string, ProviderClient> = {};

  beforeAll(async () => {
    const models = ['sim-good', 'sim-other', 'sim-broken', 'sim-stall', 'sim-refused'].map((id) => resolveSimModel(id, {accuracy: 0.9}));
    models[2]!.faults.server = 1;
    models[3]!.faults.slowHeaders = 1;
    models[3]!.faults.slowHeadersMs = 600_000;
    sandbox = await SandboxProcess.start({models, latencyScale: 0});
    const make = (id: string, wire: 'openai' | 'anthropic', headers: Record<string, string> = {}) =>
      createProviderClient({id, type: 'sandbox', wire, headers, models: [], file: 'inline'} as unknown as LoadedProvider, {warn: () => {}, baseURL: wire === 'openai' ? `${sandbox.url}/v1` : sandbox.url});
    const openai = await make('sim-openai', 'openai');
    clients.good = await make('sim-anthropic', 'anthropic');
    clients.other = openai;
    clients.broken = openai;
    clients.stall = openai;
    clients.refused = await make('sim-refusing', 'openai', {'x-sandbox-fault': 'bad-request'});
  });
  afterAll(async () => sandbox?.close());

  const modelsFor = () => Object.fromEntries(Object.entries(clients).map(([label, client]) => [label, {client}]));
  const messages = (text: string) => [{role: 'user' as const, content: text}];

  it('retries a failing pick, then walks the rest of the route before the fallbacks, with an event per attempt', async () => {
    const events: PolicyEvent[] = [];
    const pc = createPolicyClient(policy(1000), {models: modelsFor(), onEvent: (e) => events.push(e)});
    let brokenPicks = 0;
    for (let i = 0; i < 20; i++) {
      const key = `user-${i}`;
      const order = pc.router.route({tags: ['split'], key});
      events.length = 0;
      const res = await pc.complete({tags: ['split'], key, messages: messages(`split ${i}`)});
      expect(res.model).toBe('good');
      if (order[0] === 'broken') {
        brokenPicks++;
        expect(events.map((e) => `${e.type}:${e.model}`)).toEqual(['attempt:broken', 'failure:broken', 'attempt:broken', 'failure:broken', 'attempt:good', 'success:good']);
        expect(events[1]).toMatchObject({errorClass: 'server', status: 500});
        expect((events[1] as {retryInMs: number}).retryInMs).not.toBeNull();
        expect((events[3] as {retryInMs: number | null}).retryInMs).toBeNull();
        expect(res.tried).toEqual(['broken', 'good']);
      } else {
        expect(res.tried).toEqual(['good']);
      }
    }
    expect(brokenPicks).toBeGreaterThan(0);
    // The measured params reached the provider: Anthropic got its max_tokens and temperature.
    const good = (await sandbox.log()).filter((e) => e.model === 'sim-good');
    for (const e of good) expect(e.params).toMatchObject({maxTokens: 64, temperature: 0});
  });

  it('times out a model that never answers, retries it, then falls back', async () => {
    const events: PolicyEvent[] = [];
    const pc = createPolicyClient(policy(1000), {models: modelsFor(), onEvent: (e) => events.push(e)});
    const res = await pc.complete({tags: ['slow'], messages: messages('slow one')});
    expect(res.model).toBe('other');
    expect(events.filter((e) => e.type === 'failure').map((e) => (e as {errorClass: string}).errorClass)).toEqual(['timeout', 'timeout']);
  });

  it('does not retry a 400 on the same model', async () => {
    const events: PolicyEvent[] = [];
    const pc = createPolicyClient(policy(1000), {models: modelsFor(), onEvent: (e) => events.push(e)});
    const res = await pc.complete({tags: ['refused'], messages: messages('refused one')});
    expect(res.model).toBe('other');
    expect(events.map((e) => `${e.type}:${e.model}`)).toEqual(['attempt:refused', 'failure:refused', 'attempt:other', 'success:other']);
  });

  it('opens a model\'s breaker at the policy\'s error rate and stops sending to it', async () => {
    const events: PolicyEvent[] = [];
    const pc = createPolicyClient(policy(4), {models: modelsFor(), onEvent: (e) => events.push(e)});
    const keys = Array.from({length: 40}, (_, i) => `b-${i}`).filter((key) => pc.router.route({tags: ['split'], key})[0] === 'broken');
    expect(keys.length).toBeGreaterThan(4);
    const before = (await sandbox.log()).filter((e) => e.model === 'sim-broken').length;
    for (const key of keys) expect((await pc.complete({tags: ['split'], key, messages: messages(`breaker ${key}`)})).model).toBe('good');
    const sent = (await sandbox.log()).filter((e) => e.model === 'sim-broken').length - before;
    // Four failed attempts (two requests × two attempts) reach 100% ≥ 50% over ≥ 4: open; nothing more is sent.
    expect(sent).toBe(4);
    expect(pc.breakerState('broken')).toBe('open');
    expect(events.filter((e) => e.type === 'breaker')).toMatchObject([{model: 'broken', from: 'closed', to: 'open'}]);
    expect(events.filter((e) => e.type === 'skip' && e.model === 'broken')).toHaveLength(keys.length - 2);
  });
});
