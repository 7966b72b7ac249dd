import {createHash, randomBytes} from 'node:crypto';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import type {Job, Queue as BullQueue, QueueEvents as BullQueueEvents} from 'bullmq';
import type {Redis} from 'ioredis';
import {AssayError, InputError} from '../core/errors.ts';
import {writeJsonAtomic} from '../core/write-atomic.ts';
import type {Result} from '../core/types.ts';
import {ProviderError} from '../providers/provider-error.ts';
import type {ClientWarning, ProviderClient} from '../providers/provider-client.ts';
import type {Sandbox} from '../sandbox/sandbox-server.ts';
import {sandboxFor} from '../sandbox/start-sandbox.ts';
import {buildResult} from '../runner/build-result.ts';
import {createModelCaller} from '../runner/create-model-caller.ts';
import {sendRequestOf, taskCacheKey, type SendOutcome} from '../runner/execute-task.ts';
import {JournalWriter, journalWriteError, readJournal} from '../runner/journal.ts';
import {openClients, sandboxBaseURL} from '../runner/open-clients.ts';
import {startEvent} from '../runner/start-event.ts';
import type {Task} from '../runner/plan-tasks.ts';
import {cacheable, cacheFor, type ExecuteArgs, type ExecutionOutcome, type Executor} from '../runner/run-benchmark.ts';
import {decodeOutcome, jobIdFor, jobIdPrefix, type QueueJobData, type QueueJobResult} from './queue-job.ts';
import {connectRedis, parseRedisUrl, QUEUE_NAME, redactRedisUrl} from './redis-connection.ts';
import {RedisLimits} from './redis-limits.ts';

/** How often the coordinator sweeps Redis for finished jobs it may have missed, and checks the run's jobs are still there. */
const SWEEP_MS = 1000;
/** How often it warns when no worker is connected. */
const NO_WORKER_WARN_MS = 10_000;
/** Jobs added per round trip. */
const ADD_CHUNK = 500;
/** Cleanup calls on the way out never hang on a Redis that has gone away. */
const CLEANUP_TIMEOUT_MS = 5000;

interface Pending {
  task: Task;
  gen: number;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  const timer = new AbortController();
  try {
    return await Promise.race([p, sleep(ms, undefined, {signal: timer.signal}).then(() => undefined)]);
  } finally {
    timer.abort();
  }
}

/**
 * Queue mode (`assay run --queue redis://HOST:PORT`): every pending task becomes a BullMQ job that any
 * `assay worker` takes; this process (the coordinator) grades what comes back and is the only journal
 * writer. Exactly-once: a job's id is (run, suite, case, model, repeat, generation), where the
 * generation is how many journal lines the task already has; a result is journaled only if the task
 * still has exactly that many lines, then its job is removed. A result arriving twice (a re-delivered
 * job, a sweep racing an event, a coordinator that crashed between journaling and removing) finds the
 * count moved on and is dropped.
 */
