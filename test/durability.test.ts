import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, readFileSync, readdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {readJournal} from '../src/runner/journal.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {BIN, makeProject, runCli} from './helpers.ts';

// A real `assay run` process against a sandbox living in the test process, so the sandbox's request
// log survives the CLI being killed and tells what was really answered.
const server = new Sandbox({
  models: [resolveSimModel('steady', {accuracy: 1, ttftMs: 40, msPerToken: 0, latencySigma: 0}), resolveSimModel('glacial', {ttftMs: 5000, msPerToken: 0, latencySigma: 0})],
});
beforeAll(() => server.listen());
afterAll(() => server.close());

const N = 80;

function setup(model = 'steady', tag = model): string {
  const cases = Array.from({length: N}, (_, i) => `  - {id: c${i}, q: "${tag} question ${i}", expected: "a${i}"}`).join('\n');
  return makeProject({
    'bench.config.yaml': `providers:
  - id: ext
    type: sandbox
    wire: openai
    baseURL: ${server.url}/v1
    limits: { concurrency: 4 }
    models: [{ label: ${model}, model: ${model} }]
suites: [s.yaml]
`,
    's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${cases}\n`,
  });
}

function start(cwd: string, args: string[] = ['run']): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {cwd, env: {...process.env, CI: 'true'}, stdio: ['ignore', 'pipe', 'pipe']});
}

function runDir(cwd: string): string | null {
  const reports = join(cwd, 'reports');
  if (!existsSync(reports)) return null;
  const [id] = readdirSync(reports);
  return id ? join(reports, id) : null;
}

async function waitForResults(cwd: string, n: number): Promise<string> {
  for (let i = 0; i < 6000; i++) {
    const dir = runDir(cwd);
    if (dir && existsSync(join(dir, 'results.jsonl')) && readJournal(join(dir, 'results.jsonl')).results.length >= n) return dir;
    await sleep(10);
  }
  throw new Error('the run produced no results');
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
}

const keyOf = (r: Result) => `${r.model}/${r.caseId}`;
const answered = (model: string, caseIndex: number) =>
  server.log.filter((l) => l.model === model && l.completed && l.prompt === `Answer ${model} question ${caseIndex}`).length;

describe('crash and resume', () => {
  it('after kill -9 mid-run, a resume holds every case exactly once and re-pays for none that had finished', async () => {
    const cwd = setup();
    const child = start(cwd);
    const dir = await waitForResults(cwd, 15);
    child.kill('SIGKILL');
    await exited(child);
    const beforeKill = readJournal(join(dir, 'results.jsonl')).results;
    expect(beforeKill.length).toBeGreaterThanOrEqual(15);
    expect(beforeKill.length).toBeLessThan(N);

    const resumed = await runCli(['run', '--resume', dir], {cwd});
    expect(resumed.code).toBe(0);
    const journal = readJournal(join(dir, 'results.jsonl'));
    const keys = journal.results.map(keyOf);
    expect(new Set(keys).size).toBe(N);
    expect(keys).toHaveLength(N);
    expect(journal.results.every((r) => r.status === 'ok' && r.runId === dir.split('/').at(-1))).toBe(true);
    for (const r of beforeKill) expect(answered('steady', Number(r.caseId.slice(1))), r.caseId).toBe(1);
  });
});

describe('Ctrl+C', () => {
  it('once: stops sending, journals what was in flight, exits 130, and the rest resumes', async () => {
    const cwd = setup('steady', 'sigint');
    const child = start(cwd);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const dir = await waitForResults(cwd, 10);
    child.kill('SIGINT');
    const code = await exited(child);
    expect(code).toBe(130);
    expect(output).toContain(`assay run --resume ${dir}`);
    const journal = readJournal(join(dir, 'results.jsonl')).results;
    expect(journal.length).toBeLessThan(N);
    // In-flight requests were drained, not dropped: what the sandbox answered is exactly what was journaled.
    const answeredPrompts = new Set(server.log.filter((l) => l.completed && l.prompt.startsWith('Answer sigint ')).map((l) => l.prompt));
    expect(new Set(journal.map((r) => r.input))).toEqual(answeredPrompts);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).interrupted).toBe(true);

    const resumed = await runCli(['run', '--resume', dir], {cwd});
    expect(resumed.code).toBe(0);
    expect(new Set(readJournal(join(dir, 'results.jsonl')).results.map(keyOf)).size).toBe(N);
  });

  it('twice: exits at once even with requests in flight', async () => {
    const cwd = setup('glacial');
    const child = start(cwd);
    // No short cap: a SIGINT sent before the CLI has started its run (a slow start on a loaded machine)
    // kills it before its handler exists, which is not what this test is about.
    for (let i = 0; i < 6000 && !server.log.some((l) => l.model === 'glacial'); i++) await sleep(10);
    expect(server.log.some((l) => l.model === 'glacial')).toBe(true);
    child.kill('SIGINT');
    await sleep(100);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    // It did not wait for the 5-second answers, and it took its lock with it.
    expect(server.log.filter((l) => l.model === 'glacial' && l.completed)).toHaveLength(0);
    expect(existsSync(join(runDir(cwd)!, 'run.lock'))).toBe(false);
  });
});

describe('run lock', () => {
  it('refuses a second writer on a live run, and takes over a stale lock', async () => {
    const cwd = setup();
    const first = await runCli(['run', '--json'], {cwd});
    expect(first.code).toBe(0);
    const dir = JSON.parse(first.stdout).dir as string;
    writeFileSync(join(dir, 'run.lock'), `${process.pid}\n`);
    const refused = await runCli(['run', '--resume', dir], {cwd});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`another assay process (pid ${process.pid})`);

    writeFileSync(join(dir, 'run.lock'), '999999\n');
    const resumed = await runCli(['run', '--resume', dir], {cwd});
    expect(resumed.code).toBe(0);
    expect(existsSync(join(dir, 'run.lock'))).toBe(false);
  });

  it('refuses to resume when a finished case would now be sent differently', async () => {
    const cwd = setup();
    const first = await runCli(['run', '--json'], {cwd});
    const dir = JSON.parse(first.stdout).dir as string;
    writeFileSync(join(cwd, 's.yaml'), readFileSync(join(cwd, 's.yaml'), 'utf8').replace('prompt: "Answer {{q}}"', 'prompt: "Reply to {{q}}"'));
    const refused = await runCli(['run', '--resume', dir], {cwd});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('cannot resume');
  });
});
