import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadConfig} from '../src/config/load-config.ts';
import type {Result} from '../src/core/types.ts';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {registerSuiteAnswers} from '../src/sandbox/start-sandbox.ts';
import {makeProject} from './helpers.ts';
import {RecordingProxy, type RecordedBody} from './recording-proxy.ts';

// `api: responses`: OpenAI's Responses API through the real SDK over real HTTP, streamed and not,
// with usage, reasoning, structured output, tools (one call, several, none, after a result) and
// images; a recording proxy in front of the sandbox keeps each body as the SDK sent it.
const sandbox = new Sandbox({models: [resolveSimModel('right', {accuracy: 1, reasoningTokens: 32}), resolveSimModel('wrong', {accuracy: 0})], latencyScale: 0});
const bodies: RecordedBody[] = [];
let proxy: RecordingProxy;
let proxyUrl: string;

beforeAll(async () => {
  await sandbox.listen();
  proxy = await RecordingProxy.start(sandbox.url, bodies);
  proxyUrl = proxy.url;
});
afterAll(async () => {
  await proxy.close();
  await sandbox.close();
});

const TOOLS = `tools:
  - name: get_weather
    description: Current weather for a city.
    parameters: {type: object, properties: {city: {type: string}}, required: [city]}
  - name: convert_currency
    parameters: {type: object, properties: {amount: {type: number}, from: {type: string}, to: {type: string}}, required: [amount, from, to]}
`;
const SCHEMA = {type: 'object', properties: {city: {type: 'string'}}, required: ['city']};

function project(): string {
  const models = ['right', 'wrong'].flatMap((m) => [`{label: ${m}-stream, model: ${m}, stream: true}`, `{label: ${m}-json, model: ${m}, stream: false}`]).join(', ');
  return makeProject({
    'bench.config.yaml': `providers:
  - {id: oa, type: openai, api: responses, baseURL: "${proxyUrl}/v1", auth: {env: ASSAY_RESPONSES_KEY}, models: [${models}]}
suites: [calls.yaml, followup.yaml, capital.yaml]
`,
    'calls.yaml': `id: calls
system: You can call tools.
prompt: "{{question}}"
${TOOLS}toolChoice: auto
cases:
  - {id: one-call, question: "Weather in Paris?", calls: [{name: get_weather, arguments: {city: Paris}}]}
  - {id: two-calls, question: "Weather in Oslo, and 250 EUR in JPY?", calls: [{name: get_weather, arguments: {city: Oslo}}, {name: convert_currency, arguments: {amount: 250, from: EUR, to: JPY}}]}
  - {id: no-call, question: "Say hello.", calls: []}
graders:
  - {type: tool-calls, calls: "{{calls}}"}
`,
    'followup.yaml': `id: followup
${TOOLS}messages:
  - {role: user, content: "Weather in {{city}}?"}
  - {role: assistant, toolCalls: [{name: get_weather, arguments: {city: "{{city}}"}}]}
  - {role: tool, content: '{"tempC": 19}'}
cases:
  - {id: after-result, city: Lima, expected: "19 °C in Lima."}
graders:
  - {type: tool-call, name: null}
  - {type: exact-match}
`,
    'capital.yaml': `id: capital
messages:
  - role: user
    content:
      - {type: text, text: "Which city? "}
      - {type: image, url: "https://images.example/paris.jpg"}
params:
  maxTokens: 64
  reasoning: {effort: low}
  responseFormat: {type: json_schema, name: place, schema: ${JSON.stringify(SCHEMA)}}
cases:
  - {id: paris, expected: '{"city": "Paris"}'}
graders:
  - {type: json-schema}
  - {type: exact-match}
`,
  });
}

let results: Result[] = [];
const of = (model: string, caseId: string) => results.find((r) => r.model === model && r.caseId === caseId)!;

