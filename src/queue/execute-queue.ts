import {createHash, randomBytes} from 'node:crypto';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import type {Job, Queue as BullQueue, QueueEvents as BullQueueEvents} from 'bullmq';
import type {Redis} from 'ioredis';
import type {LoadedProvider} from '../config/load-config.ts';
import {InputError} from '../core/errors.ts';
import {taskKey} from '../core/task-key.ts';
import {writeJsonAtomic} from '../core/write-atomic.ts';
import {ProviderError} from '../providers/provider-error.ts';
import {describeProblems} from '../rundir/parse-stored.ts';
import {buildResult} from '../runner/build-result.ts';
import {cacheable} from '../runner/cache-policy.ts';
import {sendRequestOf, taskCacheKey, type SendOutcome} from '../runner/execute-task.ts';
import type {ExecuteArgs, ExecutionOutcome, Executor} from '../runner/executor.ts';
import {readJournal} from '../runner/journal.ts';
import {sandboxBaseURL} from '../runner/open-clients.ts';
import {pendingTasks, type Task} from '../runner/plan-tasks.ts';
import {judgeModelsOf, openRunSession, type RunSession} from '../runner/run-session.ts';
import {queueJobResultSchema} from './job-schemas.ts';
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
  const {opts, runId, dir, meta} = args;
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

  // The run's queue id: runId plus a random suffix, so two runs started in the same second on two
  // machines never share job ids. Kept in run.json (with the URL, password redacted) for --resume.
  const queueRunId = meta.queue?.id ?? `${runId}-${randomBytes(4).toString('hex')}`;
  meta.queue = {url: shown, id: queueRunId};
  if (url !== shown) meta.argv = meta.argv.map((a) => a.split(url).join(shown));
  writeJsonAtomic(join(dir, 'run.json'), meta);

  const limits = new RedisLimits(redis);
  let session: RunSession | null = null;
  let coordinator: QueueCoordinator | null = null;
  try {
    const judges = judgeModelsOf(args);
    session = await openRunSession(args, {
      // Judges run here, on the coordinator, through the same Redis-shared limits the workers use.
      clientModels: judges,
      // The in-process sandbox serves simulated models to workers on this machine (it binds 127.0.0.1).
      simulatedModels: [...args.usedModels.values(), ...judges],
      traffic: {
        for: (m) => limits.for({label: m.label, provider: m.provider, limits: m.limits}),
        global: limits.global(queueRunId, opts.concurrency ?? args.loaded.config.concurrency),
      },
    });
    coordinator = new QueueCoordinator(session, redis, queueRunId, shown);
    await coordinator.run();
  } finally {
    await coordinator?.close();
    limits.close();
    redis.disconnect();
    await session?.close();
  }
  return session.outcome();
};

/** One coordinator session on the queue: enqueues, collects results (events and sweeps), journals each once. */
class QueueCoordinator {
  private readonly session: RunSession;
  private readonly redis: Redis;
  private readonly queueRunId: string;
  /** The Redis URL with its password redacted, for messages. */
  private readonly shown: string;
  private readonly globalCap: number;
  /** Lines per task already in the journal: a job's generation must match for its result to be journaled. */
  private readonly lines = new Map<string, number>();
  private readonly byDigest = new Map<string, Task>();
  private readonly outstanding = new Map<string, Pending>();
  private readonly inFlight = new Map<string, string>();
  private readonly handling = new Map<string, Promise<void>>();
  private readonly marker: string;
  private readonly prefix: string;
  private queue: BullQueue | null = null;
  private events: BullQueueEvents | null = null;
  private eventsConnection: Redis | null = null;
  private ticker: NodeJS.Timeout | null = null;

  constructor(session: RunSession, redis: Redis, queueRunId: string, shown: string) {
    this.session = session;
    this.redis = redis;
    this.queueRunId = queueRunId;
    this.shown = shown;
    this.globalCap = session.opts.concurrency ?? session.loaded.config.concurrency;
    this.marker = `assay:run:${queueRunId}:jobs`;
    this.prefix = jobIdPrefix(queueRunId);
    for (const r of readJournal(session.journalFile).results) {
      const key = taskKey(r.suiteId, r.caseId, r.model, r.repeat);
      this.lines.set(key, (this.lines.get(key) ?? 0) + 1);
    }
    for (const t of session.plan.tasks()) this.byDigest.set(createHash('sha256').update(t.key).digest('hex').slice(0, 32), t);
  }

