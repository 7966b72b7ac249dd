import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {makeProject, runCli} from './helpers.ts';

// Bad input that used to pass validation, and SDK debug logs, through the built CLI.
const suite = 'id: s\nprompt: "Answer {{q}}"\ncases: [{id: a, q: "one"}]\n';

describe('validation before anything is sent or written', () => {
  it('baseURL without a scheme: exit 2 naming file, field and line', async () => {
    const cwd = makeProject({
      'bench.config.yaml': `providers:\n  - id: local\n    type: openai-compatible\n    baseURL: localhost:8080/v1\n    models: [{ label: m, model: m }]\nsuites: [s.yaml]\n`,
      's.yaml': suite,
    });
    const r = await runCli(['run'], {cwd});
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/bench\.config\.yaml/);
    expect(r.stderr).toMatch(/baseURL/);
    expect(r.stderr).toMatch(/line 4|:4\b/);
    expect(r.stderr).toContain('http://');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(cwd).sort()).toEqual(['bench.config.yaml', 's.yaml']);
  });

  it('a dataset that is not UTF-8: exit 2 naming file and line, nothing sent as U+FFFD', async () => {
    const cwd = makeProject({
      'bench.config.yaml': 'providers:\n  - id: sim\n    type: sandbox\n    wire: openai\n    models: [{ label: m, model: m }]\nsuites: [s.yaml]\nsandbox: { latencyScale: 0 }\n',
      's.yaml': 'id: s\nprompt: "Answer {{q}}"\ndataset: data.csv\n',
    });
    writeFileSync(join(cwd, 'data.csv'), Buffer.concat([Buffer.from('id,q\na,caf\u00e9\nb,na'), Buffer.from([0xef, 0x76, 0x65]), Buffer.from('\n')]));
    const r = await runCli(['run'], {cwd});
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/data\.csv:3/);
    expect(r.stderr).toContain('UTF-8');
  });

  it.each([
    ['a JSONL dataset', 's.yaml', 'id: s\nprompt: "Answer {{q}}"\ndataset: data.jsonl\n', 'data.jsonl', ['{"id": "a", "q": "one"}\n', '{"id": "b", "q": "na', '"}\n']],
    ['a suite file with inline cases', 's.yaml', '', 's.yaml', ['id: s\nprompt: "Answer {{q}}"\ncases:\n', '  - {id: a, q: "caf\u00e9"}\n  - {id: b, q: "na', '"}\n']],
    ['a provider file', 's.yaml', 'id: s\nprompt: "Answer {{q}}"\ncases: [{id: a, q: "one"}]\n', 'p.yaml', ['id: sim\ntype: sandbox\nwire: openai\n', 'models: [{ label: m, model: "m', '" }]\n']],
  ])('invalid UTF-8 in %s: exit 2 naming the file and line; nothing written', async (_what, suiteName, suiteText, file, [before, at, after]) => {
    const cwd = makeProject({
      'bench.config.yaml': `providers: [${file === 'p.yaml' ? 'p.yaml' : '{id: sim, type: sandbox, wire: openai, models: [{label: m, model: m}]}'}]\nsuites: [s.yaml]\nsandbox: { latencyScale: 0 }\n`,
      ...(suiteText ? {[suiteName]: suiteText} : {}),
    });
    writeFileSync(join(cwd, file), Buffer.concat([Buffer.from(before! + at!), Buffer.from([0xef, 0x76, 0x65]), Buffer.from(after!)]));
    const r = await runCli(['run'], {cwd});
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${file}:${(before! + at!).split('\n').length}`);
    expect(r.stderr).toContain('not valid UTF-8');
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
  });

  it('an azure-openai endpoint or a token URL without a scheme: exit 2 naming file, field and line', async () => {
    for (const [field, provider] of [
      ['endpoint', '  - id: az\n    type: azure-openai\n    endpoint: my-resource.openai.azure.com:443\n    models: [{ label: m, model: m }]\n'],
      ['auth.tokenURL', '  - id: gw\n    type: openai-compatible\n    baseURL: http://127.0.0.1:9/v1\n    auth: { type: oauth2, tokenURL: "localhost:9/token", clientIdEnv: A, clientSecretEnv: B }\n    models: [{ label: m, model: m }]\n'],
    ] as const) {
      const cwd = makeProject({'bench.config.yaml': `providers:\n${provider}suites: [s.yaml]\n`, 's.yaml': suite});
      const r = await runCli(['run'], {cwd});
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`bench.config.yaml:${field === 'endpoint' ? 4 : 5} field "providers[0].${field}"`);
      expect(r.stderr).toContain('must be an http:// or https:// URL');
    }
  });

  it('a prompt over maxPromptChars: exit 2 naming the case; nothing written', async () => {
    const cwd = makeProject({
      'bench.config.yaml': 'providers:\n  - id: sim\n    type: sandbox\n    wire: openai\n    models: [{ label: m, model: m }]\nsuites: [s.yaml]\nmaxPromptChars: 1000\n',
      's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n  - {id: short, q: "one"}\n  - {id: huge-one, q: "${'x'.repeat(5000)}"}\n`,
    });
    const r = await runCli(['run'], {cwd});
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('case "huge-one"');
    expect(r.stderr).toContain('maxPromptChars');
    expect(readdirSync(cwd).sort()).toEqual(['bench.config.yaml', 's.yaml']);
  });

  it('a model judging its own answers is a warning', async () => {
    const cwd = makeProject({
      'bench.config.yaml': 'providers:\n  - id: sim\n    type: sandbox\n    wire: openai\n    models: [{ label: sim-judge, model: sim-judge }]\nsuites: [s.yaml]\njudge: sim-judge\nsandbox: { latencyScale: 0 }\n',
      's.yaml': 'id: s\nprompt: "Answer {{q}}"\ncases: [{id: a, q: "one", expected: "1"}]\ngraders: [{type: judge, rubric: "Is it right?"}]\n',
    });
    const r = await runCli(['run'], {cwd});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('sim-judge judges its own answers in suite "s"');
  });

  it('a rubric naming the model under test as its judge is a warning too; another judge is not', async () => {
    const cwd = makeProject({
      'bench.config.yaml': 'providers:\n  - id: sim\n    type: sandbox\n    wire: openai\n    models: [{ label: sim-a, model: sim-a }, { label: sim-b, model: sim-b }]\nsuites: [s.yaml]\nsandbox: { latencyScale: 0 }\n',
      's.yaml': 'id: s\nprompt: "Answer {{q}}"\nmodels: [sim-a, sim-b]\ncases: [{id: a, q: "one", expected: "1"}]\ngraders: [{type: rubric, model: sim-a, criteria: ["It is right."]}]\n',
    });
    const r = await runCli(['run'], {cwd});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('sim-a judges its own answers in suite "s"');
    expect(r.stderr).not.toContain('sim-b judges');
  });

  it("an unset key of the judge's provider is refused before anything is written", async () => {
    const cwd = makeProject({
      'bench.config.yaml': `providers:
  - id: sim
    type: sandbox
    wire: openai
    models: [{ label: m, model: m }]
  - id: real
    type: openai
    auth: { env: ASSAY_TEST_UNSET_JUDGE_KEY }
    models: [{ label: judge, model: gpt-x, type: judge-only }]
suites: [s.yaml]
judge: judge
`,
      's.yaml': 'id: s\nprompt: "Answer {{q}}"\ncases: [{id: a, q: "one", expected: "1"}]\ngraders: [{type: judge, rubric: "Is it right?"}]\n',
    });
    const r = await runCli(['run'], {cwd, env: {ASSAY_TEST_UNSET_JUDGE_KEY: undefined}});
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('ASSAY_TEST_UNSET_JUDGE_KEY');
    expect(readdirSync(cwd).sort()).toEqual(['bench.config.yaml', 's.yaml']);
  });
});

