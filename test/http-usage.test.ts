import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LoadedProvider} from '../src/config/load-config.ts';
import {providerSchema} from '../src/config/schema.ts';
import {createProviderClient} from '../src/providers/create-client.ts';

// A JSON-over-HTTP API (provider type http) whose usage counts cached input inside its input total and
// reasoning inside its output total, and whose gateway sends the cost as a header.
const api: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const stream = (JSON.parse(body) as {stream?: boolean}).stream === true;
    res.setHeader('x-litellm-response-cost', '0.00042');
    const usage = {in: 120, cached: 100, out: 50, thinking: 30};
    if (!stream) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({text: 'hello', usage}));
      return;
    }
    res.setHeader('content-type', 'text/event-stream');
    res.write(`data: ${JSON.stringify({delta: 'hel'})}\n\n`);
    res.write(`data: ${JSON.stringify({delta: 'lo', usage, cost: 0.0005})}\n\n`);
    res.end('data: END\n\n');
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(() => api.close());

async function client() {
  const def = providerSchema.parse({
    id: 'gw',
    type: 'http',
    baseURL: url,
    auth: {type: 'none'},
    http: {
      path: '/v1/generate',
      body: '{"prompt": {{json prompt}}, "stream": {{stream}}}',
      response: {
        text: 'text',
        inputTokens: 'usage.in',
        outputTokens: 'usage.out',
        cacheReadTokens: 'usage.cached',
        reasoningTokens: 'usage.thinking',
        costHeader: 'x-litellm-response-cost',
        inputIncludesCache: true,
        outputIncludesReasoning: true,
      },
      stream: {text: 'delta', done: 'END', inputTokens: 'usage.in', outputTokens: 'usage.out', cacheReadTokens: 'usage.cached', reasoningTokens: 'usage.thinking', costUsd: 'cost'},
    },
    models: [{label: 'm', model: 'm'}],
  });
  return createProviderClient({...def, file: 'gw.yaml'} as LoadedProvider, {warn: () => {}, env: {}});
}

describe('http provider usage paths', () => {
  it('reads cached and reasoning counts, subtracts them from totals that include them, and takes the cost header', async () => {
    const r = await (await client()).complete('m', {messages: [{role: 'user', content: 'hi'}], params: {}, stream: false, timeoutMs: 5000});
    expect(r).toMatchObject({inputTokens: 20, cacheReadTokens: 100, outputTokens: 20, reasoningTokens: 30, reportedCostUsd: 0.00042});
  });

  it('streamed: the event paths, and a cost in the body before the header', async () => {
    const r = await (await client()).complete('m', {messages: [{role: 'user', content: 'hi'}], params: {}, stream: true, timeoutMs: 5000});
    expect(r).toMatchObject({text: 'hello', inputTokens: 20, cacheReadTokens: 100, outputTokens: 20, reasoningTokens: 30, reportedCostUsd: 0.0005});
  });
});
