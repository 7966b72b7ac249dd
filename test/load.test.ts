import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LoadReport, Percentiles, StepResult} from '../src/load/load-types.ts';
import {runLoad} from '../src/load/run-load.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {startViewServer} from '../src/view/view-server.ts';
import {FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';
import {SandboxProcess} from './sandbox-process.ts';

// The load generator runs here; every server it stresses runs in a child process (SandboxProcess),
// so neither's work shows up as the other's latency. Assertions are about structure and lower
// bounds the parameters imply, never wall-clock ceilings.
const KNEE = {ttftMs: 40, msPerToken: 10, latencySigma: 0, capacity: {maxConcurrent: 2, queueLimit: 2, slowdownPerActive: 0.5, overloadStatus: 429 as const}};
const FAST = {ttftMs: 5, msPerToken: 1, latencySigma: 0};

let server: SandboxProcess;
beforeAll(async () => {
  server = await SandboxProcess.start({models: [resolveSimModel('knee-1', KNEE), resolveSimModel('fast-1', FAST)], latencyScale: 1});
});
afterAll(() => server.close());

function project(limits = ''): string {
  const providers = `id: sim
type: sandbox
wire: openai
baseURL: ${server.url}/v1
${limits}
models:
  - { label: knee, model: knee-1 }
  - { label: fast, model: fast-1 }
`;
  return makeProject({'bench.config.json': JSON.stringify({providers: ['p.yaml'], suites: ['s.yaml'], outDir: 'reports'}), 'p.yaml': providers, 's.yaml': 'id: unused\nprompt: "x"\ncases: [{expected: x}]\n'});
}

function ordered(p: Percentiles): void {
  const seq = [p.p50, p.p90, p.p95, p.p99, p.max].filter((v): v is number => v !== null);
  for (let i = 1; i < seq.length; i++) expect(seq[i]!).toBeGreaterThanOrEqual(seq[i - 1]!);
}

function consistent(s: StepResult): void {
  expect(s.requests.ok + s.requests.errors).toBe(s.requests.measured);
  expect(s.goodputRps).toBeLessThanOrEqual(s.achievedRps + 1e-9);
  for (const p of [s.ttftMs, s.itlMs, s.tpotMs, s.e2eMs, s.ttftFromScheduledMs, s.e2eFromScheduledMs]) ordered(p);
  expect(s.e2eMs.n).toBe(s.requests.ok);
  // From the schedule is never shorter than from the send.
  expect(s.e2eFromScheduledMs.p50!).toBeGreaterThanOrEqual(s.e2eMs.p50! - 1e-6);
}

describe('assay load against a simulated deployment with known capacity', () => {
  it('at concurrency 1, TTFT and time per output token are at least what the parameters imply', async () => {
    const {report, records} = await runLoad({cwd: project(), models: ['knee'], profile: 'concurrency', concurrency: 1, requests: 6, warmup: 1, outputTokens: '6', seed: 3});
    const [step] = report.models.knee!.steps;
    consistent(step!);
    expect(records).toHaveLength(7);
    expect(records.filter((r) => r.warmup)).toHaveLength(1);
    expect(step!.requests).toEqual({measured: 6, ok: 6, errors: 0, warmup: 1});
    expect(records.every((r) => r.outputTokens === 6 && r.chunks === 6 && r.itlGapsMs.length === 5)).toBe(true);
    expect(step!.ttftMs.p50!).toBeGreaterThanOrEqual(0.9 * KNEE.ttftMs);
    // Per token, checked on the whole answer: a client delayed at its first token reads the rest in a
    // burst on a loaded machine (a short measured TPOT), but the answer can never end sooner than the
    // server sends its last token.
    expect(step!.e2eMs.p50!).toBeGreaterThanOrEqual(0.9 * (KNEE.ttftMs + 5 * KNEE.msPerToken));
    expect(step!.tpotMs.p50!).toBeGreaterThan(0);
    expect(step!.outputTokensPerS).toBeCloseTo(step!.achievedRps * 6, 6);
  });

  it('past its slots and queue the deployment answers 429, counted as rate-limit and never retried; a full batch decodes slower', async () => {
    const before = (await server.log()).length;
    const {report, records} = await runLoad({cwd: project(), models: ['knee'], profile: 'concurrency', concurrency: 8, requests: 24, warmup: 0, outputTokens: '6', seed: 4});
    const step = report.models.knee!.steps[0]!;
    consistent(step);
    expect(step.errors['rate-limit'] ?? 0).toBeGreaterThan(0);
    expect(step.rateLimitedShare).toBeGreaterThan(0);
    expect(records.filter((r) => r.errorClass === 'rate-limit').every((r) => r.httpStatus === 429)).toBe(true);
    // One request on the wire per record: nothing was retried inside the step.
    expect((await server.log()).length - before).toBe(records.length);
    // Two requests share the batch: each token takes 1.5 × msPerToken.
    expect(step.e2eMs.p50!).toBeGreaterThanOrEqual(0.9 * (KNEE.ttftMs + 5 * KNEE.msPerToken * 1.5));
  });

  it('retries inside a step only when asked, and every attempt reaches the server', async () => {
    const cwd = project('retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 }');
    const before = (await server.log()).length;
    const {report, records} = await runLoad({cwd, models: ['knee'], profile: 'concurrency', concurrency: 8, requests: 12, warmup: 0, outputTokens: '4', retry: true});
    expect(report.retries).toBe(true);
    consistent(report.models.knee!.steps[0]!);
    const attempts = records.reduce((n, r) => n + r.attempts, 0);
    expect(records.some((r) => r.attempts > 1)).toBe(true);
    expect((await server.log()).length - before).toBe(attempts);
  });

  it('a sweep probes synchronous and maximum throughput, steps rates between them, and writes load.json, load.csv and load.html', async () => {
    const cwd = project();
    const {report, dir, records} = await runLoad({cwd, models: ['knee'], profile: 'sweep', concurrency: 4, sweepSteps: 3, requests: 8, warmup: 1, outputTokens: '5', slo: 'ttft=2s', seed: 5});
    const m = report.models.knee!;
    expect(m.steps.map((s) => s.role)).toEqual(['synchronous', 'throughput', 'rate', 'rate', 'rate']);
    expect(m.synchronousRps).toBe(m.steps[0]!.achievedRps);
    expect(m.maxThroughputRps).toBe(m.steps[1]!.achievedRps);
    const rates = m.steps.slice(2).map((s) => s.offeredRps!);
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
    expect(rates.at(-1)).toBeCloseTo(Math.max(m.maxThroughputRps!, m.synchronousRps!), 2);
    for (const s of m.steps) consistent(s);
    expect(m.saturationRps === null || rates.includes(m.saturationRps)).toBe(true);

    const onDisk = JSON.parse(readFileSync(join(dir, 'load.json'), 'utf8')) as LoadReport;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(report)));
    expect(onDisk.models.knee!.steps[0]!.ttftMs).toHaveProperty('p99');
    const csv = readFileSync(join(dir, 'load.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(records.length + 1);
    expect(csv[0]).toContain('scheduled_ms,dispatched_ms,sent_ms');
    const html = readFileSync(join(dir, 'load.html'), 'utf8');
    expect(html).toContain('Goodput against offered rate');
    expect(html).not.toMatch(/<script/);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))).toMatchObject({kind: 'load', id: report.runId});
    expect(existsSync(join(dir, 'load.json.tmp-' + process.pid))).toBe(false);

    // `assay view` lists the load test and serves its page and files, nothing else of the directory.
    const viewer = await startViewServer({dir: join(cwd, 'reports')});
    try {
      const index = await fetch(viewer.url).then((r) => r.text());
      expect(index).toContain('Load tests');
      expect(index).toContain(`/load/${report.runId}/`);
      const page = await fetch(`${viewer.url}load/${report.runId}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Latency against throughput');
      expect((await fetch(`${viewer.url}load/${report.runId}/load.json`).then((r) => r.json())) as LoadReport).toMatchObject({runId: report.runId});
      expect((await fetch(`${viewer.url}load/${report.runId}/p.yaml`)).status).toBe(404);
      expect((await fetch(`${viewer.url}load/nope/`)).status).toBe(404);
    } finally {
      await viewer.close();
    }
  });

  it('open loop: a 2-second server stall shows in the latency of every request scheduled during it, even those a client limit held back', async () => {
    // One request at a time on the client (a config limit): requests scheduled during the stall wait
    // in the generator, and only latency from the scheduled time shows that wait.
    const cwd = project('limits: { concurrency: 1 }');
    let stall: Promise<{startEpochMs: number; endEpochMs: number}> | null = null;
    const {report, records} = await runLoad({
      cwd,
      models: ['fast'],
      profile: 'rate',
      rateRps: 20,
      arrivals: 'constant',
      requests: 70,
      warmup: 0,
      outputTokens: '3',
      onEvent: (e) => {
        if (e.type === 'step-start') setTimeout(() => (stall = server.block(2000)), 400);
      },
    });
    const {startEpochMs, endEpochMs} = await stall!;
    const step = report.models.fast!.steps[0]!;
    consistent(step);
    const during = records.filter((r) => {
      const at = step.startedAtEpochMs + r.scheduledMs;
      return at >= startEpochMs && at < endEpochMs - 100;
    });
    expect(during.length).toBeGreaterThan(10);
    for (const r of during) {
      const scheduledEpochMs = step.startedAtEpochMs + r.scheduledMs;
      // 25 ms of slack for the two processes' clocks.
      expect(r.e2eFromScheduledMs).toBeGreaterThanOrEqual(endEpochMs - scheduledEpochMs - 25);
    }
    // The limit held most of them back: measured from their actual send, the stall would vanish.
    const heldBack = during.filter((r) => r.sentMs - r.dispatchedMs > 500);
    expect(heldBack.length).toBeGreaterThan(0);
    expect(step.e2eFromScheduledMs.max!).toBeGreaterThan(step.e2eMs.max! - 1e-6);
  });

  it('sends a traffic sample\'s requests, cycled, each with a unique first line unless caching is allowed', async () => {
    const cwd = project();
    const lines = ['What is 2+2?', 'Name a colour.'].map((q, i) => JSON.stringify({id: `r${i}`, messages: [{role: 'system', content: 'Be brief.'}, {role: 'user', content: q}]}));
    writeFileSync(join(cwd, 'traffic.jsonl'), `${lines.join('\n')}\n`);
    const before = (await server.log()).length;
    const {report} = await runLoad({cwd, models: ['fast'], profile: 'concurrency', concurrency: 1, requests: 4, warmup: 0, sample: 'traffic.jsonl', outputTokens: '3'});
    expect(report.workload.sample).toBe('traffic.jsonl');
    expect(report.models.fast!.steps[0]!.requests.ok).toBe(4);
    const prompts = (await server.log()).slice(before).map((l) => l.prompt);
    expect(prompts).toEqual(['What is 2+2?', 'Name a colour.', 'What is 2+2?', 'Name a colour.']);
  });

  it('a step offered far above the generator’s ceiling is flagged invalid, not reported as measured', async () => {
    const {report} = await runLoad({cwd: project(), models: ['fast'], profile: 'rate', rateRps: 1_000_000, arrivals: 'constant', requests: 300, warmup: 0, outputTokens: '2', ignoreLimits: true});
    const step = report.models.fast!.steps[0]!;
    consistent(step);
    expect(step.valid).toBe(false);
    expect(step.invalidReason).toMatch(/could not keep up|late/);
    expect(step.dispatchedRps!).toBeLessThan(0.9 * 1_000_000);
    expect(report.models.fast!.saturationRps).toBeNull();
  });
});

describe('assay load on the command line', () => {
  it('runs the default fleet\'s simulated deployment in a sandbox process of its own and prints load.json', async () => {
    const cwd = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const r = await runCli(['load', '--model', 'sim-medium', '--profile', 'concurrency', '--concurrency', '2', '--requests', '4', '--warmup', '0', '--json', '--out', 'out'], {cwd});
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as LoadReport;
    const step = report.models['sim-medium']!.steps[0]!;
    expect(step.requests.measured).toBe(4);
    expect(step.requests.ok).toBe(4);
    expect(report.simulated).toBe(true);
    expect(existsSync(join(cwd, 'out', report.runId, 'load.csv'))).toBe(true);
  });

  it('refuses a rate profile without a rate, and an unreadable SLO, with exit 2 and the fix', async () => {
    const cwd = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const noRate = await runCli(['load', '--profile', 'rate'], {cwd});
    expect(noRate.code).toBe(2);
    expect(noRate.stderr).toContain('--rate');
    const badSlo = await runCli(['load', '--profile', 'concurrency', '--slo', 'fast=yes'], {cwd});
    expect(badSlo.code).toBe(2);
    expect(badSlo.stderr).toMatch(/--slo: cannot read "fast=yes"[\s\S]*fix:/);
    expect(badSlo.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
