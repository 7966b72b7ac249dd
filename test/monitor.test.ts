import {spawn} from 'node:child_process';
import {appendFileSync, existsSync, readFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {detectDrift} from '../src/monitor/detect-drift.ts';
import {readSeries} from '../src/monitor/series-file.ts';
import type {SeriesPoint} from '../src/monitor/series-point.ts';
import {fisherExact} from '../src/stats/fisher-exact.ts';
import {mannWhitney} from '../src/stats/mann-whitney.ts';
import {BIN, makeProject, runCli} from './helpers.ts';
import {SandboxProcess} from './sandbox-process.ts';

describe('drift statistics', () => {
  it('Fisher exact matches hand-computed tables', () => {
    // All 10 now fail, none of 10 before: 2 / C(20, 10).
    expect(fisherExact(10, 10, 0, 10)).toBeCloseTo(2 / 184756, 12);
    expect(fisherExact(3, 10, 3, 10)).toBeCloseTo(1, 12);
    // Fisher's tea tasting: 3 of 4 against 1 of 4, two-sided p = 0.486.
    expect(fisherExact(3, 4, 1, 4)).toBeCloseTo(0.4857, 4);
  });

  it('Mann-Whitney: separated samples are different, shuffled ones are not, too few say nothing', () => {
    const separated = mannWhitney([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]);
    expect(separated.pValue).toBeLessThan(0.02);
    expect(separated.probXGreater).toBe(1);
    expect(mannWhitney([1, 4, 5, 8, 9, 12], [2, 3, 6, 7, 10, 11]).pValue).toBeGreaterThan(0.5);
    expect(mannWhitney([100, 200], [1, 2, 3, 4]).pValue).toBe(1);
  });

  const point = (cycle: number, over: Partial<SeriesPoint>): SeriesPoint => ({
    v: 1, cycle, at: '', runId: `r${cycle}`, model: 'm', n: 10, errors: 0, errorsByClass: {}, graded: 10, passed: 9, latencyP50Ms: 100, latencyP95Ms: 120,
    latenciesMs: [95, 98, 100, 101, 99, 103, 97, 102, 100, 104], costUsd: 0.001, ...over,
  });

  it('flags a move for the worse against the model\'s own baseline, never one for the better, never during the baseline', () => {
    const base = [point(1, {}), point(2, {}), point(3, {})];
    expect(detectDrift(base, 3, {baselineCycles: 3, alpha: 0.05})).toEqual([]);
    const broken = [...base, point(4, {errors: 10, errorsByClass: {server: 10}, graded: 0, passed: 0, latenciesMs: []})];
    expect(detectDrift(broken, 4, {baselineCycles: 3, alpha: 0.05}).map((d) => d.metric)).toEqual(['error rate']);
    const slower = [...base, point(4, {latenciesMs: [300, 310, 290, 305, 295, 320, 300, 310, 299, 301]})];
    expect(detectDrift(slower, 4, {baselineCycles: 3, alpha: 0.05}).map((d) => d.metric)).toEqual(['latency']);
    const faster = [...base, point(4, {latenciesMs: [30, 31, 29, 30, 32, 28, 30, 31, 29, 30]})];
    expect(detectDrift(faster, 4, {baselineCycles: 3, alpha: 0.05})).toEqual([]);
    // One fewer pass in ten is noise, not drift.
    expect(detectDrift([...base, point(4, {passed: 8})], 4, {baselineCycles: 3, alpha: 0.05})).toEqual([]);
  });

  it('reads a series back with a torn last line left out, and names the line of any other bad one', () => {
    const dir = makeProject({'s.jsonl': `${JSON.stringify({...point(1, {})})}\n{"v":1,"cyc`});
    const read = readSeries(join(dir, 's.jsonl'));
    expect(read.points).toHaveLength(1);
    expect(read.tornLine).toBe(2);
    const bad = makeProject({'s.jsonl': `{"v":1}\n${JSON.stringify(point(1, {}))}\n`});
    expect(() => readSeries(join(bad, 's.jsonl'))).toThrow(/line 1 is not a monitor series line/);
  });
});

describe('assay monitor against a provider that breaks midway (CLI, sandbox in its own process)', () => {
  let sandbox: SandboxProcess;
  let hook: Server;
  let hookUrl: string;
  const received: unknown[] = [];
  beforeAll(async () => {
    sandbox = await SandboxProcess.start({anyModel: true, latencyScale: 0});
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', () => resolve()));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
  });
  afterAll(async () => {
    await sandbox.close();
    await new Promise<void>((resolve) => hook.close(() => resolve()));
  });

  it('records the series, flags the drift with a webhook and exit 1, and resumes its series after a kill', async () => {
    const cases = Array.from({length: 8}, (_, i) => `  - {id: c${i}, q: "question ${i}", expected: "a${i}"}`).join('\n');
    const cwd = makeProject({
      'bench.config.yaml': `providers:
  - {id: sim, type: sandbox, wire: openai, baseURL: "${sandbox.url}/v1", retry: {maxAttempts: 1}, circuitBreaker: false, models: [{label: watched, model: watched-model}]}
suites: [s.yaml]
`,
      's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${cases}\ngraders: [{type: exact-match}]\n`,
    });
    const series = join(cwd, 'reports', 'monitor', 'series.jsonl');
    const base = ['monitor', '--interval', '0', '--baseline', '3', '--webhook', hookUrl, '--json'];

    const first = await runCli([...base, '--cycles', '3'], {cwd});
    expect(first.code, first.stderr).toBe(0);
    expect(readSeries(series).points.map((p) => p.cycle)).toEqual([1, 2, 3]);
    expect(received).toEqual([]);

    // A monitor waiting between cycles is killed; started again, it continues the same series.
    const slow = spawn(process.execPath, [BIN, 'monitor', '--interval', '60s', '--cycles', '5', '--baseline', '3', '--json'], {cwd, env: {...process.env, CI: 'true'}, stdio: ['ignore', 'pipe', 'pipe']});
    await new Promise<void>((resolve) => slow.stdout.on('data', () => resolve()));
    slow.kill('SIGKILL');
    await new Promise((resolve) => slow.on('close', resolve));
    expect(readSeries(series).points.map((p) => p.cycle)).toEqual([1, 2, 3, 4]);
    appendFileSync(series, '{"v":1,"cycle":5,"at"'); // and a kill mid-write leaves a torn line

    await sandbox.forceFault('server');
    try {
      const broken = await runCli([...base, '--cycles', '3', '--fail-on-drift'], {cwd});
      expect(broken.code, broken.stderr).toBe(1);
      const cycles = broken.stdout.trim().split('\n').map((l) => JSON.parse(l) as {cycle: number; drifts: Array<{metric: string; model: string}>});
      // Cycle 5 follows the four kept ones; it drifts at once, and --fail-on-drift stops there.
      expect(cycles.map((c) => c.cycle)).toEqual([5]);
      expect(cycles[0]!.drifts.map((d) => `${d.model} ${d.metric}`)).toContain('watched error rate');
    } finally {
      await sandbox.forceFault(null);
    }
    expect(received).toHaveLength(1);
    expect(JSON.stringify(received[0])).toContain('error rate');
    const after = readSeries(series);
    // Only the fault is a drift in errors; latency may drift on its own on a loaded machine (it is measured).
    expect(after.drifts.filter((d) => d.metric !== 'latency').map((d) => d.cycle)).toEqual([5]);
    expect(after.points.find((p) => p.cycle === 5)!.errorsByClass).toEqual({server: 8});
    expect(existsSync(join(cwd, 'reports', 'monitor', 'runs'))).toBe(true);
    expect(readFileSync(series, 'utf8')).not.toContain('"cycle":5,"at"\n');
  });
});
