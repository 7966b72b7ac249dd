import {spawn} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {BIN, FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';

// `assay run --batch` end to end: the built CLI, the real OpenAI, Anthropic and @google/genai SDKs, and a sandbox
// that lives in this process (so it outlives a killed CLI) on loopback.
const server = new Sandbox({anyModel: true, latencyScale: 0, batch: {turnaroundMs: 200}});
const CASES = Array.from({length: 6}, (_, i) => ({id: `c${i}`, a: i + 2, b: i * 3, expected: String(i + 2 + i * 3)}));
beforeAll(async () => {
  await server.listen();
  for (const c of CASES) server.answerKey.register(`What is ${c.a} + ${c.b}? Answer with the number only.`, {expected: c.expected, tags: [], group: 'add'});
});
afterAll(() => server.close());

const SUITE = `id: add\nprompt: "What is {{a}} + {{b}}? Answer with the number only."\ncases: ${JSON.stringify(CASES)}\ngraders: [{type: exact-match}]\n`;

/** Two batch-capable providers (OpenAI and Anthropic wires) and, optionally, a Gemini one (Gemini Batch API). */
function project(headers: Record<string, string> = {}, opts: {gemini?: boolean} = {}): string {
  const h = JSON.stringify(headers);
  const providers = [
    `  - id: oa\n    type: sandbox\n    wire: openai\n    baseURL: ${server.baseURLFor('openai')}\n    headers: ${h}\n    retry: { maxAttempts: 2, baseDelayMs: 5 }\n    models:\n      - { label: oa-model, model: oa-model, params: { maxTokens: 32 }, pricing: { inputPerMTok: 2, outputPerMTok: 8 } }\n`,
    `  - id: an\n    type: sandbox\n    wire: anthropic\n    baseURL: ${server.baseURLFor('anthropic')}\n    headers: ${h}\n    retry: { maxAttempts: 2, baseDelayMs: 5 }\n    models:\n      - { label: an-model, model: an-model, params: { maxTokens: 32 }, pricing: { inputPerMTok: 3, outputPerMTok: 15, batchInputPerMTok: 1, batchOutputPerMTok: 5 } }\n`,
    ...(opts.gemini ? [`  - id: ge\n    type: sandbox\n    wire: gemini\n    baseURL: ${server.baseURLFor('gemini')}\n    headers: ${h}\n    retry: { maxAttempts: 2, baseDelayMs: 5 }\n    models:\n      - { label: ge-model, model: ge-model, params: { maxTokens: 32 }, pricing: { inputPerMTok: 1, outputPerMTok: 1 } }\n`] : []),
  ];
  return makeProject({'bench.config.yaml': `providers:\n${providers.join('')}suites: [s.yaml]\nconcurrency: 8\n`, 's.yaml': SUITE});
}

const journal = (dir: string): Result[] =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Result);
const keyOf = (r: Result) => `${r.suiteId}/${r.caseId}/${r.model}/${r.repeat}`;
const POLL = ['--batch-poll-ms', '40'];

async function runBatch(cwd: string, extra: string[] = []) {
  const r = await runCli(['run', '--batch', ...POLL, '--json', ...extra], {cwd});
  return {...r, dir: r.stdout.trim() ? (JSON.parse(r.stdout) as {dir: string}).dir : ''};
}

