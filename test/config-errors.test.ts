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
    expect(loaded.suites[0]!.cases.map((c) => c.messages[0]!.content)).toEqual(['Say hi', 'Say ho']);
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
