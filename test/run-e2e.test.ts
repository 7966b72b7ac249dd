import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import Papa from 'papaparse';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {cleanNumber} from '../src/report/format-usd.ts';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {FAST_DEFAULT_CONFIG, makeProject, ROOT, runCli} from './helpers.ts';

function journal(dir: string): Result[] {
  return readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Result);
}

function onlyRunDir(project: string, out = 'reports'): string {
  const runs = readdirSync(join(project, out));
  expect(runs).toHaveLength(1);
  return join(project, out, runs[0]!);
}

describe('assay run on the default fleet (sandbox, instant latency)', () => {
  let project: string;
  let runDir: string;
  let stdout: string;

  beforeAll(async () => {
    project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const r = await runCli(['run', '--sample', '5', '--seed', '3', '--json'], {cwd: project});
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    stdout = r.stdout;
    runDir = onlyRunDir(project);
  });

  it('writes the five files', () => {
    for (const f of ['results.jsonl', 'results.csv', 'summary.json', 'report.html', 'run.json']) expect(existsSync(join(runDir, f)), f).toBe(true);
  });

  it('runs every suite × model through all three wire formats', () => {
    const results = journal(runDir);
    expect(results).toHaveLength(7 * 5 * 4);
    expect(new Set(results.map((r) => r.provider))).toEqual(new Set(['sim-anthropic', 'sim-openai', 'sim-gemini']));
    expect(results.every((r) => r.simulated)).toBe(true);
    const ok = results.filter((r) => r.status === 'ok');
    expect(ok.length).toBe(results.length);
    for (const r of ok) {
      expect(r.latencyMs).toBeGreaterThanOrEqual(0);
      expect(r.inputTokens).toBeGreaterThan(0);
      expect(r.costUsd).toBeGreaterThan(0);
      expect(r.grades.length).toBeGreaterThan(0);
      if (r.stream) expect(r.ttftMs).not.toBeNull();
      else expect(r.ttftMs).toBeNull();
    }
  });

  it('prints the summary as JSON with --json', () => {
    const summary = JSON.parse(stdout);
    expect(Object.keys(summary.models).sort()).toEqual(['sim-flash', 'sim-large', 'sim-medium', 'sim-mini']);
    expect(summary.simulated).toBe(true);
    expect(summary.dir).toBe(runDir);
    const large = summary.models['sim-large'];
    expect(large.n).toBe(35);
    expect(large.passRateCi95[0]).toBeLessThanOrEqual(large.passRate);
    expect(large.passRateCi95[1]).toBeGreaterThanOrEqual(large.passRate);
  });

  it('agrees row for row between the CSV and the journal', () => {
    const results = journal(runDir);
    const csv = Papa.parse<Record<string, string>>(readFileSync(join(runDir, 'results.csv'), 'utf8'), {header: true, skipEmptyLines: true});
    expect(csv.errors).toEqual([]);
    expect(csv.data).toHaveLength(results.length);
    results.forEach((r, i) => {
      const row = csv.data[i]!;
      expect(row.caseId).toBe(r.caseId);
      expect(row.model).toBe(r.model);
      expect(row.status).toBe(r.status);
      // The CSV writes numbers to 12 significant digits: the same value, without float noise.
      expect(Number(row.latencyMs)).toBe(cleanNumber(r.latencyMs!));
      expect(Number(row.costUsd)).toBe(cleanNumber(r.costUsd!));
      expect(row.output).toBe(r.output);
      expect(row.tags).toBe(r.tags.join(';'));
    });
  });

  it('computes summary.json from the journal', () => {
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    const results = journal(runDir);
    for (const model of ['sim-large', 'sim-mini']) {
      const mine = results.filter((r) => r.model === model);
      const graded = mine.filter((r) => r.pass !== null);
      expect(summary.models[model].passed).toBe(graded.filter((r) => r.pass).length);
      const cost = mine.reduce((s, r) => s + (r.costUsd ?? 0), 0);
      expect(summary.models[model].costUsd).toBeCloseTo(cost, 12);
    }
    expect(Object.keys(summary.suites).sort()).toEqual(['arithmetic', 'capitals', 'definitions', 'extraction', 'sentiment', 'tools', 'vision']);
    expect(summary.tags.math['sim-large'].n).toBe(5);
  });

  it('records run metadata without secrets', () => {
    const meta = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
    expect(meta.id).toBe(runDir.split('/').at(-1));
    expect(meta.configDigest).toMatch(/^sha256:/);
    expect(meta.argv).toEqual(['run', '--sample', '5', '--seed', '3', '--json']);
    expect(meta.versions.openai).toBeTruthy();
    expect(meta.endedAt).toBeTruthy();
  });
});