  async run(): Promise<void> {
    const {session} = this;
    await this.connect();
    session.emitStart();
    this.ticker = setInterval(() => {
      const counts = new Map<string, number>();
      for (const label of this.inFlight.values()) counts.set(label, (counts.get(label) ?? 0) + 1);
      session.emit({type: 'traffic', models: [...session.usedModels.values()].map((m) => ({label: m.label, inFlight: counts.get(m.label) ?? 0, throttled: 0, breaker: null}))});
    }, 250);
    this.ticker.unref();

    // 1. Results a previous session left in Redis (it stopped or crashed before collecting them).
    for (const t of pendingTasks(session.plan, session.done)) this.outstanding.set(jobIdFor(this.queueRunId, t.key, this.lines.get(t.key) ?? 0), {task: t, gen: this.lines.get(t.key) ?? 0});
    await this.sweep();
    await Promise.all(this.handling.values());
    // 2. Cache hits are journaled here without a job; the rest are enqueued.
    const sendable = await this.journalCacheHits();
    if (!session.fatal) await this.enqueue(sendable);
    // 3. Collect results until every job is journaled (or, after Ctrl+C, withdrawn or journaled).
    await this.collect();
    await Promise.all(this.handling.values());
  }

  /** The queue, and its event stream on a connection of its own: finished jobs are settled as their events arrive. */
  private async connect(): Promise<void> {
    const {session, shown, prefix} = this;
    const {Queue, QueueEvents} = await import('bullmq');
    const queue = new Queue(QUEUE_NAME, {connection: this.redis});
    this.queue = queue;
    queue.on('error', () => {});
    let lastDrop = 0;
    this.redis.on('error', (error: Error) => {
      const now = Date.now();
      if (now - lastDrop < 5000) return;
      lastDrop = now;
      session.emit({type: 'warning', message: `lost the connection to Redis at ${shown} (${(error as NodeJS.ErrnoException).code ?? error.message}); reconnecting. Results already journaled are safe; Ctrl+C stops.`});
    });
    this.eventsConnection = this.redis.duplicate();
    this.eventsConnection.on('error', () => {});
    const events = new QueueEvents(QUEUE_NAME, {connection: this.eventsConnection, blockingTimeout: 1000});
    this.events = events;
    events.on('error', () => {});
    events.on('completed', ({jobId, returnvalue}) => {
      if (!jobId.startsWith(prefix)) return;
      let result: QueueJobResult | undefined;
      try {
        result = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as QueueJobResult;
      } catch {
        result = undefined;
      }
      void this.settle(jobId, result ? {result} : undefined).catch(() => {});
    });
    events.on('failed', ({jobId}) => {
      // Fired for every failed attempt; settle() looks at the job and acts only once it is failed for good.
      if (jobId.startsWith(prefix)) void this.settle(jobId).catch(() => {});
    });
    events.on('active', ({jobId}) => {
      const p = this.outstanding.get(jobId);
      if (p) this.inFlight.set(jobId, p.task.model.label);
    });
    events.on('progress', ({jobId, data}) => {
      const p = this.outstanding.get(jobId);
      const retry = (data as {retry?: {reason: string; waitMs: number; message: string}} | undefined)?.retry;
      if (p && retry) session.emit({type: 'retry', model: p.task.model.label, caseId: p.task.testCase.id, reason: retry.reason, waitMs: retry.waitMs, message: retry.message});
    });
    await events.waitUntilReady();
  }

