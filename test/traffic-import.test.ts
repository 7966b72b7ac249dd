import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadTraffic} from '../src/ab/load-traffic.ts';
import {makeProject, ROOT, runCli} from './helpers.ts';
import {SandboxProcess} from './sandbox-process.ts';

// Fixtures written from each tool's published record shape (see docs/traffic-import.md for the sources).
const fixture = (name: string) => join(ROOT, 'test', 'fixtures', 'traffic', name);

describe('traffic importers', () => {
  it('LiteLLM: callback payloads (bare or wrapped) and spend-log rows, with the logged answer, latency, TTFT, tokens and cost', async () => {
    const {requests, skipped} = await loadTraffic(fixture('litellm.jsonl'), 'litellm.jsonl');
    expect(requests.map((r) => r.id)).toEqual(['chatcmpl-ll0', 'chatcmpl-ll1', 'chatcmpl-ll2', 'chatcmpl-ll3']);
    const first = requests[0]!;
    expect(first.messages).toEqual([
      {role: 'system', content: 'You are a concise assistant. Answer exactly as asked.'},
      {role: 'user', content: 'What is the capital of France? Answer with the city name only.'},
    ]);
    expect(first.tags).toEqual(['geo']);
    expect(first.logged).toMatchObject({model: 'gpt-4o-mini', output: 'Paris', inputTokens: 31, outputTokens: 2, costUsd: 0.0000058});
    expect(first.logged!.latencyMs).toBeCloseTo(800, 3);
    expect(first.logged!.ttftMs).toBeCloseTo(300, 3);
    // An image cannot be sent as plain text; a torn line is reported with its number.
    expect(skipped).toEqual([
      {line: 5, id: 'spend-row-1', reason: 'has image_url content (an image), which these models are not sent'},
      expect.objectContaining({line: 6, id: null, reason: expect.stringContaining('is not valid JSON')}),
    ]);
  });

  it('Langfuse: every GENERATION of a trace, with the trace tags; bare observations with {messages} input', async () => {
    const {requests} = await loadTraffic(fixture('langfuse.jsonl'), 'langfuse.jsonl');
    expect(requests.map((r) => r.id)).toEqual(['gen-0', 'gen-1', 'gen-2', 'gen-9']);
    expect(requests[0]!.tags).toEqual(['geo', 'web']);
    expect(requests[0]!.logged).toEqual({model: 'claude-haiku-4-5', output: 'Paris', latencyMs: 420, ttftMs: 200, inputTokens: 40, outputTokens: 3, costUsd: 0.000055});
    expect(requests[3]!.tags).toEqual(['batch']);
    expect(requests[3]!.logged).toMatchObject({output: 'Lima', inputTokens: 20, outputTokens: 1, costUsd: 0.00002, latencyMs: 500});
  });

  it('Helicone: request and response bodies, latency and cost, custom properties as tags; tool calls are named and skipped', async () => {
    const {requests, skipped} = await loadTraffic(fixture('helicone.jsonl'), 'helicone.jsonl');
    expect(requests).toHaveLength(3);
    expect(requests[1]!.tags).toEqual(['feature:geo', 'env:prod']);
    expect(requests[1]!.logged).toEqual({model: 'gpt-4o-mini', output: 'Tokyo', latencyMs: 700, ttftMs: null, inputTokens: 22, outputTokens: 2, costUsd: 0.0000045});
    expect(skipped).toEqual([{line: 4, id: 'hc-3', reason: 'contains tool calls or tool messages'}]);
  });

  it('LangSmith: OpenAI-style and LangChain-serialised LLM runs', async () => {
    const {requests} = await loadTraffic(fixture('langsmith.jsonl'), 'langsmith.jsonl');
    expect(requests[0]!.logged).toEqual({model: 'gpt-4o-mini', output: 'Paris', latencyMs: 900, ttftMs: 250, inputTokens: 20, outputTokens: 1, costUsd: 0.0000036});
    expect(requests[1]!.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(requests[1]!.messages[1]!.content).toContain('Japan');
    expect(requests[1]!.logged).toMatchObject({model: 'claude-haiku-4-5', output: 'Tokyo'});
    expect(requests[1]!.tags).toEqual(['geo', 'lc']);
  });

  it('OpenTelemetry GenAI spans (OTLP/JSON): current attributes and the older events; other spans are not requests', async () => {
    const {requests} = await loadTraffic(fixture('otel.json'), 'otel.json');
    expect(requests.map((r) => r.id)).toEqual(['eee19b7ec3c1b174', 'eee19b7ec3c1b175']);
    expect(requests[0]!.messages).toEqual([
      {role: 'system', content: 'You are a concise assistant. Answer exactly as asked.'},
      {role: 'user', content: 'What is the capital of Kenya? Answer with the city name only.'},
    ]);
    expect(requests[0]!.tags).toEqual(['service:geo-api']);
    expect(requests[0]!.logged).toEqual({model: 'gpt-4o-mini-2024-07-18', output: 'Nairobi', latencyMs: 750, ttftMs: null, inputTokens: 25, outputTokens: 2, costUsd: null});
    expect(requests[1]!.logged).toMatchObject({model: 'claude-haiku-4-5', output: 'Lima', latencyMs: 400});
  });

  it('OpenAI request logs keep the logged response as the control answer', async () => {
    const {requests} = await loadTraffic(fixture('openai-logged.jsonl'), 'openai-logged.jsonl');
    expect(requests[2]!.logged).toEqual({model: 'gpt-4o-mini', output: 'Mombasa', latencyMs: 502, ttftMs: null, inputTokens: 20, outputTokens: 2, costUsd: 0.000004});
  });

  it('--strict refuses the file at its first unusable record, naming file and line', async () => {
    await expect(loadTraffic(fixture('litellm.jsonl'), 'litellm.jsonl', {strict: true})).rejects.toThrow(/litellm\.jsonl.*line 5/s);
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

  it('--scrub, --scrub-pattern and --scrub-module remove PII before anything is sent or written; --dedupe keeps one of each conversation', async () => {
    const cwd = project();
    const lines = [
      {id: 'p1', messages: [{role: 'user', content: 'Mail jane.doe@example.com or call +1 415-555-0132 about order ACME-99812.'}], expected: 'ok', response: {choices: [{message: {content: 'Sent to jane.doe@example.com'}}]}},
      {id: 'p2', messages: [{role: 'user', content: 'Card 4111 1111 1111 1111 was declined for client Zork.'}], expected: 'ok', response: {choices: [{message: {content: 'ok'}}]}},
      {id: 'p3', messages: [{role: 'user', content: 'Card 4111 1111 1111 1111 was declined for client Zork.'}], expected: 'ok', response: {choices: [{message: {content: 'ok'}}]}},
    ];
    writeFileSync(join(cwd, 'pii.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n'));
    writeFileSync(join(cwd, 'scrub.ts'), "export default (text: string) => text.replaceAll('Zork', '[CLIENT]');\n");
    const before = (await sandbox.log()).length;
    const result = await runCli(
      ['ab', '--control', 'logged', '--treatment', 'candidate', '--sample', 'pii.jsonl', '--scrub', 'email', '--scrub', 'phone', '--scrub', 'card', '--scrub-pattern', 'ACME-\\d+', '--scrub-module', 'scrub.ts', '--dedupe', '--json'],
      {cwd},
    );
    expect(result.code, result.stderr).toBe(0);
    const sent = (await sandbox.log()).slice(before).map((l) => l.prompt);
    expect(sent).toHaveLength(2);
    expect(sent).toContain('Mail [EMAIL] or call [PHONE] about order [REDACTED].');
    expect(sent).toContain('Card [CARD] was declined for client [CLIENT].');
    const ab = JSON.parse(result.stdout) as {dir?: string; skipped?: Array<{id: string; reason: string}>};
    expect(JSON.stringify(ab)).toContain('same conversation as p2 (--dedupe)');
    const runDir = join(cwd, 'reports', readdirSync(join(cwd, 'reports'))[0]!);
    for (const file of readdirSync(runDir)) {
      const text = readFileSync(join(runDir, file), 'utf8');
      for (const secret of ['jane.doe@example.com', '415-555-0132', 'ACME-99812', '4111 1111', 'Zork']) expect(text, `${file} holds ${secret}`).not.toContain(secret);
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