describe('run flags', () => {
  it('--suite, --model, --repeat, --sample and --out narrow and shape the run', async () => {
    const project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const r = await runCli(['run', '--suite', 'arithmetic', '--model', 'sim-large', '--model', 'sim-flash', '--repeat', '2', '--sample', '3', '--out', 'elsewhere'], {cwd: project});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sim-large');
    const results = journal(onlyRunDir(project, 'elsewhere'));
    expect(results).toHaveLength(1 * 2 * 2 * 3);
    expect(new Set(results.map((x) => x.suiteId))).toEqual(new Set(['arithmetic']));
    expect(new Set(results.map((x) => x.model))).toEqual(new Set(['sim-large', 'sim-flash']));
    expect(new Set(results.map((x) => x.repeat))).toEqual(new Set([0, 1]));
  });

  it('--sample is deterministic for a --seed', async () => {
    const project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const ids = async (seed: string) => {
      const r = await runCli(['run', '--suite', 'capitals', '--model', 'sim-mini', '--sample', '6', '--seed', seed, '--json'], {cwd: project});
      expect(r.code).toBe(0);
      return journal(JSON.parse(r.stdout).dir).map((x) => x.caseId).sort();
    };
    const a = await ids('11');
    expect(await ids('11')).toEqual(a);
    expect(await ids('12')).not.toEqual(a);
  });

  it('--concurrency 1 never has two requests in flight', async () => {
    const project = makeProject({'bench.config.json': JSON.stringify({...JSON.parse(FAST_DEFAULT_CONFIG), sandbox: {latencyScale: 0.02}})}, {withDefaults: true});
    // Models without injected faults: a retrying request gives up its slot while it backs off.
    const r = await runCli(['run', '--suite', 'sentiment', '--model', 'sim-large', '--model', 'sim-flash', '--model', 'sim-medium', '--sample', '4', '--concurrency', '1', '--json'], {cwd: project});
    expect(r.code).toBe(0);
    const results = journal(JSON.parse(r.stdout).dir).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    for (let i = 1; i < results.length; i++) expect(results[i]!.startedAt >= results[i - 1]!.endedAt).toBe(true);
  });

  it('runs the repo\'s own bench.config.ts', async () => {
    const r = await runCli(['run', '--sample', '1', '--out', `${makeProject({})}/out`, '--json'], {cwd: ROOT});
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).n).toBe(28);
  });
});

describe('resume', () => {
  it('re-runs only what is missing or errored, and repairs a torn last line', async () => {
    const project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const first = await runCli(['run', '--sample', '4', '--json'], {cwd: project});
    expect(first.code).toBe(0);
    const dir = JSON.parse(first.stdout).dir as string;
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(112);
    // Keep 40 finished results, then a line cut off mid-write, as a crash would leave it.
    writeFileSync(join(dir, 'results.jsonl'), `${lines.slice(0, 40).join('\n')}\n${lines[40]!.slice(0, 50)}`);
    const second = await runCli(['run', '--resume', dir, '--json'], {cwd: project});
    expect(second.code).toBe(0);
    const after = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    // 40 kept + 1 torn + 72 re-run: nothing finished was sent again.
    expect(after).toHaveLength(113);
    const summary = JSON.parse(second.stdout);
    expect(summary.n).toBe(112);
    const keys = after.slice(41).map((l) => {
      const r = JSON.parse(l) as Result;
      return `${r.suiteId}/${r.caseId}/${r.model}`;
    });
    const kept = new Set(lines.slice(0, 40).map((l) => {
      const r = JSON.parse(l) as Result;
      return `${r.suiteId}/${r.caseId}/${r.model}`;
    }));
    expect(keys.filter((k) => kept.has(k))).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).resumedAt).toHaveLength(1);
  });
});