  private jobFor(t: Task, gen: number) {
    const request = sendRequestOf(t);
    // The worker needs the provider's definition (env var names only, never keys), not its model list.
    // The cast: sandboxBaseURL answers only for a sandbox provider, a type that takes a baseURL.
    request.provider = {...request.provider, models: [], baseURL: sandboxBaseURL(t.model.provider, this.session.sandbox) ?? request.provider.baseURL} as LoadedProvider;
    const data: QueueJobData = {v: 1, run: this.queueRunId, key: t.key, gen, request, limits: t.model.limits, concurrency: this.globalCap};
    // attempts: a worker that throws (it never does for a provider failure, which is a result) or is
    // stopped mid-request gets the job taken again, up to 3 times.
    return {name: t.model.label, data, opts: {jobId: jobIdFor(this.queueRunId, t.key, gen), attempts: 3, backoff: {type: 'fixed', delay: 1000}}};
  }

  private async enqueue(list: Pending[]): Promise<void> {
    await this.redis.set(this.marker, '1');
    for (let i = 0; i < list.length; i += ADD_CHUNK) {
      if (this.session.signals.stopScheduling.aborted) return;
      await this.queue!.addBulk(list.slice(i, i + ADD_CHUNK).map((p) => this.jobFor(p.task, p.gen)));
    }
  }

  /** Journals what the response cache already has; returns the rest, to be sent by workers. */
  private async journalCacheHits(): Promise<Pending[]> {
    const {session} = this;
    const sendable: Pending[] = [];
    for (const [jobId, p] of [...this.outstanding]) {
      const hit = session.cache && cacheable(p.task) ? session.cache.get(taskCacheKey(p.task)) : null;
      if (!hit) {
        sendable.push(p);
        continue;
      }
      const now = new Date();
      const result = await buildResult(p.task, {runId: session.runId, callModel: session.callModel, startedAt: now, endedAt: now, queueMs: 0, rateWaitMs: 0, attempts: 0, cached: true, completion: hit.completion, error: null});
      if (!session.journal(p.task, result)) break;
      this.lines.set(p.task.key, p.gen + 1);
      this.outstanding.delete(jobId);
    }
    return sendable;
  }

  /** Turns a finished job into (at most) one journal line, then removes the job. */
  private settle(jobId: string, finished?: {result?: QueueJobResult; failedReason?: string}): Promise<void> {
    const running = this.handling.get(jobId);
    if (running) return running;
    const work = this.settleOnce(jobId, finished).finally(() => this.handling.delete(jobId));
    this.handling.set(jobId, work);
    return work;
  }

  private async settleOnce(jobId: string, finished?: {result?: QueueJobResult; failedReason?: string}): Promise<void> {
    const {session} = this;
    const [, digest, genText] = jobId.slice(this.prefix.length - 1).split('/');
    const task = this.byDigest.get(digest ?? '');
    const gen = Number(genText);
    if (!task || !Number.isInteger(gen) || (this.lines.get(task.key) ?? 0) !== gen) {
      // Already journaled (or not a task of this plan): drop the duplicate.
      this.outstanding.delete(jobId);
      await this.queue!.remove(jobId).catch(() => {});
      return;
    }
    const got = finished ?? (await this.finishedJob(jobId));
    if (!got) return;
    const outcome = this.outcomeOf(got);
    const result = await buildResult(task, {runId: session.runId, callModel: session.callModel, ...outcome, cached: false});
    if ((this.lines.get(task.key) ?? 0) !== gen || session.fatal) return;
    if (!session.journal(task, result)) return;
    this.lines.set(task.key, gen + 1);
    this.outstanding.delete(jobId);
    this.inFlight.delete(jobId);
    if (outcome.completion && session.cache && cacheable(task)) session.cache.set(taskCacheKey(task), outcome.completion);
    // Only after the journal line is written: a crash before this leaves a job whose generation is stale.
    await this.queue!.remove(jobId).catch(() => {});
  }

  /** A job's result or failure, when it is finished for good; undefined while it is waiting or running. */
  private async finishedJob(jobId: string): Promise<{result?: QueueJobResult; failedReason?: string} | undefined> {
    const job = (await this.queue!.getJob(jobId)) as Job<QueueJobData, QueueJobResult> | undefined;
    if (!job) return undefined;
    const state = await job.getState();
    if (state === 'completed') return {result: job.returnvalue};
    if (state === 'failed') return {failedReason: job.failedReason};
    return undefined;
  }

