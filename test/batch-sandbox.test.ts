import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LoadedProvider} from '../src/config/load-config.ts';
import {createProviderClient} from '../src/providers/create-client.ts';
import type {BatchApi, BatchItem, BatchItemOutcome} from '../src/providers/provider-client.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';

// The provider batch APIs (real OpenAI, Anthropic and @google/genai SDKs) against the sandbox's batch endpoints over loopback.
const server = new Sandbox({anyModel: true, latencyScale: 0, batch: {turnaroundMs: 150}});
beforeAll(async () => {
  await server.listen();
  for (let i = 0; i < 10; i++) server.answerKey.register(`What is ${i} + ${i}?`, {expected: String(2 * i), tags: [], group: 'add'});
});
afterAll(() => server.close());

const WIRES = ['openai', 'anthropic', 'gemini'] as const;

async function batchApi(wire: (typeof WIRES)[number], headers: Record<string, string> = {}): Promise<BatchApi> {
  const provider = {id: `p-${wire}`, type: 'sandbox', wire, headers, models: [], file: 'test'} as unknown as LoadedProvider;
  const client = await createProviderClient(provider, {warn: () => {}, baseURL: server.baseURLFor(wire)});
  expect(client.batch).toBeDefined();
  return client.batch!;
}

const items = (n: number, model = 'sim-batch'): BatchItem[] =>
  Array.from({length: n}, (_, i) => ({customId: `t${i}`, model, messages: [{role: 'user', content: `What is ${i} + ${i}?`}], params: {maxTokens: 64}}));

async function untilDone(api: BatchApi, id: string): Promise<Awaited<ReturnType<BatchApi['status']>>> {
  for (let i = 0; i < 100; i++) {
    const st = await api.status(id);
    if (st.done) return st;
    await sleep(20);
  }
  throw new Error('batch never ended');
}

const kinds = (outcomes: BatchItemOutcome[]) => outcomes.map((o) => ('completion' in o ? 'ok' : 'error' in o ? `error:${o.error.errorClass}` : o.unfinished));

describe.each(WIRES)('%s batch wire', (wire) => {
  it('submits, is in progress until its turnaround, then every request has its simulated answer', async () => {
    const api = await batchApi(wire);
    const before = {...server.batches.counts};
    const id = await api.submit(items(6));
    const first = await api.status(id);
    expect(first.done).toBe(false);
    expect(first.total).toBe(6);
    const st = await untilDone(api, id);
    expect(st).toMatchObject({done: true, total: 6, finished: 6, failed: 0});
    expect(st.endedAtMs).not.toBeNull();
    const results = await api.results(id);
    expect(results.map((r) => r.customId).sort()).toEqual(['t0', 't1', 't2', 't3', 't4', 't5']);
    for (const r of results) {
      if (!('completion' in r)) throw new Error(`expected a completion for ${r.customId}`);
      expect(r.completion.inputTokens).toBeGreaterThan(0);
      expect(r.completion.outputTokens).toBeGreaterThan(0);
      expect(r.completion.finishReason).toBe('stop');
    }
    expect(server.batches.counts.batches - before.batches).toBe(1);
    expect(server.batches.counts.lines - before.lines).toBe(6);
    expect(server.batches.counts.files - before.files).toBe(wire === 'openai' ? 1 : 0);
  });

  it('partial failure: some requests fail with a 500 (classified server), the rest succeed', async () => {
    const api = await batchApi(wire, {'x-sandbox-batch-failure-rate': '0.5', 'x-sandbox-batch-turnaround-ms': '30'});
    const id = await api.submit(items(10));
    const st = await untilDone(api, id);
    const got = kinds(await api.results(id));
    const failed = got.filter((k) => k === 'error:server').length;
    expect(failed).toBeGreaterThan(0);
    expect(got.filter((k) => k === 'ok').length).toBe(10 - failed);
    expect(st.failed).toBe(failed);
  });

  it('expiry: requests not processed before the batch expired come back as expired', async () => {
    const api = await batchApi(wire, {'x-sandbox-batch-turnaround-ms': '400', 'x-sandbox-batch-expire-ms': '100'});
    const id = await api.submit(items(8));
    const st = await untilDone(api, id);
    expect(st.raw).toBe({openai: 'expired', anthropic: 'ended', gemini: 'JOB_STATE_EXPIRED'}[wire]);
    if (wire === 'gemini') {
      // An expired Gemini batch has no results at all: the status says why its requests have none.
      expect(st.unfinished).toBe('expired');
      expect(await api.results(id)).toEqual([]);
      return;
    }
    const got = kinds(await api.results(id));
    expect(got).toHaveLength(8);
    // 100 of 400 ms: the first quarter was processed.
    expect(got.filter((k) => k === 'ok')).toHaveLength(2);
    expect(got.filter((k) => k === 'expired')).toHaveLength(6);
  });

  it('an unknown model errors per request (not-found), as a live request would', async () => {
    const strict = new Sandbox({latencyScale: 0, models: [], anyModel: false, batch: {turnaroundMs: 0}});
    await strict.listen();
    try {
      const provider = {id: 'strict', type: 'sandbox', wire, models: [], file: 'test'} as unknown as LoadedProvider;
      const api = (await createProviderClient(provider, {warn: () => {}, baseURL: strict.baseURLFor(wire)})).batch!;
      const id = await api.submit(items(2, 'no-such-model'));
      await untilDone(api, id);
      expect(kinds(await api.results(id))).toEqual(['error:not-found', 'error:not-found']);
    } finally {
      await strict.close();
    }
  });
});

