import {Redis} from 'ioredis';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {RedisLimits, RedisRateLimiter} from '../src/queue/redis-limits.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {makeProject, runCli} from './helpers.ts';
import {cleanUpQueueTest, freePort, HAVE_REDIS, journalOf, keyOf, RedisServer, startWorker, stopWorker, waitFor, type WorkerProcess} from './queue-helpers.ts';

function project(sandboxUrl: string, n: number, provider: string): string {
  const cases = Array.from({length: n}, (_, i) => `  - {id: c${i}, q: "question ${i}"}`).join('\n');
  return makeProject({
    'bench.config.yaml': `providers:\n  - {id: sim, type: sandbox, wire: openai, baseURL: "${sandboxUrl}/v1", ${provider}}\nsuites: [s.yaml]\nconcurrency: 32\n`,
    's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${cases}\n`,
  });
}

describe.skipIf(!HAVE_REDIS)('limits shared through Redis', () => {
  const redis = new RedisServer();
  const workers: WorkerProcess[] = [];
  const sandbox = new Sandbox({anyModel: true, latencyScale: 0});
  beforeAll(async () => {
    await Promise.all([redis.start(), sandbox.listen()]);
  });
  afterEach(() => cleanUpQueueTest(workers, redis));
  afterAll(() => Promise.all([redis.kill(), sandbox.close()]));

  it('an rpm limit holds across two workers: never more than ceil(rpm/60) starts in a second, spaced 60 s / rpm', async () => {
    // rpm 120: 2 a second, 500 ms apart. Each worker alone would send 12 requests in under a second.
    const dir = project(sandbox.url, 12, 'limits: {rpm: 120}, models: [{label: paced, model: paced, stream: false}]');
    const a = startWorker(redis.url, ['--concurrency', '8'], dir);
    const b = startWorker(redis.url, ['--concurrency', '8'], dir);
    workers.push(a, b);
    await Promise.all([a.ready, b.ready]);
    const run = await runCli(['run', '--queue', redis.url, '--json'], {cwd: dir});
    expect(run.code).toBe(0);
    expect(journalOf(dir)).toHaveLength(12);
    await Promise.all([stopWorker(a), stopWorker(b)]);
    const served = [a, b].map((w) => (w.events.find((e) => e.type === 'done')?.jobs as number) ?? 0);
    expect(Math.min(...served)).toBeGreaterThan(0);

    const starts = sandbox.log.filter((l) => l.model === 'paced').map((l) => l.at).sort((x, y) => x - y);
    expect(starts).toHaveLength(12);
    // Starts are stamped on arrival, which on a loaded machine carries some delivery jitter: three
    // starts paced 525 ms apart are 1,050 ms apart when sent; none may arrive within 750 ms.
    for (let i = 0; i < starts.length; i++) {
      expect(starts.filter((t) => t >= starts[i]! && t < starts[i]! + 750).length).toBeLessThanOrEqual(2);
    }
    // 11 gaps of 525 ms (500 ms + 5% headroom): about 5.8 s (no upper bound: a loaded machine is slower).
    const span = starts.at(-1)! - starts[0]!;
    expect(span).toBeGreaterThanOrEqual(11 * 500 - 200);
    // Scaled to a minute, the throughput is at most the rpm.
    expect((starts.length - 1) / ((span + 200) / 60_000)).toBeLessThanOrEqual(120); // 200 ms: arrival jitter, as above
  });

  it('a slot held by a process that died comes back when its lease runs out', async () => {
    const dead = new Redis(redis.url);
    const alive = new Redis(redis.url);
    const limitsDead = new RedisLimits(dead, {leaseMs: 1000});
    const limitsAlive = new RedisLimits(alive, {leaseMs: 1000});
    try {
      const semDead = limitsDead.global('lease-test', 1);
      const semAlive = limitsAlive.global('lease-test', 1);
      await semDead.acquire();
      // The holder's connection goes away without releasing (as SIGKILL would): its renewals stop.
      dead.disconnect();
      const started = performance.now();
      const release = await semAlive.acquire();
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(500);
      // A released slot is handed on at once (published, not polled): a waiter whose holder has a 60 s
      // lease gets it long before that lease could run out, however loaded the machine.
      const longLease = new RedisLimits(alive, {leaseMs: 60_000});
      const held = await longLease.global('lease-test-long', 1).acquire();
      const t0 = performance.now();
      setTimeout(held, 100);
      const r2 = await longLease.global('lease-test-long', 1).acquire();
      expect(performance.now() - t0).toBeLessThan(30_000);
      r2();
      release();
      longLease.close();
    } finally {
      limitsDead.close();
      limitsAlive.close();
      alive.disconnect();
    }
  });

  it('a tpm limit and a 429 penalty are shared between limiter instances (two processes)', async () => {
    const one = new Redis(redis.url);
    const two = new Redis(redis.url);
    try {
      const a = new RedisRateLimiter(one, 'assay:test:tpm', {tpm: 6000});
      const b = new RedisRateLimiter(two, 'assay:test:tpm', {tpm: 6000});
      // 100 tokens a second at most: a 100-token start by `a` makes `b`'s next one wait about a second.
      await a.acquire(100);
      const t0 = performance.now();
      await b.acquire(100);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
      const p1 = new RedisRateLimiter(one, 'assay:test:penalty', {rpm: 60_000});
      const p2 = new RedisRateLimiter(two, 'assay:test:penalty', {rpm: 60_000});
      p1.penalize(600);
      await new Promise((r) => setTimeout(r, 20));
      const t1 = performance.now();
      await p2.acquire(1);
      expect(performance.now() - t1).toBeGreaterThanOrEqual(500);
    } finally {
      one.disconnect();
      two.disconnect();
    }
  });

  it('Redis restarting without persistence mid-run: the coordinator adds the lost jobs again and journals each task once', async () => {
    const own = new RedisServer();
    await own.start();
    const slow = new Sandbox({models: [resolveSimModel('slow', {ttftMs: 250, msPerToken: 0, latencySigma: 0.1})], latencyScale: 1});
    await slow.listen();
    try {
      const dir = project(slow.url, 20, 'models: [{label: slow, model: slow, stream: false}]');
      const w = startWorker(own.url, ['--concurrency', '4', '--lock-ms', '1000'], dir);
      workers.push(w);
      await w.ready;
      const run = runCli(['run', '--queue', own.url, '--json'], {cwd: dir});
      await waitFor(() => journalOf(dir).length >= 4, 20_000, 'the first results');
      await own.kill();
      await new Promise((r) => setTimeout(r, 300));
      await own.start(own.port);
      const result = await run;
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('lost this run\'s jobs');
      const lines = journalOf(dir);
      expect(lines).toHaveLength(20);
      expect(new Set(lines.map(keyOf)).size).toBe(20);
      expect(await stopWorker(w)).toBe(0);
    } finally {
      await own.kill();
      await slow.close();
    }
  });

  it('an unreachable Redis or a URL that is not Redis is a clear error, without a stack trace', async () => {
    const dir = project(sandbox.url, 1, 'models: [{label: m, model: m}]');
    const port = await freePort();
    const down = await runCli(['run', '--queue', `redis://127.0.0.1:${port}`], {cwd: dir});
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(down.stderr).toContain('fix:');
    expect(down.stderr).not.toMatch(/\n\s+at /);
    const bad = await runCli(['run', '--queue', 'http://127.0.0.1:6379'], {cwd: dir});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('redis://');
    const worker = await runCli(['worker', `redis://:secret@127.0.0.1:${port}`], {cwd: dir});
    expect(worker.code).toBe(3);
    expect(worker.stderr).toContain('cannot reach Redis');
    expect(worker.stderr).not.toContain('secret');
  });
});