  private outcomeOf(got: {result?: QueueJobResult; failedReason?: string}): SendOutcome {
    const read = got.result === undefined ? null : queueJobResultSchema.safeParse(got.result);
    if (read?.success) return decodeOutcome(read.data as QueueJobResult);
    const now = new Date();
    // A result this coordinator cannot read (another assay version, or not an assay worker) is a failed job.
    const reason = read ? `a worker returned a result this coordinator cannot read (${describeProblems(read.error, 1)})` : (got.failedReason ?? 'no result');
    return {
      completion: null,
      error: new ProviderError('network', `the job failed on the workers: ${reason}`, {
        hint: `a worker died or crashed while sending it (it was re-delivered and failed again); check the workers' logs, then: assay run --resume ${this.session.dir}`,
        retryable: false,
      }),
      startedAt: now,
      endedAt: now,
      queueMs: 0,
      rateWaitMs: 0,
      attempts: 0,
    };
  }

  /** Every finished job of this run in Redis, whether or not its event was seen (and results of an earlier session). */
  private async sweep(): Promise<void> {
    const queue = this.queue!;
    for (const set of [queue.keys.completed!, queue.keys.failed!]) {
      let cursor = '0';
      do {
        const [next, items] = await this.redis.zscan(set, cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
        cursor = next;
        for (let i = 0; i < items.length; i += 2) void this.settle(items[i]!).catch(() => {});
      } while (cursor !== '0');
    }
  }

  /** Sweeps every SWEEP_MS until nothing is outstanding; withdraws unstarted jobs after Ctrl+C; warns when no worker is there. */
  private async collect(): Promise<void> {
    const {session} = this;
    let lastSweep = performance.now();
    let lastWorkerCheck = performance.now();
    while (this.outstanding.size > 0 && !session.fatal) {
      await sleep(100);
      const now = performance.now();
      if (now - lastSweep < SWEEP_MS) continue;
      lastSweep = now;
      try {
        await this.sweep();
        if (session.signals.stopScheduling.aborted) await this.removeUnstarted();
        else await this.checkJobsStillThere();
        if (now - lastWorkerCheck >= NO_WORKER_WARN_MS && !session.signals.stopScheduling.aborted) {
          lastWorkerCheck = now;
          const workers = await this.queue!.getWorkersCount().catch(() => -1);
          if (workers === 0) session.emit({type: 'warning', message: `no worker is taking jobs from ${this.shown}: start one with \`assay worker ${this.shown}\` (${this.outstanding.size} waiting)`});
        }
      } catch {
        // Redis is away: the connection retries and the 'error' warning says so; try again next round.
      }
    }
  }

  /** Jobs gone from Redis (it restarted without persistence, or was flushed): add them again. */
  private async checkJobsStillThere(): Promise<void> {
    if (this.outstanding.size === 0 || this.session.signals.stopScheduling.aborted) return;
    if ((await this.redis.exists(this.marker)) === 1) return;
    this.session.emit({type: 'warning', message: `Redis at ${this.shown} lost this run's jobs (restarted without persistence?): adding the ${this.outstanding.size} unfinished ones again`});
    await this.enqueue([...this.outstanding.values()]);
  }

  /** First Ctrl+C: jobs no worker has taken are withdrawn (--resume adds them again); taken ones finish. */
  private async removeUnstarted(): Promise<void> {
    for (const jobId of [...this.outstanding.keys()]) {
      if (this.handling.has(jobId)) continue;
      const removed = await this.queue!.remove(jobId).catch(() => 0);
      if (removed === 1) this.outstanding.delete(jobId);
      else if (!(await this.queue!.getJob(jobId).catch(() => null))) this.outstanding.delete(jobId);
    }
  }

  async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    const {session} = this;
    if (!session.fatal && this.outstanding.size === 0 && !session.signals.stopScheduling.aborted) await withTimeout(this.redis.del(this.marker), CLEANUP_TIMEOUT_MS).catch(() => {});
    await withTimeout(Promise.allSettled([this.events?.close(), this.queue?.close()]), CLEANUP_TIMEOUT_MS);
    this.eventsConnection?.disconnect();
  }
}