describe('assay run --batch', () => {
  it('submits one batch per model, polls, downloads into the journal at batch prices, with turnaround instead of latency', async () => {
    const before = {...server.batches.counts};
    const cwd = project({}, {gemini: true});
    const r = await runBatch(cwd);
    expect(r.code, r.stderr).toBe(0);
    const results = journal(r.dir);
    expect(results).toHaveLength(18);
    expect(new Set(results.map(keyOf)).size).toBe(18);
    expect(server.batches.counts.batches - before.batches).toBe(3);
    expect(server.batches.counts.lines - before.lines).toBe(18);

    const batched = results;
    for (const x of batched) {
      expect(x.status).toBe('ok');
      expect(x.batchId).toMatch({'oa-model': /^batch_/, 'an-model': /^msgbatch_/, 'ge-model': /^batches\//}[x.model]!);
      expect(x.latencyMs).toBeNull();
      expect(x.ttftMs).toBeNull();
      expect(x.batchTurnaroundMs).toBeGreaterThanOrEqual(150);
      // Default batch price: half of 2/8 (oa-model) and 1/1 (ge-model) per MTok; explicit batch price for an-model: 1/5.
      const [inP, outP] = {'oa-model': [1, 4], 'an-model': [1, 5], 'ge-model': [0.5, 0.5]}[x.model]!;
      expect(x.costUsd).toBeCloseTo((x.inputTokens! * inP + x.outputTokens! * outP) / 1e6, 12);
    }
    expect(batched.filter((x) => x.pass).length).toBeGreaterThan(0);
    // Gemini goes through its Batch API too: no fallback warning.
    expect(r.stderr).not.toMatch(/run live at standard prices/);
    const summary = JSON.parse(r.stdout) as {models: Record<string, {batchTurnaroundMs?: {batches: number; p50: number}}>};
    expect(summary.models['oa-model']!.batchTurnaroundMs).toMatchObject({batches: 1});
    expect(summary.models['ge-model']!.batchTurnaroundMs).toMatchObject({batches: 1});
    const state = JSON.parse(readFileSync(join(r.dir, 'batches.json'), 'utf8')) as {batches: Array<{status: string; providerStatus: string; items: Record<string, string>}>};
    expect(state.batches.map((b) => b.status)).toEqual(['downloaded', 'downloaded', 'downloaded']);
    expect(state.batches.find((b) => b.model === 'ge-model')?.providerStatus).toBe('JOB_STATE_SUCCEEDED');
    expect(JSON.parse(readFileSync(join(r.dir, 'run.json'), 'utf8')).options.batch).toBe(true);
  });

  it('costs half of the same run sent live (default batch prices)', async () => {
    const cwd = project();
    const batch = await runBatch(cwd, ['--model', 'oa-model']);
    const live = await runCli(['run', '--json', '--model', 'oa-model'], {cwd});
    expect(batch.code).toBe(0);
    expect(live.code).toBe(0);
    const cost = (s: string) => (JSON.parse(s) as {overall: {costUsd: number}}).overall.costUsd;
    expect(cost(batch.stdout)).toBeGreaterThan(0);
    expect(cost(batch.stdout)).toBeCloseTo(cost(live.stdout) / 2, 12);
  });

  it('partial failure: errored requests become error results, the rest are ok; --resume resubmits only the errored ones', async () => {
    const cwd = project({'x-sandbox-batch-failure-rate': '0.4'}, {gemini: true});
    const r = await runBatch(cwd);
    expect(r.code, r.stderr).toBe(0);
    const results = journal(r.dir);
    expect(results).toHaveLength(18);
    const errors = results.filter((x) => x.status === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThan(18);
    // Each wire's errored lines (a google.rpc.Status code 13 on Gemini's) classify as server errors.
    expect(errors.some((e) => e.model === 'ge-model')).toBe(true);
    for (const e of errors) {
      expect(e.error!.class).toBe('server');
      expect(e.batchId).toBeDefined();
      expect(e.costUsd).toBeNull();
    }
    const before = {...server.batches.counts};
    const resumed = await runCli(['run', '--resume', r.dir, ...POLL, '--json'], {cwd});
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(server.batches.counts.lines - before.lines).toBe(errors.length);
    const after = journal(r.dir);
    expect(after).toHaveLength(18 + errors.length);
    // Every resubmitted request is journaled once more; none that was ok is.
    const again = after.slice(18).map(keyOf).sort();
    expect(again).toEqual(errors.map(keyOf).sort());
  });

  it('expired batch: unprocessed requests are timeout errors whose hint says --resume submits them again', async () => {
    const cwd = project({'x-sandbox-batch-turnaround-ms': '400', 'x-sandbox-batch-expire-ms': '200'}, {gemini: true});
    const r = await runBatch(cwd);
    expect(r.code, r.stderr).toBe(0);
    const results = journal(r.dir);
    const expired = results.filter((x) => x.status === 'error');
    // Half of each OpenAI/Anthropic 6-request batch was processed before it expired; an expired Gemini batch has no results at all.
    expect(expired).toHaveLength(3 + 3 + 6);
    expect(results.filter((x) => x.status === 'ok')).toHaveLength(6);
    expect(expired.filter((x) => x.model === 'ge-model')).toHaveLength(6);
    for (const e of expired) {
      expect(e.error!.class).toBe('timeout');
      expect(e.error!.message).toMatch(/expired before this request was processed/);
      expect(e.error!.hint).toContain(`assay run --resume ${r.dir}`);
    }
    const state = JSON.parse(readFileSync(join(r.dir, 'batches.json'), 'utf8')) as {batches: Array<{providerStatus: string}>};
    expect(state.batches.map((b) => b.providerStatus).sort()).toEqual(['JOB_STATE_EXPIRED', 'ended', 'expired']);
  });

  it('resumes after the process is SIGKILLed post-submission: polls the same batches, no resubmission, no duplicate lines', async () => {
    const cwd = project({'x-sandbox-batch-turnaround-ms': '1500'}, {gemini: true});
    const before = {...server.batches.counts};
    const child = spawn(process.execPath, [BIN, 'run', '--batch', ...POLL], {cwd, env: {...process.env, CI: 'true'}, stdio: 'ignore'});
    let dir = '';
    for (let i = 0; i < 200 && !dir; i++) {
      await sleep(25);
      const reports = join(cwd, 'reports');
      const run = existsSync(reports) ? readdirSync(reports)[0] : undefined;
      const file = run ? join(reports, run, 'batches.json') : '';
      if (file && existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as {batches: unknown[]}).batches.length === 3) dir = join(reports, run!);
    }
    expect(dir).not.toBe('');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(server.batches.counts.batches - before.batches).toBe(3);
    expect(existsSync(join(dir, 'results.jsonl')) ? journal(dir) : []).toHaveLength(0);

    const r = await runCli(['run', '--resume', dir, ...POLL, '--json'], {cwd});
    expect(r.code, r.stderr).toBe(0);
    const results = journal(dir);
    expect(results).toHaveLength(18);
    expect(new Set(results.map(keyOf)).size).toBe(18);
    expect(results.every((x) => x.status === 'ok' && x.batchId)).toBe(true);
    // The resumed run submitted nothing: it polled and downloaded the three batches the killed one had submitted.
    expect(server.batches.counts.batches - before.batches).toBe(3);
    expect(server.batches.counts.lines - before.lines).toBe(18);
    expect(server.batches.counts.files - before.files).toBe(1);

    // A second resume finds nothing to do.
    const again = await runCli(['run', '--resume', dir, ...POLL, '--json'], {cwd});
    expect(again.code).toBe(0);
    expect(journal(dir)).toHaveLength(18);
    expect(server.batches.counts.batches - before.batches).toBe(3);
  });

  it('Ctrl+C stops polling, leaves the batches submitted, exits 130 with the --resume hint; the resume downloads them', async () => {
    const cwd = project({'x-sandbox-batch-turnaround-ms': '1200'});
    const before = {...server.batches.counts};
    const child = spawn(process.execPath, [BIN, 'run', '--batch', ...POLL], {cwd, env: {...process.env, CI: 'true'}, stdio: ['ignore', 'pipe', 'pipe']});
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    for (let i = 0; i < 200 && (stderr.match(/: submitted,/g) ?? []).length < 2; i++) await sleep(25);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/stopped polling: 2 batch\(es\) stay submitted/);
    const dir = /assay run --resume (\S+) downloads them/.exec(stderr)![1]!;
    expect(existsSync(join(dir, 'results.jsonl')) ? journal(dir) : []).toHaveLength(0);
    const r = await runCli(['run', '--resume', dir, ...POLL, '--json'], {cwd});
    expect(r.code, r.stderr).toBe(0);
    expect(journal(dir)).toHaveLength(12);
    expect(server.batches.counts.batches - before.batches).toBe(2);
  });

  it('works offline on the default fleet with the in-process sandbox, and resumes its batches after a kill', async () => {
    const cwd = makeProject({'bench.config.json': JSON.stringify({...JSON.parse(FAST_DEFAULT_CONFIG), sandbox: {latencyScale: 0, batch: {turnaroundMs: 1200}}})}, {withDefaults: true});
    const args = ['run', '--batch', '--suite', 'arithmetic', '--sample', '4', ...POLL];
    const child = spawn(process.execPath, [BIN, ...args], {cwd, env: {...process.env, CI: 'true'}, stdio: 'ignore'});
    let dir = '';
    for (let i = 0; i < 200 && !dir; i++) {
      await sleep(25);
      const reports = join(cwd, 'reports');
      const run = existsSync(reports) ? readdirSync(reports)[0] : undefined;
      const file = run ? join(reports, run, 'batches.json') : '';
      // sim-large (Anthropic wire), sim-medium and sim-mini (OpenAI wire), sim-flash (Gemini wire).
      if (file && existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as {batches: unknown[]}).batches.length === 4) dir = join(reports, run!);
    }
    expect(dir).not.toBe('');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const submitted = Object.keys((JSON.parse(readFileSync(join(dir, 'sandbox-batches.json'), 'utf8')) as {batches: object}).batches);
    expect(submitted).toHaveLength(4);

    const r = await runCli(['run', '--resume', dir, ...POLL], {cwd});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/batch turnaround \(submission to results, not per-request latency\): sim-flash [0-9.]+ s, sim-large/);
    const results = journal(dir);
    expect(new Set(results.map(keyOf)).size).toBe(results.length);
    expect(results).toHaveLength(16);
    expect(results.filter((x) => x.batchId).length).toBe(16);
    // The embedded sandbox of the resumed run found the same four batches: none was submitted again.
    expect(Object.keys((JSON.parse(readFileSync(join(dir, 'sandbox-batches.json'), 'utf8')) as {batches: object}).batches)).toEqual(submitted);
  });
});
