import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import Papa from 'papaparse';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadConfig} from '../src/config/load-config.ts';
import type {Result} from '../src/core/types.ts';
import {taskCacheKey} from '../src/runner/execute-task.ts';
import {planTasks} from '../src/runner/plan-tasks.ts';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {taskFingerprint} from '../src/runner/task-fingerprint.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {registerSuiteAnswers} from '../src/sandbox/start-sandbox.ts';
import {FAST_DEFAULT_CONFIG, makeProject} from './helpers.ts';
import {RecordingProxy, type RecordedBody} from './recording-proxy.ts';

// Tools through the real SDKs over real HTTP, on each wire, streamed and not: a recording proxy in
// front of the sandbox keeps each request body as the SDK sent it. The sandbox's "right" model
// always makes the expected calls, its "wrong" one never does, so every grade is known in advance.
const sandbox = new Sandbox({models: [resolveSimModel('right', {accuracy: 1}), resolveSimModel('wrong', {accuracy: 0})], latencyScale: 0});
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

const WIRES = ['oa', 'an', 'ge'] as const;
const models = (wire: string) =>
  ['right', 'wrong'].flatMap((m) => [`{label: ${wire}-${m}-stream, model: ${m}, stream: true}`, `{label: ${wire}-${m}-json, model: ${m}, stream: false}`]).join(', ');

const TOOLS = `tools:
  - name: get_weather
    description: Current weather for a city.
    parameters: {type: object, properties: {city: {type: string}, unit: {type: string, enum: [celsius, fahrenheit]}}, required: [city]}
  - name: convert_currency
    parameters: {type: object, properties: {amount: {type: number}, from: {type: string}, to: {type: string}}, required: [amount, from, to]}
`;

function project(): string {
  return makeProject({
    'bench.config.yaml': `providers:
  - {id: oa, type: openai, baseURL: "${proxyUrl}/v1", auth: {env: ASSAY_TOOLS_KEY}, models: [${models('oa')}]}
  - {id: an, type: anthropic, baseURL: "${proxyUrl}", auth: {env: ASSAY_TOOLS_KEY}, models: [${models('an')}]}
  - {id: ge, type: gemini, baseURL: "${proxyUrl}", auth: {env: ASSAY_TOOLS_KEY}, models: [${models('ge')}]}
suites: [calls.yaml, followup.yaml]
`,
    // One call, several calls, no call; the expected calls come from a dataset column (amounts as CSV-like text: typed by the schema).
    'calls.yaml': `id: calls
prompt: "{{question}}"
${TOOLS}toolChoice: auto
cases:
  - {id: one-call, question: "Weather in Paris?", calls: [{name: get_weather, arguments: {city: Paris}}]}
  - {id: two-calls, question: "Weather in Oslo, and 250 EUR in JPY?", calls: [{name: get_weather, arguments: {city: Oslo}}, {name: convert_currency, arguments: {amount: "250", from: EUR, to: JPY}}]}
  - {id: no-call, question: "Say hello.", calls: []}
graders:
  - {type: tool-calls, calls: "{{calls}}", match: exact}
`,
    // A multi-turn case: the model called get_weather, the tool answered; now a text answer, no call.
    'followup.yaml': `id: followup
${TOOLS}messages:
  - {role: user, content: "Weather in {{city}}?"}
  - {role: assistant, toolCalls: [{name: get_weather, arguments: {city: "{{city}}"}}]}
  - {role: tool, content: '{"tempC": {{temp}}, "sky": "clear"}'}
cases:
  - {id: after-result, city: Lima, temp: 19, expected: "It is 19 °C in Lima."}
graders:
  - {type: tool-call, name: null}
  - {type: contains, value: "19"}
`,
  });
}

let results: Result[] = [];
let runDir = '';
const by = (pattern: RegExp, predicate: (b: Record<string, unknown>) => boolean = () => true) => {
  const found = bodies.find((b) => pattern.test(b.path) && predicate(b.body));
  if (!found) throw new Error(`no request matched ${pattern}: ${bodies.map((b) => b.path).join(', ')}`);
  return found.body;
};

