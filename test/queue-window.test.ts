import {spawn} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {Queue, Worker} from 'bullmq';
import {Redis} from 'ioredis';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {jobIdFor} from '../src/queue/queue-job.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {BIN, makeProject, runCli} from './helpers.ts';
import {cleanUpQueueTest, HAVE_REDIS, journalFile, journalOf, keyOf, RedisServer, startWorker, stopWorker, waitFor, type WorkerProcess} from './queue-helpers.ts';

/** Every job of the queue in Redis, in any state (each test's Redis serves one run at a time). */
async function jobsInRedis(redis: Redis): Promise<{total: number; waiting: number; active: number; finished: number}> {
  const k = 'bull:assay-tasks:';
  const replies = (await redis.multi().llen(`${k}wait`).llen(`${k}active`).zcard(`${k}prioritized`).zcard(`${k}delayed`).zcard(`${k}completed`).zcard(`${k}failed`).exec()) ?? [];
  const [wait, active, prioritized, delayed, completed, failed] = replies.map(([error, n]) => {
    if (error || typeof n !== 'number') throw new Error(`reading the queue from Redis: ${String(error ?? n)}`);
    return n;
  });
  return {total: wait! + active! + prioritized! + delayed! + completed! + failed!, waiting: wait! + prioritized! + delayed!, active: active!, finished: completed! + failed!};
}

/** Each job's model (its BullMQ job name) over every state, as a count per model. */
async function jobsPerModel(redis: Redis): Promise<Map<string, number>> {
  const k = 'bull:assay-tasks:';
  const ids = [
    ...(await redis.lrange(`${k}wait`, 0, -1)),
    ...(await redis.lrange(`${k}active`, 0, -1)),
    ...(await redis.zrange(`${k}prioritized`, '0', '-1')),
    ...(await redis.zrange(`${k}delayed`, '0', '-1')),
    ...(await redis.zrange(`${k}completed`, '0', '-1')),
    ...(await redis.zrange(`${k}failed`, '0', '-1')),
  ];
  const counts = new Map<string, number>();
  for (const id of new Set(ids)) {
    const name = await redis.hget(`${k}${id}`, 'name');
    if (typeof name === 'string') counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** Samples the jobs in Redis every few ms until stopped; returns the most seen at once of any one model. */
function sampleJobs(redis: Redis): {stop: () => Promise<number>} {
  let most = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const n of (await jobsPerModel(redis)).values()) most = Math.max(most, n);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return most;
    },
  };
}

function project(sandboxUrl: string, cases: number, models = ['m']): string {
  const rows = Array.from({length: cases}, (_, i) => `  - {id: c${i}, q: "question ${i}", expected: "a${i}"}`).join('\n');
  const list = models.map((m) => `{label: ${m}, model: ${m}, stream: false}`).join(', ');
  return makeProject({
    'bench.config.yaml': `providers:\n  - {id: sim, type: sandbox, wire: openai, baseURL: "${sandboxUrl}/v1", models: [${list}]}\nsuites: [s.yaml]\nconcurrency: 8\n`,
    's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${rows}\ngraders: [{type: exact-match}]\n`,
  });
}

