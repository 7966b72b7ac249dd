import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {BIN, FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';
import {cleanUpQueueTest, HAVE_REDIS, journalFile, journalOf, keyOf, RedisServer, startWorker, stopWorker, waitFor, type WorkerProcess} from './queue-helpers.ts';

// Multi-machine runs: a coordinator (`assay run --queue`) and worker processes (`assay worker`) on a
// real redis-server on loopback, real SDKs over HTTP to the sandbox. Nothing is mocked.
describe.skipIf(!HAVE_REDIS)('assay run --queue with assay worker processes', () => {
  const redis = new RedisServer();
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    await redis.start();
  });
  afterEach(() => cleanUpQueueTest(workers, redis));
  afterAll(() => redis.kill());

  it('a coordinator and two workers complete a run: every task journaled once, the same answers as a local run', async () => {
    const project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    // The default lock (30 s): no worker dies here, and a short lock on a loaded machine lets a job whose
    // renewal ran late be re-delivered while it is still being served.
    const a = startWorker(redis.url, [], project);
    const b = startWorker(redis.url, [], project);
    workers.push(a, b);
    await Promise.all([a.ready, b.ready]);
    const args = ['run', '--suite', 'arithmetic', '--suite', 'definitions', '--sample', '5', '--json'];
    const queued = await runCli([...args, '--queue', redis.url], {cwd: project});
    expect(queued.stderr).not.toMatch(/\n\s+at /);
    expect(queued.code).toBe(0);
    const summary = JSON.parse(queued.stdout) as {dir: string; overall: {n: number}};
    expect(summary.overall.n).toBe(40);

    const lines = journalOf(project);
    expect(lines).toHaveLength(40);
    expect(new Set(lines.map(keyOf)).size).toBe(40);
    // The definitions suite is judged (sim-judge) on the coordinator.
    expect(lines.some((r) => (r.grades as Array<{judge?: unknown}>).some((g) => g.judge))).toBe(true);

    expect(await stopWorker(a)).toBe(0);
    expect(await stopWorker(b)).toBe(0);
    const served = [a, b].map((w) => (w.events.find((e) => e.type === 'done')?.jobs as number) ?? 0);
    expect(served[0]! + served[1]!).toBe(40);
    expect(Math.min(...served)).toBeGreaterThan(0);

    // The same run in-process: the same result fields, and the same answers (the sandbox is seeded by prompt).
    const local = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    expect((await runCli(args, {cwd: local})).code).toBe(0);
    const localLines = journalOf(local);
    expect(localLines).toHaveLength(40);
    const localByKey = new Map(localLines.map((r) => [keyOf(r), r]));
    for (const r of lines) {
      const twin = localByKey.get(keyOf(r))!;
      expect(Object.keys(r).sort()).toEqual(Object.keys(twin).sort());
      expect(r.fingerprint).toBe(twin.fingerprint);
      if (r.status === 'ok' && twin.status === 'ok') {
        expect(r.output).toBe(twin.output);
        expect(r.pass).toBe(twin.pass);
      }
    }
  });

  it('a worker killed with SIGKILL mid-run: its jobs are re-delivered and every task is journaled exactly once', async () => {
    const sandbox = new Sandbox({models: [resolveSimModel('slow', {ttftMs: 350, msPerToken: 0, latencySigma: 0.1, accuracy: 1})], latencyScale: 1});
    await sandbox.listen();
    try {
      const cases = Array.from({length: 24}, (_, i) => `  - {id: c${i}, q: "question ${i}", expected: "a${i}"}`).join('\n');
      const project = makeProject({
        'bench.config.yaml': `providers:\n  - {id: sim, type: sandbox, wire: openai, baseURL: "${sandbox.url}/v1", models: [{label: slow, model: slow, stream: false}]}\nsuites: [s.yaml]\nconcurrency: 16\n`,
        's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${cases}\ngraders: [{type: exact-match}]\n`,
      });
      // The victim's 3 s lock: its jobs are re-delivered soon after it dies. The survivor keeps the default
      // 30 s lock, so a renewal that runs late on a loaded machine never lets its own jobs go; it still looks
      // for a dead worker's jobs every 5 s.
      const victim = startWorker(redis.url, ['--lock-ms', '3000', '--concurrency', '4'], project);
      const survivor = startWorker(redis.url, ['--concurrency', '4'], project);
      workers.push(victim, survivor);
      await Promise.all([victim.ready, survivor.ready]);
      const run = runCli(['run', '--queue', redis.url, '--json'], {cwd: project});
      // Kill only once more than one worker's worth (4) is in flight: the victim then surely has a
      // request open. The sandbox shares this thread, so nothing can finish between the check and the kill.
      await waitFor(() => journalOf(project).length >= 3 && sandbox.log.filter((l) => l.status === null).length > 4, 30_000, 'the first results with both workers busy');
      const inFlightAtKill = sandbox.log.filter((l) => l.status === null).length;
      victim.child.kill('SIGKILL');
      const result = await run;
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code).toBe(0);

      const lines = journalOf(project);
      expect(lines).toHaveLength(24);
      expect(new Set(lines.map(keyOf)).size).toBe(24);
      expect(lines.every((r) => r.status === 'ok')).toBe(true);
      // More than one worker's worth was in flight when the victim died, so it had a request open whose
      // result never reached Redis: that job was re-delivered and its prompt sent again. (Whether the
      // server saw the cut is a race on a loaded machine: a reply timer already due runs before the
      // socket's close is read, and the reply is written to a dead socket.)
      expect(inFlightAtKill).toBeGreaterThan(4);
      const prompts = sandbox.log.map((l) => l.prompt);
      expect(new Set(prompts).size).toBe(24);
      expect(prompts.length).toBeGreaterThan(24);
      // Every request was either cut by the kill or answered; a few answered ones may be re-sent too
      // (answered, but the worker died before the result reached Redis): never journaled twice.
      expect(sandbox.log.filter((l) => l.status === 200).length).toBeGreaterThanOrEqual(24);
      expect(sandbox.log.length).toBeLessThanOrEqual(24 + 8);
      expect(await stopWorker(survivor)).toBe(0);
      expect(survivor.events.find((e) => e.type === 'done')?.jobs).toBeGreaterThan(24 - 3 - 4);
    } finally {
      await sandbox.close();
    }
  });

  it('Ctrl+C on the coordinator: exit 130 with the resume hint; --resume continues on the same queue and journals every task once', async () => {
    const sandbox = new Sandbox({models: [resolveSimModel('slow', {ttftMs: 300, msPerToken: 0, latencySigma: 0.1, accuracy: 1})], latencyScale: 1});
    await sandbox.listen();
    try {
      const cases = Array.from({length: 30}, (_, i) => `  - {id: c${i}, q: "question ${i}", expected: "a${i}"}`).join('\n');
      const project = makeProject({
        'bench.config.yaml': `providers:\n  - {id: sim, type: sandbox, wire: openai, baseURL: "${sandbox.url}/v1", models: [{label: slow, model: slow, stream: false}]}\nsuites: [s.yaml]\nconcurrency: 16\n`,
        's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${cases}\ngraders: [{type: exact-match}]\n`,
      });
      const worker = startWorker(redis.url, ['--concurrency', '4'], project);
      workers.push(worker);
      await worker.ready;
      const child = spawn(process.execPath, [BIN, 'run', '--queue', redis.url], {cwd: project, env: {...process.env, CI: 'true'}, stdio: ['ignore', 'pipe', 'pipe']});
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', (d) => (stdout += d));
      const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      await waitFor(() => journalOf(project).length >= 2, 20_000, 'the first results');
      child.kill('SIGINT');
      expect(await code).toBe(130);
      expect(stdout + stderr).toContain('--resume');
      const first = journalOf(project);
      expect(first.length).toBeGreaterThan(0);
      expect(first.length).toBeLessThan(30);
      expect(new Set(first.map(keyOf)).size).toBe(first.length);
      const dir = dirname(journalFile(project)!);
      const meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as {queue?: {url: string; id: string}};
      expect(meta.queue?.url).toBe(redis.url);

      // No --queue: the run continues in queue mode from run.json.
      const resumed = await runCli(['run', '--resume', dir, '--json'], {cwd: project});
      expect(resumed.code).toBe(0);
      const lines = journalOf(project);
      expect(lines).toHaveLength(30);
      expect(new Set(lines.map(keyOf)).size).toBe(30);
      expect(await stopWorker(worker)).toBe(0);
    } finally {
      await sandbox.close();
    }
  });

  it('a coordinator killed with SIGKILL: --resume collects the results the workers left in Redis instead of sending them again', async () => {
    const sandbox = new Sandbox({models: [resolveSimModel('slow', {ttftMs: 200, msPerToken: 0, latencySigma: 0.1, accuracy: 1})], latencyScale: 1});
    await sandbox.listen();
    try {
      const cases = Array.from({length: 24}, (_, i) => `  - {id: c${i}, q: "question ${i}", expected: "a${i}"}`).join('\n');
      const project = makeProject({
        'bench.config.yaml': `providers:\n  - {id: sim, type: sandbox, wire: openai, baseURL: "${sandbox.url}/v1", models: [{label: slow, model: slow, stream: false}]}\nsuites: [s.yaml]\nconcurrency: 16\n`,
        's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${cases}\ngraders: [{type: exact-match}]\n`,
      });
      const worker = startWorker(redis.url, ['--concurrency', '8'], project);
      workers.push(worker);
      await worker.ready;
      const child = spawn(process.execPath, [BIN, 'run', '--queue', redis.url], {cwd: project, env: {...process.env, CI: 'true'}, stdio: 'ignore'});
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await waitFor(() => journalOf(project).length >= 2, 20_000, 'the first results');
      child.kill('SIGKILL');
      await exited;
      const before = journalOf(project).length;
      // The workers go on with the queued jobs; their results wait in Redis for the coordinator.
      await waitFor(() => sandbox.log.filter((l) => l.status === 200).length >= 24, 20_000, 'every request answered');
      const resumed = await runCli(['run', '--resume', dirname(journalFile(project)!), '--json'], {cwd: project});
      expect(resumed.code).toBe(0);
      const lines = journalOf(project);
      expect(before).toBeLessThan(24);
      expect(lines).toHaveLength(24);
      expect(new Set(lines.map(keyOf)).size).toBe(24);
      // Nothing was sent twice: the results were taken from Redis.
      expect(sandbox.log).toHaveLength(24);
      expect(await stopWorker(worker)).toBe(0);
    } finally {
      await sandbox.close();
    }
  });
});
