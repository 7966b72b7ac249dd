import {describe, expect, it} from 'vitest';
import {loadConfig} from '../src/config/load-config.ts';
import {InputError} from '../src/core/errors.ts';
import {makeProject, runCli} from './helpers.ts';

const PROVIDER = `id: sim
type: sandbox
wire: openai
models:
  - label: m1
    model: m1
`;
const SUITE = `id: s1
prompt: "Say {{word}}"
dataset: ../datasets/d.csv
graders:
  - type: exact-match
`;
const CONFIG = JSON.stringify({providers: ['providers/*.yaml'], suites: ['suites/*.yaml']});

async function loadError(files: Record<string, string>): Promise<InputError> {
  const dir = makeProject({'bench.config.json': CONFIG, 'providers/p.yaml': PROVIDER, 'suites/s.yaml': SUITE, 'datasets/d.csv': 'word,expected\nhi,hi\n', ...files});
  const error = await loadConfig(undefined, {cwd: dir}).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('config, provider, suite and dataset errors name the file, field and line', () => {
  it('accepts the valid baseline project', async () => {
    const dir = makeProject({'bench.config.json': CONFIG, 'providers/p.yaml': PROVIDER, 'suites/s.yaml': SUITE, 'datasets/d.csv': 'word,expected\nhi,hi\nho,ho\n'});
    const loaded = await loadConfig(undefined, {cwd: dir});
    expect(Array.from(loaded.suites[0]!.cases, (c) => c.messages[0]!.content)).toEqual(['Say hi', 'Say ho']);
  });

  it('a provider field of the wrong type', async () => {
    const e = await loadError({'providers/p.yaml': PROVIDER.replace('models:', 'timeoutMs: soon\nmodels:')});
    expect(e.file).toBe('providers/p.yaml');
    expect(e.field).toBe('timeoutMs');
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/expected number/);
  });

  it('an unknown (misspelt) provider field', async () => {
    const e = await loadError({'providers/p.yaml': PROVIDER.replace('    model: m1', '    model: m1\n    temprature: 0')});
    expect(e.field).toBe('models[0].temprature');
    expect(e.line).toBe(7);
    expect(e.message).toContain('unknown field "temprature"');
  });

  it('a YAML syntax error', async () => {
    const e = await loadError({'suites/s.yaml': 'id: s1\nprompt: "unterminated\ndataset: x\n'});
    expect(e.file).toBe('suites/s.yaml');
    expect(e.line).toBeGreaterThanOrEqual(2);
    expect(e.message).toMatch(/not valid YAML/);
  });

  it('a suite with an unknown grader type', async () => {
    const e = await loadError({'suites/s.yaml': SUITE.replace('exact-match', 'exact-matsh')});
    expect(e.file).toBe('suites/s.yaml');
    expect(e.field).toBe('graders[0].type');
    expect(e.line).toBe(5);
  });

  it('a suite naming a model no provider defines', async () => {
    const e = await loadError({'suites/s.yaml': `${SUITE}models: [m2]\n`});
    expect(e.message).toContain('"m2"');
    expect(e.hint).toContain('m1');
  });

  it('a CSV row with the wrong number of fields', async () => {
    const e = await loadError({'datasets/d.csv': 'word,expected\nhi,hi\nho,ho,extra\n'});
    expect(e.file).toBe('datasets/d.csv');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/3 fields, the header has 2/);
  });

  it('a multi-line quoted CSV field keeps later line numbers right', async () => {
    const e = await loadError({'datasets/d.csv': 'word,expected\n"two\nlines",x\nok,ok\nbad\n'});
    expect(e.line).toBe(5);
  });

  it('a JSONL line that is not JSON', async () => {
    const e = await loadError({'suites/s.yaml': SUITE.replace('d.csv', 'd.jsonl'), 'datasets/d.jsonl': '{"word":"a","expected":"a"}\n{"word": "b",\n'});
    expect(e.file).toBe('datasets/d.jsonl');
    expect(e.line).toBe(2);
  });

  it('a case missing a template variable', async () => {
    const e = await loadError({'datasets/d.csv': 'wrd,expected\nhi,hi\n'});
    expect(e.file).toBe('datasets/d.csv');
    expect(e.line).toBe(2);
    expect(e.message).toContain('"word"');
  });

  it('a missing dataset file', async () => {
    const e = await loadError({'suites/s.yaml': SUITE.replace('d.csv', 'missing.csv')});
    expect(e.file).toMatch(/missing\.csv$/);
  });

  it('duplicate case ids', async () => {
    const e = await loadError({'datasets/d.csv': 'id,word,expected\na,hi,hi\na,ho,ho\n'});
    expect(e.line).toBe(3);
    expect(e.message).toContain('duplicate case id "a"');
  });

  it('a key written into the config instead of an env var name', async () => {
    const e = await loadError({'providers/p.yaml': PROVIDER.replace('models:', 'auth: { env: "sk-live abc" }\nmodels:')});
    expect(e.field).toBe('auth.env');
    expect(e.message).toContain('NAME of an environment variable');
  });

  it('a TypeScript config with an invalid field', async () => {
    const dir = makeProject({'bench.config.ts': 'export default { providers: ["p.yaml"], suites: ["s.yaml"], concurrency: -1 };\n'});
    const e = (await loadConfig(undefined, {cwd: dir}).catch((x: unknown) => x)) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.file).toBe('bench.config.ts');
    expect(e.field).toBe('concurrency');
  });
});