export const executeQueue: Executor = async (args: ExecuteArgs): Promise<ExecutionOutcome> => {
  const {loaded, opts, runId, dir, tasks, pending, usedModels, emit, meta} = args;
  const url = opts.queue ?? meta.queue?.url;
  if (!url) throw new InputError('queue mode needs a Redis URL', {hint: 'pass --queue redis://HOST:PORT'});
  if (!opts.queue && url.includes('***')) {
    throw new InputError(`this run's Redis (${url}) needs a password, and run.json does not keep it`, {
      hint: `pass it again: assay run --resume ${dir} --queue redis://:PASSWORD@HOST:PORT`,
    });
  }
  parseRedisUrl(url);
  const shown = redactRedisUrl(url);
  const redis = await connectRedis(url, {name: `assay-coordinator-${runId}`});
  const {Queue, QueueEvents} = await import('bullmq');

  // The run's queue id: runId plus a random suffix, so two runs started in the same second on two
  // machines never share job ids. Kept in run.json (with the URL, password redacted) for --resume.
  const run = meta.queue?.id ?? `${runId}-${randomBytes(4).toString('hex')}`;
  meta.queue = {url: shown, id: run};
  if (url !== shown) meta.argv = meta.argv.map((a) => a.split(url).join(shown));
  writeJsonAtomic(join(dir, 'run.json'), meta);

  const judgeLabels = new Set(tasks.flatMap((t) => t.suite.graders.flatMap((g) => g.judgeModels ?? [])));
  const judgeModels = [...judgeLabels].map((l) => loaded.models.get(l)!).filter(Boolean);
  // The in-process sandbox serves simulated models to workers on this machine (it binds 127.0.0.1).
  let sandbox: Sandbox | null = null;
  if ([...usedModels.values(), ...judgeModels].some((m) => m.provider.type === 'sandbox' && !m.provider.baseURL)) {
    sandbox = sandboxFor(loaded, {latencyScale: opts.sandboxLatencyScale});
    await sandbox.listen();
  }
  const sandboxURL = (t: Task): string | undefined => sandboxBaseURL(t.model.provider, sandbox);

  const warned = new Set<string>();
  const warn = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    emit({type: 'warning', message});
  };
  const stop = new AbortController();
  const hard = new AbortController();
  const onStop = () => stop.abort();
  opts.signal?.addEventListener('abort', onStop, {once: true});

  const globalCap = opts.concurrency ?? loaded.config.concurrency;
  const limits = new RedisLimits(redis);
  const clients = new Map<string, ProviderClient>();
  // Judges run here, on the coordinator, through the same Redis-shared limits the workers use.
  const callModel = createModelCaller(
    loaded,
    clients,
    {for: (m) => limits.for({label: m.label, provider: m.provider, limits: m.limits}), global: limits.global(run, globalCap)},
    hard.signal,
  );
  const cache = cacheFor(loaded, opts);
  const journalFile = join(dir, 'results.jsonl');
  // Lines per task already in the journal: a job's generation must match for its result to be journaled.
  const lines = new Map<string, number>();
  for (const r of readJournal(journalFile).results) {
    const key = JSON.stringify([r.suiteId, r.caseId, r.model, r.repeat]);
    lines.set(key, (lines.get(key) ?? 0) + 1);
  }
  const byDigest = new Map<string, Task>();
  for (const t of tasks) byDigest.set(createHash('sha256').update(t.key).digest('hex').slice(0, 32), t);

  const journal = new JournalWriter(journalFile);
  let queue: BullQueue | null = null;
  let events: BullQueueEvents | null = null;
  let eventsConnection: Redis | null = null;
  const outstanding = new Map<string, Pending>();
  const inFlight = new Map<string, string>();
  const handling = new Map<string, Promise<void>>();
  let executed = 0;
  let fatal: AssayError | null = null;
  let ticker: NodeJS.Timeout | null = null;
  const marker = `assay:run:${run}:jobs`;
  const prefix = jobIdPrefix(run);

  const journalResult = (result: Result): boolean => {
    try {
      journal.append(result);
      return true;
    } catch (error) {
      fatal = journalWriteError(journalFile, error, executed, `assay run --resume ${dir}`);
      stop.abort();
      hard.abort();
      return false;
    }
  };

  const jobFor = (t: Task, gen: number) => {
    const request = sendRequestOf(t);
    // The worker needs the provider's definition (env var names only, never keys), not its model list.
    request.provider = {...request.provider, models: [], baseURL: sandboxURL(t) ?? request.provider.baseURL};
    const data: QueueJobData = {v: 1, run, key: t.key, gen, request, limits: t.model.limits, concurrency: globalCap};
    // attempts: a worker that throws (it never does for a provider failure, which is a result) or is
    // stopped mid-request gets the job taken again, up to 3 times.
    return {name: t.model.label, data, opts: {jobId: jobIdFor(run, t.key, gen), attempts: 3, backoff: {type: 'fixed', delay: 1000}}};
  };

  const enqueue = async (list: Pending[]) => {
    await redis.set(marker, '1');
    for (let i = 0; i < list.length; i += ADD_CHUNK) {
      if (stop.signal.aborted) return;
      await queue!.addBulk(list.slice(i, i + ADD_CHUNK).map((p) => jobFor(p.task, p.gen)));
    }
  };

  /** Turns a finished job into (at most) one journal line, then removes the job. */
  const settle = (jobId: string, finished?: {result?: QueueJobResult; failedReason?: string}): Promise<void> => {
    const running = handling.get(jobId);
    if (running) return running;
    const work = (async () => {
      const [, digest, genText] = jobId.slice(prefix.length - 1).split('/');
      const task = byDigest.get(digest ?? '');
      const gen = Number(genText);
      if (!task || !Number.isInteger(gen) || (lines.get(task.key) ?? 0) !== gen) {
        // Already journaled (or not a task of this plan): drop the duplicate.
        outstanding.delete(jobId);
        await queue!.remove(jobId).catch(() => {});
        return;
      }
      let outcome: SendOutcome;
      let got = finished;
      if (!got) {
        const job = (await queue!.getJob(jobId)) as Job<QueueJobData, QueueJobResult> | undefined;
        if (!job) return;
        const state = await job.getState();
        if (state === 'completed') got = {result: job.returnvalue};
        else if (state === 'failed') got = {failedReason: job.failedReason};
        else return;
      }
      if (got.result && got.result.v === 1) {
        outcome = decodeOutcome(got.result);
      } else {
        const now = new Date();
        outcome = {
          completion: null,
          error: new ProviderError('network', `the job failed on the workers: ${got.failedReason ?? 'no result'}`, {
            hint: `a worker died or crashed while sending it (it was re-delivered and failed again); check the workers' logs, then: assay run --resume ${dir}`,
            retryable: false,
          }),
          startedAt: now,
          endedAt: now,
          queueMs: 0,
          rateWaitMs: 0,
          attempts: 0,
        };
      }
      const result = await buildResult(task, {runId, callModel, ...outcome, cached: false});
      if ((lines.get(task.key) ?? 0) !== gen || fatal) return;
      result.fingerprint = args.fingerprints.get(task.key);
      if (!journalResult(result)) return;
      lines.set(task.key, gen + 1);
      outstanding.delete(jobId);
      inFlight.delete(jobId);
      executed++;
      emit({type: 'result', result});
      if (outcome.completion && cache && cacheable(task)) cache.set(taskCacheKey(task), outcome.completion);
      // Only after the journal line is written: a crash before this leaves a job whose generation is stale.
      await queue!.remove(jobId).catch(() => {});
    })().finally(() => handling.delete(jobId));
    handling.set(jobId, work);
    return work;
  };

  /** Every finished job of this run in Redis, whether or not its event was seen (and results of an earlier session). */
  const sweep = async () => {
    for (const set of [queue!.keys.completed!, queue!.keys.failed!]) {
      let cursor = '0';
      do {
        const [next, items] = await redis.zscan(set, cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        for (let i = 0; i < items.length; i += 2) void settle(items[i]!).catch(() => {});
      } while (cursor !== '0');
    }
  };

  let lastWorkerCheck = performance.now();
  /** Jobs gone from Redis (it restarted without persistence, or was flushed): add them again. */
  const checkJobsStillThere = async () => {
    if (outstanding.size === 0 || stop.signal.aborted) return;
    if ((await redis.exists(marker)) === 1) return;
    emit({type: 'warning', message: `Redis at ${shown} lost this run's jobs (restarted without persistence?): adding the ${outstanding.size} unfinished ones again`});
    await enqueue([...outstanding.values()]);
  };

  const removeUnstarted = async () => {
    // First Ctrl+C: jobs no worker has taken are withdrawn (--resume adds them again); taken ones finish.
    for (const jobId of [...outstanding.keys()]) {
      if (handling.has(jobId)) continue;
      const removed = await queue!.remove(jobId).catch(() => 0);
      if (removed === 1) outstanding.delete(jobId);
      else if (!(await queue!.getJob(jobId).catch(() => null))) outstanding.delete(jobId);
    }
  };

  try {
    queue = new Queue(QUEUE_NAME, {connection: redis});
    queue.on('error', () => {});
    let lastDrop = 0;
    redis.on('error', (error: Error) => {
      const now = Date.now();
      if (now - lastDrop < 5000) return;
      lastDrop = now;
      emit({type: 'warning', message: `lost the connection to Redis at ${shown} (${(error as NodeJS.ErrnoException).code ?? error.message}); reconnecting. Results already journaled are safe; Ctrl+C stops.`});
    });
    eventsConnection = redis.duplicate();
    eventsConnection.on('error', () => {});
    events = new QueueEvents(QUEUE_NAME, {connection: eventsConnection, blockingTimeout: 1000});
    events.on('error', () => {});
    events.on('completed', ({jobId, returnvalue}) => {
      if (!jobId.startsWith(prefix)) return;
      let result: QueueJobResult | undefined;
      try {
        result = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as QueueJobResult;
      } catch {
        result = undefined;
      }
      void settle(jobId, result ? {result} : undefined).catch(() => {});
    });
    events.on('failed', ({jobId}) => {
      // Fired for every failed attempt; settle() looks at the job and acts only once it is failed for good.
      if (jobId.startsWith(prefix)) void settle(jobId).catch(() => {});
    });
    events.on('active', ({jobId}) => {
      const p = outstanding.get(jobId);
      if (p) inFlight.set(jobId, p.task.model.label);
    });
    events.on('progress', ({jobId, data}) => {
      const p = outstanding.get(jobId);
      const retry = (data as {retry?: {reason: string; waitMs: number; message: string}} | undefined)?.retry;
      if (p && retry) emit({type: 'retry', model: p.task.model.label, caseId: p.task.testCase.id, reason: retry.reason, waitMs: retry.waitMs, message: retry.message});
    });
    await events.waitUntilReady();

    await openClients(judgeModels, sandbox, (w: ClientWarning) => warn(`${w.providerId}: ${w.message}`), clients);
    emit(startEvent(args));
    ticker = setInterval(() => {
      const counts = new Map<string, number>();
      for (const label of inFlight.values()) counts.set(label, (counts.get(label) ?? 0) + 1);
      emit({type: 'traffic', models: [...usedModels.values()].map((m) => ({label: m.label, inFlight: counts.get(m.label) ?? 0, throttled: 0, breaker: null}))});
    }, 250);
    ticker.unref();

    // 1. Results a previous session left in Redis (it stopped or crashed before collecting them).
    const sendable: Pending[] = [];
    for (const t of pending) outstanding.set(jobIdFor(run, t.key, lines.get(t.key) ?? 0), {task: t, gen: lines.get(t.key) ?? 0});
    await sweep();
    await Promise.all(handling.values());

    // 2. Cache hits are journaled here without a job; the rest are enqueued.
    for (const [jobId, p] of [...outstanding]) {
      const hit = cache && cacheable(p.task) ? cache.get(taskCacheKey(p.task)) : null;
      if (!hit) {
        sendable.push(p);
        continue;
      }
      const now = new Date();
      const result = await buildResult(p.task, {runId, callModel, startedAt: now, endedAt: now, queueMs: 0, rateWaitMs: 0, attempts: 0, cached: true, completion: hit.completion, error: null});
      result.fingerprint = args.fingerprints.get(p.task.key);
      if (!journalResult(result)) break;
      lines.set(p.task.key, p.gen + 1);
      outstanding.delete(jobId);
      executed++;
      emit({type: 'result', result});
    }
    if (!fatal) await enqueue(sendable);

    // 3. Collect results until every job is journaled (or, after Ctrl+C, withdrawn or journaled).
    let lastSweep = performance.now();
    while (outstanding.size > 0 && !fatal) {
      await sleep(100);
      const now = performance.now();
      if (now - lastSweep < SWEEP_MS) continue;
      lastSweep = now;
      try {
        await sweep();
        if (stop.signal.aborted) await removeUnstarted();
        else await checkJobsStillThere();
        if (now - lastWorkerCheck >= NO_WORKER_WARN_MS && !stop.signal.aborted) {
          lastWorkerCheck = now;
          const workers = await queue.getWorkersCount().catch(() => -1);
          if (workers === 0) emit({type: 'warning', message: `no worker is taking jobs from ${shown}: start one with \`assay worker ${shown}\` (${outstanding.size} waiting)`});
        }
      } catch {
        // Redis is away: the connection retries and the 'error' warning says so; try again next round.
      }
    }
    await Promise.all(handling.values());
  } finally {
    if (ticker) clearInterval(ticker);
    try {
      journal.close();
    } catch {
      // the write error already stopped the run; closing a full disk's file may fail too
    }
    opts.signal?.removeEventListener('abort', onStop);
    if (!fatal && outstanding.size === 0 && !stop.signal.aborted) await withTimeout(redis.del(marker), CLEANUP_TIMEOUT_MS).catch(() => {});
    await withTimeout(Promise.allSettled([events?.close(), queue?.close()]), CLEANUP_TIMEOUT_MS);
    limits.close();
    eventsConnection?.disconnect();
    redis.disconnect();
    await sandbox?.close();
  }
  return {interrupted: stop.signal.aborted && !fatal, executed, fatal};
};