describe('api: responses (OpenAI Responses API), streamed and not', () => {
  beforeAll(async () => {
    process.env.ASSAY_RESPONSES_KEY = 'k-responses';
    try {
      const cwd = project();
      registerSuiteAnswers(sandbox, await loadConfig(undefined, {cwd}));
      results = (await runBenchmark({cwd, noCache: true})).results;
    } finally {
      delete process.env.ASSAY_RESPONSES_KEY;
    }
  });

  it('grades every right model right and every wrong one wrong', () => {
    expect(results).toHaveLength(4 * 5);
    for (const r of results) {
      expect(r.status, `${r.model} ${r.caseId}: ${r.error?.message}`).toBe('ok');
      expect(r.pass, `${r.model} ${r.caseId}: ${r.grades.map((g) => g.reason).join(' | ')}`).toBe(r.model.startsWith('right'));
    }
  });

  it('reads text, calls (streamed in fragments or whole), usage with reasoning tokens, and the finish reason', () => {
    for (const mode of ['stream', 'json']) {
      const model = `right-${mode}`;
      expect(of(model, 'two-calls').toolCalls).toEqual([
        {name: 'get_weather', arguments: {city: 'Oslo'}},
        {name: 'convert_currency', arguments: {amount: 250, from: 'EUR', to: 'JPY'}},
      ]);
      expect(of(model, 'two-calls').finishReason).toBe('tool-call');
      expect(of(model, 'no-call').toolCalls).toEqual([]);
      expect(of(model, 'after-result').output).toBe('19 °C in Lima.');
      const paris = of(model, 'paris');
      expect(paris.output).toBe('{"city": "Paris"}');
      expect(paris.finishReason).toBe('stop');
      expect(paris.reasoningTokens).toBe(32);
      expect(paris.outputTokens).toBeGreaterThan(0);
      expect(paris.inputTokens).toBeGreaterThan(258);
      expect(paris.tokensEstimated).toBe(false);
      expect(paris.servedModel).toBe('right');
      if (mode === 'stream') expect(paris.ttftMs).not.toBeNull();
    }
  });

  it('sends the request in the Responses API\'s words', () => {
    const calls = bodies.find((b) => b.path.endsWith('/v1/responses') && b.body.tool_choice !== undefined)!.body;
    expect(calls).toMatchObject({
      instructions: 'You can call tools.',
      store: false,
      tools: [{type: 'function', name: 'get_weather', description: 'Current weather for a city.', parameters: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']}, strict: false}, {type: 'function', name: 'convert_currency'}],
      tool_choice: 'auto',
    });
    expect(calls.input).toEqual([{role: 'user', content: expect.any(String)}]);
    const followup = bodies.find((b) => b.path.endsWith('/v1/responses') && (b.body.input as unknown[]).length === 3)!.body.input;
    expect(followup).toEqual([
      {role: 'user', content: 'Weather in Lima?'},
      {type: 'function_call', call_id: 'call_1_0', name: 'get_weather', arguments: '{"city":"Lima"}'},
      {type: 'function_call_output', call_id: 'call_1_0', output: '{"tempC": 19}'},
    ]);
    const capital = bodies.find((b) => b.path.endsWith('/v1/responses') && b.body.reasoning !== undefined)!.body;
    expect(capital).toMatchObject({
      max_output_tokens: 64,
      reasoning: {effort: 'low'},
      text: {format: {type: 'json_schema', name: 'place', schema: SCHEMA, strict: true}},
      input: [{role: 'user', content: [{type: 'input_text', text: 'Which city? '}, {type: 'input_image', image_url: 'https://images.example/paris.jpg', detail: 'auto'}]}],
    });
    expect(sandbox.log.filter((e) => e.wire === 'openai-responses').length).toBe(results.length);
  });
});

describe('api: responses where it does not apply', () => {
  it('is refused on a provider type that does not serve it, and on a sandbox speaking another wire', async () => {
    const suite = 'id: s\nprompt: hi\ncases: [{id: a}]\n';
    const anthropic = makeProject({'bench.config.yaml': `providers:\n  - {id: an, type: anthropic, api: responses, baseURL: "${proxyUrl}", auth: {env: ASSAY_RESPONSES_KEY}, models: [{label: a, model: right}]}\nsuites: [s.yaml]\n`, 's.yaml': suite});
    await expect(loadConfig(undefined, {cwd: anthropic})).rejects.toThrow(/field "providers\[0\]\.api": `api` is for providers of type openai, azure-openai, sandbox/);
    const gemini = makeProject({'bench.config.yaml': 'providers:\n  - {id: sb, type: sandbox, wire: gemini, api: responses, models: [{label: a, model: right}]}\nsuites: [s.yaml]\n', 's.yaml': suite});
    await expect(runBenchmark({cwd: gemini, noCache: true, sandboxLatencyScale: 0})).rejects.toThrow(/api: responses is OpenAI's Responses API; a sandbox provider with wire gemini does not serve it/);
  });
});
