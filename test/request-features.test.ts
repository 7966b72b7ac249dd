import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {makeProject} from './helpers.ts';
import {RecordingProxy, type RecordedBody} from './recording-proxy.ts';

// Reasoning, structured output and extra fields, through the real SDKs over real HTTP: a recording
// proxy in front of the sandbox keeps each request body exactly as the SDK sent it.
const sandbox = new Sandbox({anyModel: true, latencyScale: 0});
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

const SCHEMA = {type: 'object', properties: {city: {type: 'string'}}, required: ['city'], additionalProperties: false};

function project(params: string, graders: string): string {
  return makeProject({
    'bench.config.yaml': `providers:
  - {id: oa, type: openai, baseURL: "${proxyUrl}/v1", auth: {env: ASSAY_RF_KEY}, models: [{label: oa-m, model: o-model}]}
  - {id: an, type: anthropic, baseURL: "${proxyUrl}", auth: {env: ASSAY_RF_KEY}, models: [{label: an-m, model: a-model}]}
  - {id: ge, type: gemini, baseURL: "${proxyUrl}", auth: {env: ASSAY_RF_KEY}, models: [{label: ge-m, model: g-model}]}
suites: [s.yaml]
`,
    's.yaml': `id: s\nprompt: "Name a capital."\ncases: [{id: one}]\nparams:\n${params}graders: ${graders}\n`,
  });
}

async function run(params: string, graders = '[{type: contains, value: ""}]'): Promise<Record<string, Record<string, unknown>>> {
  bodies.length = 0;
  process.env.ASSAY_RF_KEY = 'k-rf';
  try {
    const outcome = await runBenchmark({cwd: project(params, graders)});
    for (const r of outcome.results) expect(r.status, `${r.model}: ${r.error?.message}`).toBe('ok');
  } finally {
    delete process.env.ASSAY_RF_KEY;
  }
  const by = (pattern: RegExp) => {
    const found = bodies.find((b) => pattern.test(b.path));
    if (!found) throw new Error(`no request matched ${pattern}: ${bodies.map((b) => b.path).join(', ')}`);
    return found.body;
  };
  return {openai: by(/chat\/completions/), anthropic: by(/\/v1\/messages/), gemini: by(/generatecontent/i)};
}

describe('request features on each wire', () => {
  it('reasoning effort and a JSON Schema answer format, in each API\'s own fields; the json-schema grader defaults to that schema', async () => {
    const sent = await run(`  reasoning: {effort: high}\n  responseFormat: {type: json_schema, name: capital, schema: ${JSON.stringify(SCHEMA)}}\n`, '[{type: json-schema}]');
    expect(sent.openai).toMatchObject({reasoning_effort: 'high', response_format: {type: 'json_schema', json_schema: {name: 'capital', schema: SCHEMA, strict: true}}});
    expect(sent.anthropic).toMatchObject({output_config: {effort: 'high', format: {type: 'json_schema', schema: SCHEMA}}});
    expect(sent.gemini).toMatchObject({generationConfig: {thinkingConfig: {thinkingLevel: 'HIGH'}, responseMimeType: 'application/json', responseJsonSchema: SCHEMA}});
  });

  it('a thinking budget: Anthropic thinking with max_tokens above it and no temperature; Gemini thinkingBudget; OpenAI warns and sends none', async () => {
    const sent = await run(`  reasoning: {budgetTokens: 2048}\n  temperature: 0.2\n  maxTokens: 512\n`);
    expect(sent.anthropic).toMatchObject({thinking: {type: 'enabled', budget_tokens: 2048}});
    expect(sent.anthropic!.max_tokens as number).toBeGreaterThan(2048);
    expect(sent.anthropic).not.toHaveProperty('temperature');
    expect(sent.gemini).toMatchObject({generationConfig: {thinkingConfig: {thinkingBudget: 2048}, temperature: 0.2}});
    expect(sent.openai).not.toHaveProperty('reasoning_effort');
    expect(sent.openai).toMatchObject({temperature: 0.2});
  });

  it('the sandbox answers structured output with JSON: valid for the schema, or any JSON object, on each wire, streamed and not', async () => {
    process.env.ASSAY_RF_KEY = 'k-rf';
    try {
      const schema = `  responseFormat: {type: json_schema, name: capital, schema: ${JSON.stringify(SCHEMA)}}\n`;
      for (const [params, graders] of [[schema, '[{type: json-schema}]'], ['  responseFormat: {type: json_object}\n', '[{type: json-valid}]']] as const) {
        for (const stream of [true, false]) {
          const cwd = project(params, graders);
          const config = join(cwd, 'bench.config.yaml');
          writeFileSync(config, readFileSync(config, 'utf8').replace(/model: ([a-z]-model)\}/g, `model: $1, stream: ${stream}}`));
          const outcome = await runBenchmark({cwd});
          expect(outcome.results).toHaveLength(3);
          for (const r of outcome.results) expect(r.pass, `${r.model} stream ${stream}: ${r.output} ${r.grades.map((g) => g.reason).join(' | ')}`).toBe(true);
        }
      }
    } finally {
      delete process.env.ASSAY_RF_KEY;
    }
  });

  it('extra fields reach the request body as they are', async () => {
    const sent = await run(`  extra: {service_tier: flex, metadata: {team: search}}\n`);
    expect(sent.openai).toMatchObject({service_tier: 'flex', metadata: {team: 'search'}});
    expect(sent.anthropic).toMatchObject({service_tier: 'flex', metadata: {team: 'search'}});
    expect(sent.gemini).toMatchObject({service_tier: 'flex', metadata: {team: 'search'}});
  });
});