// The coordinator plans lazily: pending tasks are enqueued in a window as earlier jobs finish, never
// the whole run at once. A real redis-server, real worker processes, the sandbox over HTTP.
describe.skipIf(!HAVE_REDIS)('assay run --queue --queue-window', () => {
  const redis = new RedisServer();
  let probe: Redis;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    await redis.start();
    probe = new Redis(redis.url);
  });
  afterEach(() => cleanUpQueueTest(workers, redis));
  afterAll(async () => {
    probe?.disconnect();
    await redis.kill();
  });

  it('never has more than the window of a model\'s jobs in Redis, journals every task once, with the answers of a local run', async () => {
    const models = [resolveSimModel('m1', {ttftMs: 5, msPerToken: 0, latencySigma: 0.1}), resolveSimModel('m2', {ttftMs: 5, msPerToken: 0, latencySigma: 0.1})];
    const sandbox = new Sandbox({models, latencyScale: 1});
    await sandbox.listen();
    try {
      const dir = project(sandbox.url, 100, ['m1', 'm2']);
      const worker = startWorker(redis.url, ['--concurrency', '8'], dir);
      workers.push(worker);
      await worker.ready;
      const sampler = sampleJobs(probe);
      const queued = await runCli(['run', '--queue', redis.url, '--queue-window', '12', '--json'], {cwd: dir});
      const most = await sampler.stop();
      expect(queued.stderr).not.toMatch(/\n\s+at /);
      expect(queued.code).toBe(0);
      // The window was used (jobs were in Redis) and held: 100 tasks a model went through at most 12 at a time.
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(12);
      const lines = journalOf(dir);
      expect(lines).toHaveLength(200);
      expect(new Set(lines.map(keyOf)).size).toBe(200);
      expect(sandbox.log).toHaveLength(200);
      expect((await jobsInRedis(probe)).total).toBe(0);
      expect(await stopWorker(worker)).toBe(0);

      // The same run in-process, against the same server: the same answers, grades and fingerprints.
      const local = project(sandbox.url, 100, ['m1', 'm2']);
      expect((await runCli(['run', '--json'], {cwd: local})).code).toBe(0);
      const byKey = new Map(journalOf(local).map((r) => [keyOf(r), r]));
      expect(byKey.size).toBe(200);
      for (const r of lines) {
        const twin = byKey.get(keyOf(r))!;
        expect([r.output, r.pass, r.fingerprint]).toEqual([twin.output, twin.pass, twin.fingerprint]);
      }
    } finally {
      await sandbox.close();
    }
  });

  it('a coordinator killed mid-run: --resume with a smaller window collects what the workers finished from Redis, sends nothing twice, journals every task once', async () => {
    const sandbox = new Sandbox({models: [resolveSimModel('m', {ttftMs: 500, msPerToken: 0, latencySigma: 0.1})], latencyScale: 1});
    await sandbox.listen();
    try {
      const dir = project(sandbox.url, 30);
      const worker = startWorker(redis.url, ['--concurrency', '3'], dir);
      workers.push(worker);
      await worker.ready;
      const child = spawn(process.execPath, [BIN, 'run', '--queue', redis.url, '--queue-window', '10'], {cwd: dir, env: {...process.env, CI: 'true'}, stdio: 'ignore'});
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await waitFor(() => journalOf(dir).length >= 3, 30_000, 'the first results');
      child.kill('SIGKILL');
      await exited;
      expect(journalOf(dir).length).toBeLessThan(30);
      const left = await jobsInRedis(probe);
      expect(left.total).toBeLessThanOrEqual(10);
      // Jobs still to be done: the worker goes on with them while no coordinator is there, and they
      // finish while the resumed one (with a window of 2) has not reached them yet in its plan: their
      // results must wait in Redis for it, not be taken for duplicates and sent again.
      expect(left.waiting + left.active).toBeGreaterThan(2);

      const resumed = await runCli(['run', '--resume', dirname(journalFile(dir)!), '--queue-window', '2', '--json'], {cwd: dir});
      expect(resumed.stderr).not.toMatch(/\n\s+at /);
      expect(resumed.code).toBe(0);
      const lines = journalOf(dir);
      expect(lines).toHaveLength(30);
      expect(new Set(lines.map(keyOf)).size).toBe(30);
      // Every line an answer; a failure names each error line and what the worker said of it.
      const errors = lines.filter((r) => r.status !== 'ok');
      expect(errors, JSON.stringify({errors, worker: worker.events.filter((e) => e.type !== 'job' || e.status !== 'ok'), stderr: worker.stderr(), resumed: resumed.stderr})).toEqual([]);
      // Nothing paid twice: every prompt was sent once; the leftovers' results came from Redis.
      expect(new Set(sandbox.log.map((l) => l.prompt)).size).toBe(30);
      expect(sandbox.log).toHaveLength(30);
      expect((await jobsInRedis(probe)).total).toBe(0);
      expect(await stopWorker(worker)).toBe(0);
    } finally {
      await sandbox.close();
    }
  });

  it('a finished job left in Redis for a task already journaled (a coordinator killed between the two) is removed, never journaled again', async () => {
    const sandbox = new Sandbox({models: [resolveSimModel('m', {ttftMs: 5, msPerToken: 0, latencySigma: 0.1})], latencyScale: 1});
    await sandbox.listen();
    try {
      const dir = project(sandbox.url, 5);
      const worker = startWorker(redis.url, ['--concurrency', '4'], dir);
      workers.push(worker);
      await worker.ready;
      expect((await runCli(['run', '--queue', redis.url, '--json'], {cwd: dir})).code).toBe(0);
      expect(await stopWorker(worker)).toBe(0);
      const run = dirname(journalFile(dir)!);
      const queueId = (JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')) as {queue: {id: string}}).queue.id;
      // c0 is journaled; its job is back in Redis, finished, as if the coordinator died before removing it.
      const stale = jobIdFor(queueId, keyOf({suiteId: 's', caseId: 'c0', model: 'm', repeat: 0}), 0);
      const queue = new Queue('assay-tasks', {connection: {url: redis.url}});
      const finisher = new Worker('assay-tasks', async () => ({v: 1, stale: true}), {connection: {url: redis.url}});
      try {
        await queue.add('m', {}, {jobId: stale});
        let state = await queue.getJobState(stale);
        for (let i = 0; i < 200 && state !== 'completed'; i++) {
          await new Promise((r) => setTimeout(r, 25));
          state = await queue.getJobState(stale);
        }
        expect(state).toBe('completed');
      } finally {
        await finisher.close();
      }
      // c4's line is lost, so there is one task to send again.
      const kept = readFileSync(join(run, 'results.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.includes('"caseId":"c4"'));
      writeFileSync(join(run, 'results.jsonl'), `${kept.join('\n')}\n`);

      const again = startWorker(redis.url, ['--concurrency', '4'], dir);
      workers.push(again);
      await again.ready;
      const resumed = await runCli(['run', '--resume', run, '--json'], {cwd: dir});
      expect(resumed.code).toBe(0);
      const lines = journalOf(dir);
      expect(lines.map(keyOf).sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4'].map((c) => keyOf({suiteId: 's', caseId: c, model: 'm', repeat: 0})));
      expect(sandbox.log).toHaveLength(6);
      expect(await queue.getJobState(stale)).toBe('unknown');
      expect((await jobsInRedis(probe)).total).toBe(0);
      await queue.close();
      expect(await stopWorker(again)).toBe(0);
    } finally {
      await sandbox.close();
    }
  });
});
