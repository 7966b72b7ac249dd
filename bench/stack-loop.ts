// Layers of the send path, each as a loop of its own against the zero-latency server, for
// bench/overhead.ts: how much of assay's CPU per request is the stack it builds on (the OpenAI SDK on
// assay's node:http transport) and how much the client wrapper adds (deadline, wire timing, reply
// checks), with no runner, grading or journal. Usage: node bench/stack-loop.ts URL TOTAL CONCURRENCY
// transport|sdk|client (assay's transport alone; the SDK on it; assay's client around the SDK). Prints one JSON line: requests per second and CPU seconds while sending.
import type {LoadedProvider} from '../src/config/load-config.ts';
import {createProviderClient} from '../src/providers/create-client.ts';

const [base, totalArg, concurrencyArg, layer] = process.argv.slice(2);
const total = Number(totalArg);
const concurrency = Number(concurrencyArg);
const provider = {id: 'local', type: 'openai-compatible', baseURL: `${base}/v1`, models: [], file: 'inline', circuitBreaker: false} as unknown as LoadedProvider;
process.env.OPENAI_API_KEY ??= 'sk-bench';
const client = await createProviderClient(provider, {warn: () => {}});
const {sdkClient} = await import('../src/providers/openai-client.ts');
const sdk = sdkClient({providerId: 'local', baseURL: `${base}/v1`, apiKey: 'sk-bench', keyEnv: undefined, headers: {}, query: {}, timeoutMs: 60_000, warn: () => {}}, undefined);
const messages = [{role: 'user' as const, content: 'Answer question 1'}];
const {httpTransport} = await import('../src/providers/http-transport.ts');
const body = JSON.stringify({model: 'zero-a', messages});
const headers = {'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer sk-bench'};
const once =
  layer === 'transport'
    ? () => httpTransport(`${base}/v1/chat/completions`, {method: 'POST', body, headers}).then((r) => r.json())
    : layer === 'sdk'
    ? () => sdk.chat.completions.create({model: 'zero-a', messages, stream: false}).withResponse()
    : () => client.complete('zero-a', {messages, params: {}, stream: false, timeoutMs: 60_000, stallTimeoutMs: 30_000, signal: new AbortController().signal});
for (let i = 0; i < 200; i++) await once(); // warm up
let next = 0;
const cpuBefore = process.cpuUsage();
const started = performance.now();
await Promise.all(
  Array.from({length: concurrency}, async () => {
    while (next++ < total) await once();
  }),
);
const wallS = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({rate: total / wallS, wallS, cpuS: (cpu.user + cpu.system) / 1e6}));