describe('SDK debug logging', () => {
  const CANARY = 'canary7f3a9c2e5b1d4e8a';
  let server: Server;
  let url = '';
  beforeAll(async () => {
    // A server that echoes the key it was sent in a header and in its error body.
    server = createServer((req, res) => {
      const key = String(req.headers.authorization ?? req.headers['x-api-key'] ?? '').replace(/^Bearer /, '');
      req.resume();
      res.writeHead(401, {'content-type': 'application/json', 'x-echo-key': key});
      res.end(JSON.stringify({type: 'error', error: {type: 'authentication_error', message: `Incorrect API key provided: ${key}`}}));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function everyFile(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? everyFile(path) : [path];
    });
  }

  it.each([
    ['openai-compatible', 'OPENAI_LOG', '/v1'],
    ['anthropic', 'ANTHROPIC_LOG', ''],
  ])('%s with %s=debug: the logs run, and never carry the key a server echoes back', async (type, logVar, path) => {
    const cwd = makeProject({
      'bench.config.yaml': `providers:\n  - id: echo\n    type: ${type}\n    baseURL: ${url}${path}\n    auth: { env: ASSAY_ECHO_KEY }\n    models: [{ label: m, model: m }]\nsuites: [s.yaml]\n`,
      's.yaml': suite,
    });
    const r = await runCli(['run'], {cwd, env: {ASSAY_ECHO_KEY: CANARY, [logVar]: 'debug'}});
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('[debug]');
    expect(r.stderr).toContain('401');
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    for (const file of everyFile(cwd)) expect(readFileSync(file, 'utf8'), file).not.toContain(CANARY);
  });
});