describe('tools on each wire, streamed and not', () => {
  beforeAll(async () => {
    process.env.ASSAY_TOOLS_KEY = 'k-tools';
    try {
      const cwd = project();
      // Real provider types do not start the sandbox: register the suites' expected calls with it as `assay sandbox --config` would.
      registerSuiteAnswers(sandbox, await loadConfig(undefined, {cwd}));
      const outcome = await runBenchmark({cwd, noCache: true});
      results = outcome.results;
      runDir = outcome.dir;
    } finally {
      delete process.env.ASSAY_TOOLS_KEY;
    }
  });

  it('grades every right model right and every wrong model wrong, on every case', () => {
    expect(results).toHaveLength(3 * 4 * 4);
    for (const r of results) {
      expect(r.status, `${r.model} ${r.caseId}: ${r.error?.message}`).toBe('ok');
      expect(r.pass, `${r.model} ${r.suiteId}/${r.caseId}: ${r.grades.map((g) => g.reason).join(' | ')}`).toBe(r.model.includes('-right-'));
    }
  });

  it('records the calls each answer made, assembled from streamed fragments as from whole replies', () => {
    for (const wire of WIRES) {
      for (const mode of ['stream', 'json']) {
        const of = (caseId: string) => results.find((r) => r.model === `${wire}-right-${mode}` && r.caseId === caseId)!;
        expect(of('one-call').toolCalls).toEqual([{name: 'get_weather', arguments: {city: 'Paris'}}]);
        expect(of('two-calls').toolCalls).toEqual([
          {name: 'get_weather', arguments: {city: 'Oslo'}},
          {name: 'convert_currency', arguments: {amount: 250, from: 'EUR', to: 'JPY'}},
        ]);
        expect(of('no-call').toolCalls).toEqual([]);
        expect(of('no-call').output).not.toBe('');
        expect(of('after-result').toolCalls).toEqual([]);
        expect(of('after-result').output).toBe('It is 19 °C in Lima.');
        expect(of('one-call').finishReason).toBe(wire === 'ge' ? 'stop' : 'tool-call');
      }
    }
  });

  it('results.csv carries the calls as JSON, and the report shows them as the answer', () => {
    const csv = Papa.parse<Record<string, string>>(readFileSync(join(runDir, 'results.csv'), 'utf8'), {header: true, skipEmptyLines: true}).data;
    const row = csv.find((r) => r.model === 'oa-right-stream' && r.caseId === 'two-calls')!;
    expect(JSON.parse(row.toolCalls!)).toEqual(results.find((r) => r.model === 'oa-right-stream' && r.caseId === 'two-calls')!.toolCalls);
    expect(csv.find((r) => r.model === 'oa-right-stream' && r.caseId === 'no-call')!.toolCalls).toBe('[]');
    expect(readFileSync(join(runDir, 'report.html'), 'utf8')).toContain('→ get_weather(');
  });

  it('wrong answers are plausible calls: a call where none was expected, and something off where one was', () => {
    for (const wire of WIRES) {
      const noCall = results.find((r) => r.model === `${wire}-wrong-stream` && r.caseId === 'no-call')!;
      expect(noCall.toolCalls!.length).toBeGreaterThan(0);
      expect(noCall.grades[0]!.reason).toMatch(/0 of 0 expected calls made, 1 other/);
    }
  });

  it('sends tools, tool choice and the multi-turn conversation in each API\'s native shape', () => {
    const weather = {type: 'object', properties: {city: {type: 'string'}, unit: {type: 'string', enum: ['celsius', 'fahrenheit']}}, required: ['city']};
    const openai = by(/chat\/completions/, (b) => b.tool_choice !== undefined);
    expect(openai).toMatchObject({tools: [{type: 'function', function: {name: 'get_weather', description: 'Current weather for a city.', parameters: weather}}, {type: 'function', function: {name: 'convert_currency'}}], tool_choice: 'auto'});
    const openaiTurns = by(/chat\/completions/, (b) => (b.messages as unknown[]).length === 3).messages as Array<Record<string, unknown>>;
    expect(openaiTurns[1]).toEqual({role: 'assistant', content: null, tool_calls: [{id: 'call_1_0', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Lima"}'}}]});
    expect(openaiTurns[2]).toEqual({role: 'tool', tool_call_id: 'call_1_0', content: '{"tempC": 19, "sky": "clear"}'});

    const anthropic = by(/\/v1\/messages/, (b) => b.tool_choice !== undefined);
    expect(anthropic).toMatchObject({tools: [{name: 'get_weather', description: 'Current weather for a city.', input_schema: weather}, {name: 'convert_currency'}], tool_choice: {type: 'auto'}});
    const anthropicTurns = by(/\/v1\/messages/, (b) => (b.messages as unknown[]).length === 3).messages as Array<Record<string, unknown>>;
    expect(anthropicTurns[1]).toEqual({role: 'assistant', content: [{type: 'tool_use', id: 'call_1_0', name: 'get_weather', input: {city: 'Lima'}}]});
    expect(anthropicTurns[2]).toEqual({role: 'user', content: [{type: 'tool_result', tool_use_id: 'call_1_0', content: '{"tempC": 19, "sky": "clear"}'}]});

    const gemini = by(/generatecontent/i, (b) => b.toolConfig !== undefined);
    expect(gemini).toMatchObject({tools: [{functionDeclarations: [{name: 'get_weather', description: 'Current weather for a city.', parametersJsonSchema: weather}, {name: 'convert_currency'}]}], toolConfig: {functionCallingConfig: {mode: 'AUTO'}}});
    const geminiTurns = by(/generatecontent/i, (b) => (b.contents as unknown[]).length === 3).contents as Array<Record<string, unknown>>;
    expect(geminiTurns[1]).toEqual({role: 'model', parts: [{functionCall: {name: 'get_weather', args: {city: 'Lima'}}}]});
    expect(geminiTurns[2]).toEqual({role: 'user', parts: [{functionResponse: {name: 'get_weather', response: {tempC: 19, sky: 'clear'}}}]});
  });

  it('the sandbox logs what each request offered and what it answered', () => {
    const offered = sandbox.log.filter((e) => e.tools);
    expect(new Set(offered.map((e) => e.wire))).toEqual(new Set(['openai', 'anthropic', 'gemini']));
    for (const e of offered) expect(e.tools).toEqual(['get_weather', 'convert_currency']);
    expect(sandbox.log.filter((e) => e.toolResults === 1)).toHaveLength(3 * 4);
  });
});

describe('tool choice that forces a call', () => {
  it('required and a named tool reach each wire in its own words, and the sandbox then calls even where no call was right', async () => {
    process.env.ASSAY_TOOLS_KEY = 'k-tools';
    bodies.length = 0;
    try {
      const suite = (id: string, choice: string) => `id: ${id}\nprompt: "Say hello."\n${TOOLS}toolChoice: ${choice}\ncases: [{id: hello}]\ngraders: [{type: tool-call, name: null}]\n`;
      const cwd = makeProject({
        'bench.config.yaml': `providers:
  - {id: oa, type: openai, baseURL: "${proxyUrl}/v1", auth: {env: ASSAY_TOOLS_KEY}, models: [{label: oa-m, model: right}]}
  - {id: an, type: anthropic, baseURL: "${proxyUrl}", auth: {env: ASSAY_TOOLS_KEY}, models: [{label: an-m, model: right}]}
  - {id: ge, type: gemini, baseURL: "${proxyUrl}", auth: {env: ASSAY_TOOLS_KEY}, models: [{label: ge-m, model: right}]}
suites: [required.yaml, named.yaml]
`,
        'required.yaml': suite('required', 'required'),
        'named.yaml': suite('named', '{name: convert_currency}'),
      });
      registerSuiteAnswers(sandbox, await loadConfig(undefined, {cwd}));
      const out = (await runBenchmark({cwd, noCache: true})).results;
      expect(out).toHaveLength(6);
      for (const r of out) {
        expect(r.status).toBe('ok');
        expect(r.toolCalls!.map((c) => c.name)).toEqual(r.suiteId === 'named' ? ['convert_currency'] : [expect.any(String)]);
        expect(r.pass).toBe(false);
      }
    } finally {
      delete process.env.ASSAY_TOOLS_KEY;
    }
    const choice = (pattern: RegExp, field: string) => bodies.filter((b) => pattern.test(b.path)).map((b) => b.body[field]);
    expect(choice(/chat\/completions/, 'tool_choice')).toEqual(expect.arrayContaining(['required', {type: 'function', function: {name: 'convert_currency'}}]));
    expect(choice(/\/v1\/messages/, 'tool_choice')).toEqual(expect.arrayContaining([{type: 'any'}, {type: 'tool', name: 'convert_currency'}]));
    expect(choice(/generatecontent/i, 'toolConfig')).toEqual(
      expect.arrayContaining([{functionCallingConfig: {mode: 'ANY'}}, {functionCallingConfig: {mode: 'ANY', allowedFunctionNames: ['convert_currency']}}]),
    );
  });
});

describe('tools in what identifies a request', () => {
  const config = `providers:
  - {id: oa, type: openai, baseURL: "http://127.0.0.1:9/v1", auth: {env: ASSAY_TOOLS_KEY}, models: [{label: oa-m, model: right}]}
suites: [s.yaml]
`;
  const keys = async (suiteExtra: string) => {
    const loaded = await loadConfig(undefined, {cwd: makeProject({'bench.config.yaml': config, 's.yaml': `id: s\nprompt: "Weather?"\ncases: [{id: a}]\n${suiteExtra}`})});
    const [task] = planTasks(loaded, {});
    return {cache: taskCacheKey(task!), fingerprint: taskFingerprint(task!)};
  };

  it('the response-cache key and the resume fingerprint change with the tools and the tool choice', async () => {
    const none = await keys('');
    const offered = await keys(TOOLS);
    const forced = await keys(`${TOOLS}toolChoice: required\n`);
    const described = await keys(TOOLS.replace('Current weather for a city.', 'Weather now.'));
    for (const other of [offered, forced, described]) {
      expect(other.cache).not.toBe(none.cache);
      expect(other.fingerprint).not.toBe(none.fingerprint);
    }
    expect(new Set([offered.cache, forced.cache, described.cache]).size).toBe(3);
    expect(new Set([offered.fingerprint, forced.fingerprint, described.fingerprint]).size).toBe(3);
  });

  it('refuses a tool choice without tools, one naming an unknown tool, and a tool result with no call to answer', async () => {
    await expect(keys('toolChoice: auto\n')).rejects.toThrow(/toolChoice needs `tools`/);
    await expect(keys(`${TOOLS}toolChoice: {name: get_time}\n`)).rejects.toThrow(/toolChoice names a tool that is not in `tools`/);
    const cwd = makeProject({'bench.config.yaml': config, 's.yaml': `id: s\n${TOOLS}messages:\n  - {role: user, content: hi}\n  - {role: tool, content: "{}"}\ncases: [{id: a}]\n`});
    await expect(loadConfig(undefined, {cwd})).rejects.toThrow(/s\.yaml:\d+ field "messages\[1\]\.toolCallId": a tool result with no assistant call before it to answer/);
  });
});

describe('the default tools suite on the default fleet', () => {
  it('runs offline live and through each provider\'s batch API, with the same calls both ways', async () => {
    const cwd = makeProject({'bench.config.json': JSON.stringify({...JSON.parse(FAST_DEFAULT_CONFIG), sandbox: {latencyScale: 0}})}, {withDefaults: true});
    const calls = (rs: Result[]) => Object.fromEntries(rs.map((r) => [`${r.model}/${r.caseId}`, r.toolCalls]));
    const live = (await runBenchmark({cwd, suites: ['tools'], noCache: true})).results;
    const batch = (await runBenchmark({cwd, suites: ['tools'], noCache: true, batch: true, batchPollMs: 20})).results;
    expect(live).toHaveLength(40);
    expect(batch.filter((r) => r.batchId && r.status === 'ok')).toHaveLength(40);
    expect(calls(batch)).toEqual(calls(live));
    // Every simulated model makes the right calls on most cases and a wrong one on some (accuracy 0.7 to 0.95).
    const passed = live.filter((r) => r.pass).length;
    expect(passed).toBeGreaterThan(20);
    expect(passed).toBeLessThan(40);
    expect(live.some((r) => r.caseId.startsWith('no-call') && r.pass && r.toolCalls!.length === 0)).toBe(true);
  });
});
