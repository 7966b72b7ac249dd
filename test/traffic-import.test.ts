import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {detectTrafficFormat, importTrafficRecord, loadTraffic, parseTrafficRecord, TRAFFIC_FORMATS, type TrafficRequest} from '../src/ab/load-traffic.ts';
import {stratifySample} from '../src/ab/stratify-sample.ts';
import {makeProject, ROOT, runCli} from './helpers.ts';
import {SandboxProcess} from './sandbox-process.ts';

// Fixtures written from each tool's published record shape (see docs/traffic-import.md for the sources).
const fixture = (name: string) => join(ROOT, 'test', 'fixtures', 'traffic', name);

// Each fixture has a "postcard" record: a system prompt, a user turn with text and a PNG, the
// assistant's get_weather call and its result, and the get_weather tool. Imported, it must be what
// the same request as an OpenAI-format line gives.
const PNG = readFileSync(join(ROOT, 'datasets/images/red.png')).toString('base64');
const WEATHER = {type: 'function', function: {name: 'get_weather', description: 'Current weather in a city.', parameters: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']}}};
const POSTCARD_LINE = {
  messages: [
    {role: 'system', content: 'You are a travel assistant.'},
    {role: 'user', content: [{type: 'text', text: 'Which city is on this postcard? Check its weather.'}, {type: 'image_url', image_url: {url: `data:image/png;base64,${PNG}`}}]},
    {role: 'assistant', content: null, tool_calls: [{id: 'call_w1', type: 'function', function: {name: 'get_weather', arguments: '{"city": "Paris"}'}}]},
    {role: 'tool', tool_call_id: 'call_w1', content: '{"tempC": 18, "sky": "clear"}'},
  ],
  tools: [WEATHER],
  tool_choice: 'auto',
};
const postcard = () => {
  const parsed = parseTrafficRecord(POSTCARD_LINE, 1, 0);
  if (!parsed.ok) throw new Error(parsed.skip.reason);
  return parsed.request;
};
const sameAsOpenAI = (r: TrafficRequest | undefined) => expect({messages: r?.messages, params: r?.params}).toEqual({messages: postcard().messages, params: postcard().params});

describe('traffic importers', () => {
  it('LiteLLM: callback payloads (bare or wrapped) and spend-log rows, with the logged answer, latency, TTFT, tokens and cost', async () => {
    const {requests, skipped} = await loadTraffic(fixture('litellm.jsonl'), 'litellm.jsonl');
    expect(requests.map((r) => r.id)).toEqual(['chatcmpl-ll0', 'chatcmpl-ll1', 'chatcmpl-ll2', 'chatcmpl-ll3', 'spend-row-1', 'chatcmpl-ll5']);
    const first = requests[0]!;
    expect(first.messages).toEqual([
      {role: 'system', content: 'You are a concise assistant. Answer exactly as asked.'},
      {role: 'user', content: 'What is the capital of France? Answer with the city name only.'},
    ]);
    expect(first.tags).toEqual(['geo']);
    expect(first.logged).toMatchObject({model: 'gpt-4o-mini', output: 'Paris', inputTokens: 31, outputTokens: 2, costUsd: 0.0000058});
    expect(first.logged!.latencyMs).toBeCloseTo(800, 3);
    expect(first.logged!.ttftMs).toBeCloseTo(300, 3);
    expect(first.metadata).toEqual({model_group: 'prod-small', user_api_key_alias: 'svc'});
    // A spend-log row's image by URL; a callback payload's tools (model_parameters), tool turn and image; the caller's metadata.
    expect(requests[4]!.messages[0]!.parts).toEqual([{type: 'text', text: 'Describe this map.'}, {type: 'image', mediaType: 'image/png', url: 'https://example.invalid/map.png', name: 'https://example.invalid/map.png'}]);
    expect(requests[4]!.logged?.output).toBe('A map.'); // the spend log's response, kept as JSON text
    sameAsOpenAI(requests[5]);
    expect(requests[5]!.metadata).toEqual({model_group: 'prod-vision', user_api_key_alias: 'svc', user_api_key_team_alias: 'travel', feature: 'postcards', tenant: 'acme'});
    // A torn line is reported with its number.
    expect(skipped).toEqual([expect.objectContaining({line: 7, id: null, reason: expect.stringContaining('is not valid JSON')})]);
  });

  it('Langfuse: every GENERATION of a trace, with the trace tags; bare observations with {messages} or {messages, tools} input', async () => {
    const {requests} = await loadTraffic(fixture('langfuse.jsonl'), 'langfuse.jsonl');
    expect(requests.map((r) => r.id)).toEqual(['gen-0', 'gen-1', 'gen-2', 'gen-9', 'gen-10']);
    expect(requests[0]!.tags).toEqual(['geo', 'web']);
    expect(requests[0]!.logged).toEqual({model: 'claude-haiku-4-5', output: 'Paris', latencyMs: 420, ttftMs: 200, inputTokens: 40, outputTokens: 3, costUsd: 0.000055});
    expect(requests[3]!.tags).toEqual(['batch']);
    expect(requests[3]!.logged).toMatchObject({output: 'Lima', inputTokens: 20, outputTokens: 1, costUsd: 0.00002, latencyMs: 500});
    // The OpenAI integration's {messages, tools} input with modelParameters' tool_choice; metadata and environment.
    sameAsOpenAI(requests[4]);
    expect(requests[4]!.metadata).toEqual({environment: 'production', feature: 'postcards', tenant: 'acme'});
  });

  it('Helicone: request and response bodies (OpenAI or Anthropic), latency and cost, custom properties as tags and metadata', async () => {
    const {requests, skipped} = await loadTraffic(fixture('helicone.jsonl'), 'helicone.jsonl');
    expect(requests.map((r) => r.id)).toEqual(['hc-0', 'hc-1', 'hc-2', 'hc-3', 'hc-4']);
    expect(skipped).toEqual([]);
    expect(requests[1]!.tags).toEqual(['feature:geo', 'env:prod']);
    expect(requests[1]!.logged).toEqual({model: 'gpt-4o-mini', output: 'Tokyo', latencyMs: 700, ttftMs: null, inputTokens: 22, outputTokens: 2, costUsd: 0.0000045});
    expect(requests[1]!.metadata).toEqual({feature: 'geo', env: 'prod', request_user_id: 'u1'});
    sameAsOpenAI(requests[3]);
    // An Anthropic body: top-level system, an image block, tool_use and tool_result blocks, input_schema tools, tool_choice {type: 'auto'}.
    const anthropic = requests[4]!;
    const expected = postcard();
    expect(anthropic.params).toEqual(expected.params);
    expect(anthropic.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(anthropic.messages[1]!.parts).toEqual([...expected.messages[1]!.parts!].reverse());
    expect(anthropic.messages.slice(2)).toEqual([
      {role: 'assistant', content: '', toolCalls: [{id: 'toolu_w1', name: 'get_weather', arguments: {city: 'Paris'}}]},
      {role: 'tool', content: '{"tempC": 18, "sky": "clear"}', toolCallId: 'toolu_w1', toolName: 'get_weather'},
    ]);
    expect(anthropic.logged).toMatchObject({model: 'claude-haiku-4-5', output: 'Paris: 18 C and clear.', latencyMs: 1300});
  });

  it('LangSmith: OpenAI-style and LangChain-serialised LLM runs, with tool calls, tool messages, images and invocation_params tools', async () => {
    const {requests} = await loadTraffic(fixture('langsmith.jsonl'), 'langsmith.jsonl');
    expect(requests[0]!.logged).toEqual({model: 'gpt-4o-mini', output: 'Paris', latencyMs: 900, ttftMs: 250, inputTokens: 20, outputTokens: 1, costUsd: 0.0000036});
    expect(requests[1]!.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(requests[1]!.messages[1]!.content).toContain('Japan');
    expect(requests[1]!.logged).toMatchObject({model: 'claude-haiku-4-5', output: 'Tokyo'});
    expect(requests[1]!.tags).toEqual(['geo', 'lc']);
    expect(requests[0]!.metadata).toEqual({ls_provider: 'openai'});
    sameAsOpenAI(requests[2]);
    expect(requests[2]!.metadata).toEqual({ls_provider: 'openai', ls_model_name: 'gpt-4o-mini', feature: 'postcards'});
    expect(requests[2]!.logged).toMatchObject({output: 'Paris: 18 C and clear.'});
  });

  it('OpenTelemetry GenAI spans (OTLP/JSON): current attributes and the older events; other spans are not requests', async () => {
    const {requests} = await loadTraffic(fixture('otel.json'), 'otel.json');
    expect(requests.map((r) => r.id)).toEqual(['eee19b7ec3c1b174', 'eee19b7ec3c1b175', 'eee19b7ec3c1b176']);
    expect(requests[0]!.messages).toEqual([
      {role: 'system', content: 'You are a concise assistant. Answer exactly as asked.'},
      {role: 'user', content: 'What is the capital of Kenya? Answer with the city name only.'},
    ]);
    expect(requests[0]!.tags).toEqual(['service:geo-api']);
    expect(requests[0]!.logged).toEqual({model: 'gpt-4o-mini-2024-07-18', output: 'Nairobi', latencyMs: 750, ttftMs: null, inputTokens: 25, outputTokens: 2, costUsd: null});
    expect(requests[1]!.logged).toMatchObject({model: 'claude-haiku-4-5', output: 'Lima', latencyMs: 400});
    // Parts of type blob, tool_call and tool_call_response, and gen_ai.tool.definitions (the tool's flat form).
    const expected = postcard();
    const parts = requests[2]!;
    expect(parts.messages.slice(0, 3)).toEqual(expected.messages.slice(0, 3));
    expect(parts.messages[3]).toEqual({role: 'tool', content: '{"tempC":18,"sky":"clear"}', toolCallId: 'call_w1', toolName: 'get_weather'});
    expect(parts.params).toEqual({tools: expected.params!.tools});
    // Resource and span attributes are metadata, the conversation's own attributes are not.
    expect(parts.metadata).toMatchObject({'service.name': 'geo-api', 'deployment.environment.name': 'prod', 'app.feature': 'postcards', 'gen_ai.request.model': 'gpt-4o-mini'});
    expect(Object.keys(parts.metadata!).filter((k) => k.endsWith('messages') || k.endsWith('definitions'))).toEqual([]);
  });

  it('OpenAI request logs keep the logged response as the control answer', async () => {
    const {requests} = await loadTraffic(fixture('openai-logged.jsonl'), 'openai-logged.jsonl');
    expect(requests[2]!.logged).toEqual({model: 'gpt-4o-mini', output: 'Mombasa', latencyMs: 502, ttftMs: null, inputTokens: 20, outputTokens: 2, costUsd: 0.000004});
  });

  it('--strict refuses the file at its first unusable record, naming file and line', async () => {
    await expect(loadTraffic(fixture('litellm.jsonl'), 'litellm.jsonl', {strict: true})).rejects.toThrow(/litellm\.jsonl.*line 7/s);
  });

  it.each([
    ['litellm.jsonl', 'tenant'],
    ['langfuse.jsonl', 'feature'],
    ['helicone.jsonl', 'feature'],
    ['langsmith.jsonl', 'feature'],
    ['otel.json', 'app.feature'],
  ])('%s: --stratify %s reads the metadata the importer kept', async (name, key) => {
    const {requests} = await loadTraffic(fixture(name), name);
    const {strata} = stratifySample(requests, {seed: 1, stratify: key});
    expect(strata.map((s) => s.stratum)).toContain(key === 'tenant' ? 'acme' : 'postcards');
    expect(strata.reduce((n, s) => n + s.population, 0)).toBe(requests.length);
  });

  it('docs/traffic-import.md: each format\'s example keeps its tool, tool turn, image and metadata, detected as its format', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'traffic-import.md'), 'utf8').split('## One record of each format')[1]!;
    const records = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
    const formats = TRAFFIC_FORMATS.filter((f) => f !== 'openai');
    expect(records).toHaveLength(formats.length);
    records.forEach((record, i) => {
      const [parsed] = importTrafficRecord(record, 'auto', 1, 0);
      expect(parsed, formats[i]).toMatchObject({ok: true});
      const r = (parsed as {request: TrafficRequest}).request;
      expect(r.params?.tools?.map((t) => t.name), formats[i]).toEqual(['get_weather']);
      expect(r.messages.flatMap((m) => m.parts ?? []).filter((p) => p.type === 'image'), formats[i]).toHaveLength(1);
      expect(r.messages.flatMap((m) => m.toolCalls ?? []), formats[i]).toEqual([expect.objectContaining({name: 'get_weather', arguments: {city: 'Paris'}})]);
      expect(r.messages.filter((m) => m.role === 'tool').map((m) => m.content), formats[i]).toEqual(['18 C, clear']);
      expect(r.metadata?.[formats[i] === 'otel' ? 'app.feature' : 'feature'], formats[i]).toBe('postcards');
      expect(r.logged?.output, formats[i]).toBe('Paris: 18 C and clear.');
      // Told apart by their fields: each is detected as the format it is shown as.
      expect(detectTrafficFormat(record)).toBe(formats[i]);
    });
  });

  it('the dialects\' other forms: LangChain typed messages and standard image blocks, Anthropic calls held twice, OTel uri parts and older events; what cannot be sent is named', () => {
    const one = (record: Record<string, unknown>, format: 'langsmith' | 'otel' | 'helicone') => importTrafficRecord(record, format, 1, 0)[0]!;
    const request = (record: Record<string, unknown>, format: 'langsmith' | 'otel' | 'helicone') => {
      const parsed = one(record, format);
      if (!parsed.ok) throw new Error(parsed.skip.reason);
      return parsed.request;
    };
    // LangChain's {type: 'human' | 'ai' | 'tool'} messages; ChatAnthropic's AIMessage keeps a call as a tool_use block and in tool_calls.
    const lc = request(
      {
        run_type: 'llm',
        inputs: {
          messages: [
            {type: 'human', content: [{type: 'image', source_type: 'base64', mime_type: 'image/png', data: PNG}, {type: 'text', text: 'Weather here?'}]},
            {type: 'ai', content: [{type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {city: 'Lima'}}], tool_calls: [{name: 'get_weather', args: {city: 'Lima'}, id: 'toolu_1'}]},
            {type: 'tool', content: '19 C', tool_call_id: 'toolu_1'},
          ],
        },
        extra: {invocation_params: {tools: [{name: 'get_weather', input_schema: WEATHER.function.parameters}], tool_choice: {type: 'any'}}},
      },
      'langsmith',
    );
    expect(lc.messages.map((m) => [m.role, m.parts?.map((p) => p.type) ?? m.toolCalls?.length ?? m.content])).toEqual([['user', ['image', 'text']], ['assistant', 1], ['tool', '19 C']]);
    expect(lc.params).toEqual({tools: [{name: 'get_weather', parameters: WEATHER.function.parameters}], toolChoice: 'required'});
    // OTel: an image by uri; the older per-message events with an assistant's tool_calls and the tool message's id; gen_ai.output.type json.
    const attribute = (key: string, value: string) => ({key, value: {stringValue: value}});
    const span = (attributes: unknown[], events: unknown[] = []) => ({resourceSpans: [{scopeSpans: [{spans: [{spanId: 's1', attributes: [attribute('gen_ai.operation.name', 'chat'), ...attributes], events}]}]}]});
    const uri = request(span([attribute('gen_ai.input.messages', JSON.stringify([{role: 'user', parts: [{type: 'text', content: 'What is this?'}, {type: 'uri', modality: 'image', mime_type: 'image/jpeg', uri: 'https://example.com/a.jpg'}]}])), attribute('gen_ai.output.type', 'json')]), 'otel');
    expect(uri.messages[0]!.parts).toEqual([{type: 'text', text: 'What is this?'}, {type: 'image', mediaType: 'image/jpeg', url: 'https://example.com/a.jpg', name: 'https://example.com/a.jpg'}]);
    expect(uri.params).toEqual({responseFormat: {type: 'json_object'}});
    const events = request(
      span(
        [],
        [
          {name: 'gen_ai.user.message', attributes: [attribute('content', 'Weather in Lima?')]},
          {name: 'gen_ai.assistant.message', attributes: [attribute('tool_calls', JSON.stringify([{id: 'c1', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Lima"}'}}]))]},
          {name: 'gen_ai.tool.message', attributes: [attribute('content', '19 C'), attribute('id', 'c1')]},
        ],
      ),
      'otel',
    );
    expect(events.messages.slice(1)).toEqual([
      {role: 'assistant', content: '', toolCalls: [{id: 'c1', name: 'get_weather', arguments: {city: 'Lima'}}]},
      {role: 'tool', content: '19 C', toolCallId: 'c1', toolName: 'get_weather'},
    ]);
    // An Anthropic server tool, and a document by URL, cannot be replayed: skipped with the reason.
    const body = (extra: Record<string, unknown>) => ({request_id: 'h', request_body: {messages: [{role: 'user', content: 'hi'}], ...extra}});
    expect(one(body({tools: [{type: 'web_search_20250305', name: 'web_search'}]}), 'helicone')).toMatchObject({ok: false, skip: {reason: expect.stringContaining('not a named function')}});
    expect(one(body({messages: [{role: 'user', content: [{type: 'document', source: {type: 'url', url: 'https://example.com/a.pdf'}}]}]}), 'helicone')).toMatchObject({ok: false, skip: {reason: 'has document content, which cannot be replayed'}});
  });

  it('a named format overrides detection', async () => {
    // Read as OpenAI lines, Helicone records have no messages at the top level: nothing usable.
    await expect(loadTraffic(fixture('helicone.jsonl'), 'helicone.jsonl', {format: 'openai'})).rejects.toThrow(/no usable requests.*neither "messages" nor "prompt"/s);
  });
});

describe('assay ab on imported traffic (CLI, sandbox in its own process)', () => {
  let sandbox: SandboxProcess;
  beforeAll(async () => (sandbox = await SandboxProcess.start({anyModel: true, latencyScale: 0})));
  afterAll(() => sandbox.close());

  const project = () =>
    makeProject({
      'bench.config.yaml': `providers:
  - id: sim
    type: sandbox
    wire: openai
    baseURL: ${sandbox.url}/v1
    models: [{label: candidate, model: candidate-model}, {label: judge, model: judge-model}]
suites: [s.yaml]
`,
      's.yaml': 'id: s\nprompt: "unused by assay ab"\ncases: [{id: one}]\n',
    });

  it('--control logged calls only the treatment: the sandbox sees one request per sampled request', async () => {
    const cwd = project();
    const before = (await sandbox.log()).length;
    const result = await runCli(['ab', '--control', 'logged', '--treatment', 'candidate', '--sample', join(ROOT, 'datasets', 'traffic.jsonl'), '--n', '30', '--seed', '4', '--json'], {cwd});
    expect(result.code, result.stderr).toBe(0);
    const sent = (await sandbox.log()).slice(before);
    expect(sent).toHaveLength(30);
    expect(new Set(sent.map((l) => l.model))).toEqual(new Set(['candidate-model']));
    const ab = JSON.parse(result.stdout) as {control: string; treatment: string; n: number};
    expect(ab).toMatchObject({control: 'logged', treatment: 'candidate', n: 30});
  });

  it.each(['litellm.jsonl', 'langfuse.jsonl', 'helicone.jsonl', 'langsmith.jsonl', 'otel.json'])('%s becomes an A/B sample judged against its logged answers', async (name) => {
    const cwd = project();
    const result = await runCli(['ab', '--control', 'logged', '--treatment', 'candidate', '--judge', 'judge', '--sample', fixture(name), '--json'], {cwd});
    expect(result.code, result.stderr).toBe(0);
    const ab = JSON.parse(result.stdout) as {metric: string; n: number};
    expect(ab.n).toBeGreaterThanOrEqual(2);
  });

  // Both arms live, on different wires: the sandbox logs what each request carried as the wire gave it.
  it.each([
    ['litellm.jsonl', 'tenant'],
    ['langfuse.jsonl', 'feature'],
    ['helicone.jsonl', 'feature'],
    ['langsmith.jsonl', 'feature'],
    ['otel.json', 'app.feature'],
  ])('%s: the postcard record reaches both arms with its tool, tool turn and image, each on its own wire (--stratify %s)', async (name, key) => {
    const cwd = makeProject({
      'bench.config.yaml': `providers:
  - id: oa
    type: sandbox
    wire: openai
    baseURL: ${sandbox.url}/v1
    models: [{label: control, model: control-model}, {label: judge, model: judge-model}]
  - id: an
    type: sandbox
    wire: anthropic
    baseURL: ${sandbox.url}
    models: [{label: treatment, model: treatment-model, params: {maxTokens: 64}}]
suites: [s.yaml]
`,
      's.yaml': 'id: s\nprompt: "unused by assay ab"\ncases: [{id: one}]\n',
    });
    const before = (await sandbox.log()).length;
    const result = await runCli(['ab', '--control', 'control', '--treatment', 'treatment', '--judge', 'judge', '--sample', fixture(name), '--stratify', key, '--json'], {cwd});
    expect(result.code, result.stderr).toBe(0);
    // The importer's metadata is what --stratify groups by.
    const ab = JSON.parse(result.stdout) as {weighted?: {stratify: string}};
    expect(ab.weighted?.stratify).toBe(key);
    expect(JSON.stringify(ab.weighted)).toContain(key === 'tenant' ? '"acme"' : '"postcards"');
    const postcards = (await sandbox.log()).slice(before).filter((l) => l.model !== 'judge-model' && l.prompt.includes('postcard'));
    expect(postcards.map((l) => l.wire).sort()).toEqual(name === 'helicone.jsonl' ? ['anthropic', 'anthropic', 'openai', 'openai'] : ['anthropic', 'openai']);
    for (const l of postcards) {
      expect(l.status, `${l.wire}: ${l.status}`).toBe(200);
      expect(l.tools).toEqual(['get_weather']);
      expect(l.toolResults).toBe(1);
      expect(l.media).toEqual([{type: 'image', mediaType: 'image/png', bytes: 79}]);
    }
  });

  it('--scrub, --scrub-pattern and --scrub-module remove PII before anything is sent or written; --dedupe keeps one of each conversation', async () => {
    const cwd = project();
    const lines = [
      {id: 'p1', messages: [{role: 'user', content: 'Mail jane.doe@example.com or call +1 415-555-0132 about order ACME-99812.'}], expected: 'ok', response: {choices: [{message: {content: 'Sent to jane.doe@example.com'}}]}},
      {id: 'p2', messages: [{role: 'user', content: 'Card 4111 1111 1111 1111 was declined for client Zork.'}], expected: 'ok', response: {choices: [{message: {content: 'ok'}}]}},
      {id: 'p3', messages: [{role: 'user', content: 'Card 4111 1111 1111 1111 was declined for client Zork.'}], expected: 'ok', response: {choices: [{message: {content: 'ok'}}]}},
      // Text beside an image, and a tool call's arguments, are scrubbed too.
      {
        id: 'p4',
        messages: [
          {role: 'user', content: [{type: 'text', text: 'Forward this to bob@example.org.'}, {type: 'image_url', image_url: {url: `data:image/png;base64,${PNG}`}}]},
          {role: 'assistant', content: null, tool_calls: [{id: 'c1', type: 'function', function: {name: 'send_mail', arguments: '{"to": "bob@example.org"}'}}]},
          {role: 'tool', tool_call_id: 'c1', content: 'sent'},
        ],
        tools: [{type: 'function', function: {name: 'send_mail', parameters: {type: 'object', properties: {to: {type: 'string'}}}}}],
        expected: 'ok',
        response: {choices: [{message: {content: 'ok'}}]},
      },
    ];
    writeFileSync(join(cwd, 'pii.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n'));
    writeFileSync(join(cwd, 'scrub.ts'), "export default (text: string) => text.replaceAll('Zork', '[CLIENT]');\n");
    const before = (await sandbox.log()).length;
    const result = await runCli(
      ['ab', '--control', 'logged', '--treatment', 'candidate', '--sample', 'pii.jsonl', '--scrub', 'email', '--scrub', 'phone', '--scrub', 'card', '--scrub-pattern', 'ACME-\\d+', '--scrub-module', 'scrub.ts', '--dedupe', '--json'],
      {cwd},
    );
    expect(result.code, result.stderr).toBe(0);
    const log = (await sandbox.log()).slice(before);
    const sent = log.map((l) => l.prompt);
    expect(sent).toHaveLength(3);
    expect(log.find((l) => l.media)?.prompt).toMatch(/^Forward this to \[EMAIL\]\.\[image [0-9a-f]{12}\]/);
    expect(sent).toContain('Mail [EMAIL] or call [PHONE] about order [REDACTED].');
    expect(sent).toContain('Card [CARD] was declined for client [CLIENT].');
    const ab = JSON.parse(result.stdout) as {dir?: string; skipped?: Array<{id: string; reason: string}>};
    expect(JSON.stringify(ab)).toContain('same conversation as p2 (--dedupe)');
    const runDir = join(cwd, 'reports', readdirSync(join(cwd, 'reports'))[0]!);
    // Every file, media/ included (the run keeps the images it sent).
    for (const file of readdirSync(runDir, {recursive: true, withFileTypes: true}).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))) {
      const text = readFileSync(file, 'utf8');
      for (const secret of ['jane.doe@example.com', '415-555-0132', 'ACME-99812', '4111 1111', 'Zork', 'bob@example.org']) expect(text, `${file} holds ${secret}`).not.toContain(secret);
    }
  });

  it('an unknown --scrub name or a broken pattern is exit 2 with the fix, before anything is sent', async () => {
    const cwd = project();
    const before = (await sandbox.log()).length;
    const bad = await runCli(['ab', '--control', 'logged', '--treatment', 'candidate', '--sample', join(ROOT, 'datasets', 'traffic.jsonl'), '--scrub', 'emails'], {cwd});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no such built-in pattern');
    const broken = await runCli(['ab', '--control', 'logged', '--treatment', 'candidate', '--sample', join(ROOT, 'datasets', 'traffic.jsonl'), '--scrub-pattern', '(unclosed'], {cwd});
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('is not a regular expression');
    expect((await sandbox.log()).length).toBe(before);
  });
});
