import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LoadedProvider} from '../src/config/load-config.ts';
import {createProviderClient} from '../src/providers/create-client.ts';
import {ProviderError} from '../src/providers/provider-error.ts';
import {Sandbox, splitTokens} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';

// Real SDKs over real HTTP against the sandbox on loopback: nothing here mocks an SDK.
const sandbox = new Sandbox({
  models: [resolveSimModel('sim-test', {accuracy: 1, ttftMs: 40, msPerToken: 2, latencySigma: 0}), resolveSimModel('sim-slow', {ttftMs: 10_000, msPerToken: 0, latencySigma: 0})],
  seed: 3,
});
const PROMPT = 'What is the capital of Testland? Answer with the city name only.';
const ANSWER = 'Sandbox City of the Long Name Test';

beforeAll(async () => {
  await sandbox.listen();
  sandbox.answerKey.register(PROMPT, {expected: ANSWER, tags: ['factual'], group: 'g'});
});
afterAll(() => sandbox.close());

const WIRES = ['openai', 'anthropic', 'gemini'] as const;

function provider(wire: (typeof WIRES)[number], extra: Partial<LoadedProvider> = {}): LoadedProvider {
  return {id: `p-${wire}`, type: 'sandbox', wire, models: [], file: 'inline', ...extra} as LoadedProvider;
}

async function client(wire: (typeof WIRES)[number], extra: Partial<LoadedProvider> = {}, warnings: string[] = []) {
  return createProviderClient(provider(wire, extra), {warn: (w) => warnings.push(w.message), baseURL: sandbox.baseURLFor(wire)});
}

describe.each(WIRES)('%s SDK against the sandbox', (wire) => {
  it.each([false, true])('stream=%s returns the text, usage and timing', async (stream) => {
    const before = sandbox.log.length;
    const c = await client(wire);
    const r = await c.complete('sim-test', {messages: [{role: 'system', content: 'Be brief.'}, {role: 'user', content: PROMPT}], params: {temperature: 0, maxTokens: 64}, stream, timeoutMs: 5000});
    expect(r.text).toBe(ANSWER);
    expect(r.finishReason).toBe('stop');
    expect(r.inputTokens).toBeGreaterThan(10);
    // The sandbox streams one piece per token, so usage must equal the pieces it sent.
    expect(r.outputTokens).toBe(splitTokens(ANSWER).length);
    expect(r.latencyMs).toBeGreaterThanOrEqual(40);
    if (stream) {
      expect(r.ttftMs).not.toBeNull();
      expect(r.ttftMs!).toBeGreaterThanOrEqual(35);
      expect(r.ttftMs!).toBeLessThanOrEqual(r.latencyMs);
    } else {
      expect(r.ttftMs).toBeNull();
    }
    const logged = sandbox.log.slice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({wire, stream, model: 'sim-test'});
  });

  it('reports max-token truncation as finish reason "length"', async () => {
    const c = await client(wire);
    const r = await c.complete('sim-test', {messages: [{role: 'user', content: PROMPT}], params: {maxTokens: 2}, stream: true, timeoutMs: 5000});
    expect(r.finishReason).toBe('length');
    expect(r.outputTokens).toBe(2);
  });

  it('stops an unstreamed request when the caller aborts, and does not call it a timeout', async () => {
    const c = await client(wire);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by the test')), 50);
    // sim-slow takes 10 s to answer: only the abort can end this request in time.
    const error = await c.complete('sim-slow', {messages: [{role: 'user', content: PROMPT}], params: {}, stream: false, signal: controller.signal, timeoutMs: 20_000}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).errorClass).not.toBe('timeout');
  });

  it('lists the served models', async () => {
    expect(await (await client(wire)).listModels()).toContain('sim-test');
  });

  const faults: Array<[string, string, number | null]> = [
    ['auth', 'auth', 401],
    ['forbidden', 'auth', 403],
    ['not-found', 'not-found', 404],
    ['bad-request', 'bad-request', 400],
    ['rate-limit', 'rate-limit', 429],
    ['server', 'server', 500],
    ['reset', 'network', null],
    ['malformed', 'bad-response', null],
  ];
  it.each(faults)('classifies a %s fault as %s', async (fault, errorClass, status) => {
    const c = await client(wire, {headers: {'x-sandbox-fault': fault}});
    const error = await c.complete('sim-test', {messages: [{role: 'user', content: PROMPT}], params: {}, stream: false, timeoutMs: 5000}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    const e = error as ProviderError;
    expect(e.errorClass).toBe(errorClass);
    expect(e.status).toBe(status);
    expect(e.hint).toBeTruthy();
    expect(e.retryable).toBe(['rate-limit', 'server', 'network', 'bad-response'].includes(errorClass));
    if (errorClass === 'rate-limit') expect(e.retryAfterMs).toBe(1000);
  });

  it('classifies a malformed stream as bad-response', async () => {
    const c = await client(wire, {headers: {'x-sandbox-fault': 'malformed'}});
    const error = await c.complete('sim-test', {messages: [{role: 'user', content: PROMPT}], params: {}, stream: true, timeoutMs: 5000}).catch((e: unknown) => e);
    expect((error as ProviderError).errorClass).toBe('bad-response');
  });

  it('times out a stalled stream', async () => {
    const c = await client(wire, {headers: {'x-sandbox-fault': 'stall'}});
    // The stalled stream never ends by itself: that this returns at all (within the test timeout) is the deadline working.
    const error = await c.complete('sim-test', {messages: [{role: 'user', content: PROMPT}], params: {}, stream: true, timeoutMs: 300}).catch((e: unknown) => e);
    expect((error as ProviderError).errorClass).toBe('timeout');
  });

  it('answers 404 for a model the sandbox does not serve, with a hint naming the model id', async () => {
    const error = await (await client(wire)).complete('no-such-model', {messages: [{role: 'user', content: PROMPT}], params: {}, stream: false, timeoutMs: 5000}).catch((e: unknown) => e);
    expect((error as ProviderError).errorClass).toBe('not-found');
    expect((error as ProviderError).hint).toContain('no-such-model');
  });
});

describe('parameter mapping', () => {
  it('warns once about parameters a provider cannot take, and does not send them', async () => {
    const warnings: string[] = [];
    const c = await client('anthropic', {}, warnings);
    for (let i = 0; i < 2; i++) {
      await c.complete('sim-test', {messages: [{role: 'user', content: PROMPT}], params: {frequencyPenalty: 0.5, seed: 4}, stream: false, timeoutMs: 5000});
    }
    expect(warnings).toEqual([expect.stringContaining('frequencyPenalty'), expect.stringContaining('seed')]);
  });

  it('keeps keys out of error messages', async () => {
    const secret = 'sk-test-SECRET-0123456789abcdef';
    const c = await createProviderClient(
      {id: 'real-openai', type: 'openai', baseURL: `${sandbox.url}/v1`, auth: {env: 'ASSAY_TEST_KEY'}, headers: {'x-sandbox-fault': 'auth'}, models: [], file: 'inline'} as LoadedProvider,
      {warn: () => {}, env: {ASSAY_TEST_KEY: secret}},
    );
    const error = (await c.complete('sim-test', {messages: [{role: 'user', content: PROMPT}], params: {}, stream: false, timeoutMs: 5000}).catch((e: unknown) => e)) as ProviderError;
    expect(error.errorClass).toBe('auth');
    expect(error.hint).toContain('$ASSAY_TEST_KEY');
    expect(`${error.message} ${error.hint}`).not.toContain(secret);
  });
});
