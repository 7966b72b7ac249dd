import {createServer, type IncomingMessage, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LoadedProvider} from '../src/config/load-config.ts';
import {providerSchema} from '../src/config/schema.ts';
import {createProviderClient} from '../src/providers/create-client.ts';
import {readPath} from '../src/providers/json-path.ts';
import {ProviderError} from '../src/providers/provider-error.ts';
import {sseEvents} from '../src/providers/sse-events.ts';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {makeProject} from './helpers.ts';

// A small custom API that is nothing like OpenAI: key in the query string, its own JSON and SSE.
const KEY = 'acme-secret-key-123456';
const seen: Array<{path: string; key: string | null; body: unknown}> = [];
let other = 0;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => resolve(b));
  });
}

const api: Server = createServer(async (req, res) => {
  const url = new URL(req.url!, 'http://x');
  const body = req.method === 'POST' ? JSON.parse(await readBody(req)) : null;
  seen.push({path: url.pathname, key: url.searchParams.get('api_key'), body});
  if (url.pathname.startsWith('/moved')) {
    res.writeHead(307, {location: `${otherUrl}/generate`});
    return res.end();
  }
  if (url.searchParams.get('api_key') !== KEY) {
    res.writeHead(401, {'content-type': 'application/json'});
    return res.end(JSON.stringify({problem: {message: 'bad api_key'}}));
  }
  if (url.pathname === '/engines') {
    res.writeHead(200, {'content-type': 'application/json'});
    return res.end(JSON.stringify({engines: [{name: 'acme-large'}, {name: 'acme-small'}]}));
  }
  if (url.pathname.startsWith('/moved')) {
    res.writeHead(307, {location: `${otherUrl}/generate`});
    return res.end();
  }
  const answer = `echo: ${body.input.question}`;
  if (body.mode === 'stream') {
    res.writeHead(200, {'content-type': 'text/event-stream'});
    // CRLF line ends, a comment, and a UTF-8 character split across two writes.
    res.write(': keep-alive\r\n\r\n');
    const bytes = Buffer.from(JSON.stringify({piece: `${answer} ✓`}));
    const cut = bytes.indexOf(Buffer.from('✓')) + 1;
    res.write(Buffer.concat([Buffer.from('data: '), bytes.subarray(0, cut)]));
    await new Promise((r) => setTimeout(r, 20));
    res.write(Buffer.concat([bytes.subarray(cut), Buffer.from('\r\n\r\n')]));
    res.write(`data: ${JSON.stringify({piece: '', meter: {in: 7, out: 4}, why: 'complete'})}\n\n`);
    return res.end('data: END\n\n');
  }
  res.writeHead(200, {'content-type': 'application/json'});
  res.end(JSON.stringify({result: {outputs: [{text: answer}]}, meter: {in: 7, out: 3}, why: 'complete'}));
});
const otherServer: Server = createServer((_req, res) => {
  other++;
  res.end('{}');
});
let apiUrl = '';
let otherUrl = '';

beforeAll(async () => {
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => otherServer.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  otherUrl = `http://127.0.0.1:${(otherServer.address() as AddressInfo).port}`;
});
afterAll(() => {
  api.close();
  otherServer.close();
});

const definition = (extra: Record<string, unknown> = {}) =>
  providerSchema.parse({
    id: 'acme',
    type: 'http',
    baseURL: apiUrl,
    auth: {type: 'query', name: 'api_key', env: 'ACME_KEY'},
    http: {
      path: '/generate',
      body: '{"engine": {{json model}}, "input": {"question": {{json prompt}}}, "limit": {{default params.maxTokens 64}}}',
      response: {text: 'result.outputs[0].text', inputTokens: 'meter.in', outputTokens: 'meter.out', finishReason: 'why'},
      stream: {body: '{"engine": {{json model}}, "mode": "stream", "input": {"question": {{json prompt}}}}', text: 'piece', done: 'END', inputTokens: 'meter.in', outputTokens: 'meter.out', finishReason: 'why'},
      models: {path: '/engines', ids: 'engines[].name'},
    },
    models: [{label: 'acme', model: 'acme-large'}],
    ...extra,
  });

async function client(extra: Record<string, unknown> = {}, key = KEY) {
  return createProviderClient({...definition(extra), file: 'acme.yaml'} as LoadedProvider, {warn: () => {}, env: {ACME_KEY: key}});
}

const ask = {messages: [{role: 'user' as const, content: 'What is 2+2?'}], params: {maxTokens: 32}, timeoutMs: 5000};