describe('provider fields by type (the schema is discriminated on `type`)', () => {
  const provider = (lines: string) => ({'providers/p.yaml': `id: p\n${lines}models:\n  - label: m1\n    model: m1\n`});

  it('an unknown type names the known ones, at its line', async () => {
    const e = await loadError(provider('type: opneai\n'));
    expect([e.field, e.line]).toEqual(['type', 2]);
    expect(e.message).toContain('unknown provider type "opneai"');
    expect(e.hint).toContain('openai, azure-openai, anthropic, gemini, openai-compatible, http, bedrock, sandbox');
  });

  it("a field of another type names the types that take it, at the field's line", async () => {
    const endpoint = await loadError(provider('type: openai\nendpoint: https://x.openai.azure.com\n'));
    expect([endpoint.field, endpoint.line]).toEqual(['endpoint', 3]);
    expect(endpoint.message).toContain('`endpoint` is for providers of type azure-openai');
    expect(endpoint.hint).toContain('baseURL');
    const wire = await loadError(provider('type: anthropic\nwire: anthropic\n'));
    expect([wire.field, wire.line]).toEqual(['wire', 3]);
    expect(wire.message).toContain('`wire` is for providers of type sandbox');
    const azure = await loadError(provider('type: azure-openai\nendpoint: https://x.openai.azure.com\nbaseURL: https://x/v1\n'));
    expect([azure.field, azure.line]).toEqual(['baseURL', 4]);
    expect(azure.message).toContain('takes `endpoint`, not baseURL');
  });

  it('a field the type requires, said the way it is fixed', async () => {
    const wire = await loadError(provider('type: sandbox\n'));
    expect(wire.field).toBe('wire');
    expect(wire.message).toContain('a sandbox provider needs `wire: openai | anthropic | gemini`');
    const http = await loadError(provider('type: http\n'));
    expect(http.field).toBe('http');
    expect(http.hint).toContain('Provider type http');
    const base = await loadError(provider('type: openai-compatible\n'));
    expect(base.field).toBe('baseURL');
    expect(base.hint).toContain('Ollama');
  });

  it('a misspelt field suggests the right one', async () => {
    const e = await loadError(provider('type: openai\nbaseUrl: http://127.0.0.1:9/v1\n'));
    expect([e.field, e.line]).toEqual(['baseUrl', 3]);
    expect(e.message).toContain('did you mean "baseURL"?');
  });
});

describe('the CLI on bad input', () => {
  it('exits 2 with the named error and no stack trace', async () => {
    const dir = makeProject({'bench.config.json': CONFIG, 'providers/p.yaml': PROVIDER, 'suites/s.yaml': SUITE, 'datasets/d.csv': 'word,expected\nhi,hi\nho\n'});
    const r = await runCli(['run'], {cwd: dir});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('datasets/d.csv:3');
    expect(r.stderr).toContain('fix:');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for a bad flag value', async () => {
    const dir = makeProject({'bench.config.json': CONFIG, 'providers/p.yaml': PROVIDER, 'suites/s.yaml': SUITE, 'datasets/d.csv': 'word,expected\nhi,hi\n'});
    const r = await runCli(['run', '--concurrency', '0'], {cwd: dir});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/greater than or equal to 1/);
  });

  it('exits 2 for an unknown --model', async () => {
    const dir = makeProject({'bench.config.json': CONFIG, 'providers/p.yaml': PROVIDER, 'suites/s.yaml': SUITE, 'datasets/d.csv': 'word,expected\nhi,hi\n'});
    const r = await runCli(['run', '--model', 'nope'], {cwd: dir});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('known models: m1');
  });
});