describe('untrusted text', () => {
  const CASES = JSON.stringify([
    {id: 'xss', snippet: '<b>bold</b> & "quotes"', expected: '<img src=x onerror=alert(1)></script><script>alert(2)</script>'},
    {id: 'formula', snippet: 'plain', expected: '=HYPERLINK("http://evil.example","click")'},
  ]);
  let dir: string;
  beforeAll(async () => {
    const project = makeProject({
      'bench.config.json': JSON.stringify({providers: ['p.yaml'], suites: ['s.yaml'], sandbox: {latencyScale: 0}}),
      'p.yaml': 'id: sim\ntype: sandbox\nwire: openai\nmodels:\n  - label: perfect\n    model: perfect\n    sim: { accuracy: 1 }\n',
      's.yaml': 'id: untrusted\nprompt: "Repeat after me: {{snippet}}"\ndataset: cases.json\ngraders:\n  - type: exact-match\n',
      'cases.json': CASES,
    });
    const r = await runCli(['run', '--json'], {cwd: project});
    expect(r.code).toBe(0);
    dir = JSON.parse(r.stdout).dir;
  });

  it('renders prompt templates raw: no HTML escaping in prompts', () => {
    const xss = journal(dir).find((r) => r.caseId === 'xss')!;
    expect(xss.input).toBe('Repeat after me: <b>bold</b> & "quotes"');
    expect(xss.output).toBe('<img src=x onerror=alert(1)></script><script>alert(2)</script>');
    expect(xss.pass).toBe(true);
  });

  it('escapes model output and dataset text in the HTML report', () => {
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('Content-Security-Policy');
  });

  it('neutralises spreadsheet formulas in the CSV', () => {
    const csv = readFileSync(join(dir, 'results.csv'), 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  });
});

describe('real provider types pointed at a loopback server', () => {
  const server = new Sandbox({anyModel: true, latencyScale: 0});
  beforeAll(() => server.listen());
  afterAll(() => server.close());

  it.each([
    ['openai', (url: string) => `${url}/v1`],
    ['anthropic', (url: string) => url],
    ['gemini', (url: string) => url],
  ])('type %s works with only baseURL, a key env var and a model list', async (type, base) => {
    const project = makeProject({
      'bench.config.yaml': `providers:\n  - id: remote\n    type: ${type}\n    baseURL: ${base(server.url)}\n    auth: { env: ASSAY_E2E_KEY }\n    models:\n      - label: remote-model\n        model: whatever-1\nsuites: [s.yaml]\n`,
      's.yaml': 'id: hello\nprompt: "Say hello"\ncases:\n  - { expected: hello }\n  - { id: two, expected: hi }\ngraders: [{type: contains, caseSensitive: false}]\n',
    });
    const before = server.log.length;
    process.env.ASSAY_E2E_KEY = 'k-123456';
    try {
      const outcome = await runBenchmark({cwd: project});
      expect(outcome.summary.models['remote-model']!.ok).toBe(2);
      expect(outcome.results.every((r) => r.simulated === false && r.provider === 'remote')).toBe(true);
    } finally {
      delete process.env.ASSAY_E2E_KEY;
    }
    expect(server.log.slice(before).map((l) => l.wire)).toEqual([type, type]);
  });

  it('a missing key env var is a clear input error (exit 2)', async () => {
    const project = makeProject({
      'bench.config.yaml': `providers:\n  - id: remote\n    type: openai\n    baseURL: ${server.url}/v1\n    models: [{label: m, model: m}]\nsuites: [s.yaml]\n`,
      's.yaml': 'id: hello\nprompt: "Say hello"\ncases: [{expected: hello}]\n',
    });
    const r = await runCli(['run'], {cwd: project, env: {OPENAI_API_KEY: undefined}});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OPENAI_API_KEY is not set');
  });
});