describe('http provider', () => {
  it('renders the body template, sends the key as a query parameter, and reads the reply by paths', async () => {
    const c = await client();
    const r = await c.complete('acme-large', {...ask, stream: false});
    expect(r).toMatchObject({text: 'echo: What is 2+2?', inputTokens: 7, outputTokens: 3, finishReason: 'other', finishReasonRaw: 'complete', ttftMs: null});
    expect(seen.at(-1)).toEqual({path: '/generate', key: KEY, body: {engine: 'acme-large', input: {question: 'What is 2+2?'}, limit: 32}});
  });

  it('streams SSE with a path per event: CRLF, comments, split UTF-8, a done sentinel', async () => {
    const c = await client();
    const r = await c.complete('acme-large', {...ask, stream: true});
    expect(r.text).toBe('echo: What is 2+2? ✓');
    expect(r.ttftMs).not.toBeNull();
    expect(r.ttftMs!).toBeLessThanOrEqual(r.latencyMs);
    expect(r).toMatchObject({inputTokens: 7, outputTokens: 4, finishReasonRaw: 'complete'});
  });

  it('lists models by path', async () => {
    expect(await (await client()).listModels()).toEqual(['acme-large', 'acme-small']);
  });

  it('classifies a rejected key as auth, without the key in the message', async () => {
    const error = (await (await client({}, 'wrong-key-000000')).complete('acme-large', {...ask, stream: false}).catch((e: unknown) => e)) as ProviderError;
    expect(error.errorClass).toBe('auth');
    expect(error.message).toContain('bad api_key');
    expect(`${error.message} ${error.hint}`).not.toContain('wrong-key-000000');
  });

  it('names a response path that is not in the reply', async () => {
    const spec = definition().http!;
    const c = await client({http: {...spec, response: {text: 'result.text'}}});
    const error = (await c.complete('acme-large', {...ask, stream: false}).catch((e: unknown) => e)) as ProviderError;
    expect(error.errorClass).toBe('bad-response');
    expect(error.message).toContain('"result.text" is missing');
    expect(error.hint).toContain('result, meter, why');
  });

  it('never follows a redirect to another origin, so the key cannot leak', async () => {
    const spec = definition().http!;
    const c = await client({http: {...spec, path: '/moved'}});
    const error = (await c.complete('acme-large', {...ask, stream: false}).catch((e: unknown) => e)) as ProviderError;
    expect(error.message).toContain('not followed');
    expect(error.hint).toContain(otherUrl);
    expect(other).toBe(0);
  });

  it('runs a suite end to end through the runner', async () => {
    const project = makeProject({
      'bench.config.yaml': `providers: [acme.json]\nsuites: [s.yaml]\n`,
      'acme.json': JSON.stringify({...definition(), models: [{label: 'acme', model: 'acme-large', stream: true}]}),
      's.yaml': 'id: s\nprompt: "{{q}}"\ncases:\n  - {q: "hello", expected: "echo: hello ✓"}\ngraders: [{type: exact-match}]\n',
    });
    process.env.ACME_KEY = KEY;
    try {
      const outcome = await runBenchmark({cwd: project});
      expect(outcome.results[0]).toMatchObject({status: 'ok', pass: true, inputTokens: 7, outputTokens: 4, tokensEstimated: false});
    } finally {
      delete process.env.ACME_KEY;
    }
  });
});

describe('path reading and SSE parsing', () => {
  it('reads dot paths, indexes and list projections', () => {
    const v = {a: {b: [{c: 1}, {c: 2}]}};
    expect(readPath(v, 'a.b[1].c')).toBe(2);
    expect(readPath(v, 'a.b[].c')).toEqual([1, 2]);
    expect(readPath(v, 'a.x.y')).toBeUndefined();
  });

  it('parses multi-line data and named events', async () => {
    const stream = new Blob(['event: delta\ndata: line1\ndata: line2\n\n', 'data: last']).stream();
    const events = [];
    for await (const e of sseEvents(stream)) events.push(e);
    expect(events).toEqual([{event: 'delta', data: 'line1\nline2'}, {event: 'message', data: 'last'}]);
  });
});

describe('SDK providers and redirects', () => {
  it.each(['openai', 'anthropic', 'gemini'] as const)('%s: a redirect to another origin is refused and nothing reaches it', async (type) => {
    const before = other;
    const base = `${apiUrl}/moved`;
    const c = await createProviderClient({id: 'sdk', type, baseURL: base, auth: {env: 'K'}, models: [], file: 'p.yaml'} as LoadedProvider, {warn: () => {}, env: {K: KEY}});
    const error = (await c.complete('m', {...ask, stream: false}).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toContain('not followed');
    expect(other).toBe(before);
  });
});