describe('gemini batch wire', () => {
  it('inlined requests: results matched by metadata key, generation config applied (maxOutputTokens)', async () => {
    const api = await batchApi('gemini');
    const id = await api.submit([{customId: 'only', model: 'sim-batch', messages: [{role: 'system', content: 'Be terse.'}, {role: 'user', content: 'Describe the batch API of your provider in detail.'}], params: {maxTokens: 2, temperature: 0}}]);
    expect(id).toMatch(/^batches\//);
    const st = await untilDone(api, id);
    expect(st).toMatchObject({raw: 'JOB_STATE_SUCCEEDED', total: 1, finished: 1});
    const [r] = await api.results(id);
    if (!r || !('completion' in r)) throw new Error('expected a completion');
    expect(r.customId).toBe('only');
    // maxOutputTokens went through: the answer was cut at two tokens.
    expect(r.completion.finishReason).toBe('length');
  });
});

describe('sandbox batch state', () => {
  it('survives a sandbox restart when persisted to a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'assay-batch-state-')), 'state.json');
    const first = new Sandbox({anyModel: true, latencyScale: 0, batch: {turnaroundMs: 100}});
    first.batches.persistTo(file);
    await first.listen();
    const provider = {id: 'p', type: 'sandbox', wire: 'anthropic', models: [], file: 'test'} as unknown as LoadedProvider;
    const id = await (await createProviderClient(provider, {warn: () => {}, baseURL: first.baseURLFor('anthropic')})).batch!.submit(items(3));
    await first.close();

    const second = new Sandbox({anyModel: true, latencyScale: 0});
    second.batches.persistTo(file);
    await second.listen();
    try {
      const api = (await createProviderClient(provider, {warn: () => {}, baseURL: second.baseURLFor('anthropic')})).batch!;
      await untilDone(api, id);
      expect(kinds(await api.results(id))).toEqual(['ok', 'ok', 'ok']);
      expect(second.batches.counts.batches).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('an unknown batch id is a 404 (not-found) on every wire', async () => {
    for (const wire of WIRES) {
      const api = await batchApi(wire);
      await expect(api.status({openai: 'batch_nope', anthropic: 'msgbatch_nope', gemini: 'batches/nope'}[wire])).rejects.toMatchObject({errorClass: 'not-found'});
    }
  });
});
