import {randomBytes} from 'node:crypto';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import type {Queue as BullQueue, QueueEvents as BullQueueEvents} from 'bullmq';
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
import {forEachJournalLine} from '../runner/journal.ts';
import {sandboxBaseURL} from '../runner/open-clients.ts';
import {pendingTasks, type Task} from '../runner/plan-tasks.ts';
import {judgeModelsOf, openRunSession, type RunSession} from '../runner/run-session.ts';
import {jobProgressSchema, queueJobResultSchema} from './job-schemas.ts';
import {readFinishedJob, type FinishedJob} from './read-finished-job.ts';
import {decodeOutcome, isJobIdOf, jobIdFor, jobIdPrefix, type QueueJobData} from './queue-job.ts';
import {connectRedis, parseRedisUrl, QUEUE_NAME, redactRedisUrl} from './redis-connection.ts';
import {RedisLimits} from './redis-limits.ts';

/** How often the coordinator sweeps Redis for finished jobs it may have missed, and checks the run's jobs are still there. */
const SWEEP_MS = 1000;
/** How often it warns when no worker is connected. */
const NO_WORKER_WARN_MS = 10_000;
/** Jobs added per round trip. */
const ADD_CHUNK = 500;
/** The default window: jobs of one model in Redis at once, at least this many (and 4 × the run's concurrency). */
const MIN_WINDOW = 1000;
/** Cleanup calls on the way out never hang on a Redis that has gone away. */
const CLEANUP_TIMEOUT_MS = 5000;

interface Pending {
  task: Task;
  gen: number;
}

/** One model's queue: its pending tasks, pulled lazily, and how many of its jobs are in Redis. */
interface ModelWindow {
  label: string;
  source: Iterator<Task>;
  exhausted: boolean;
  /** Outstanding jobs plus journaled ones still being removed. */
  inRedis: number;
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
 * writer. Tasks are pulled from the plan lazily, per model, a window of jobs at a time (opts.queueWindow).
 * Exactly-once: a job's id is (run, suite, case, model, repeat, generation), where the generation is
 * how many journal lines the task had when this session started. Each pending task is pulled once; its
 * job stays outstanding until its result is journaled, and is removed only after that. A result arriving
 * twice (a re-delivered job, a sweep racing an event) finds its job no longer outstanding and is
 * dropped; one that a crashed session journaled but did not remove belongs to a finished task, which
 * the plan never yields again, and is removed at the end.
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

/**
 * One coordinator session on the queue: enqueues, collects results (events and sweeps), journals each once.
 * The plan is read lazily, one generator per model queue: a model's pending tasks are pulled as its jobs
 * finish, so at most `window` jobs of each model are in Redis (and in this process) at once, however
 * large the run, and a slow model's backlog never holds up a fast one.
 */
class QueueCoordinator {
  private readonly session: RunSession;
  private readonly redis: Redis;
  private readonly queueRunId: string;
  /** The Redis URL with its password redacted, for messages. */
  private readonly shown: string;
  private readonly globalCap: number;
  /** Jobs of one model in Redis at once (outstanding ones plus those being removed). */
  private readonly window: number;
  /** Journal lines of the pending tasks that have some (errors to send again): a job's generation. Other pending tasks are at 0. */
  private readonly gens = new Map<string, number>();
  /** Per model queue: its pending tasks in plan order, pulled as its window has room, and its jobs in Redis. */
  private readonly queues: ModelWindow[];
  private readonly windowOf: Map<string, ModelWindow>;
  /** Jobs this session enqueued (or found) and has not journaled yet. Its own entry is a job's licence to be journaled. */
  private readonly outstanding = new Map<string, Pending>();
  /** Outstanding jobs whose addBulk failed: added again first on the next fill (adding is idempotent). */
  private unadded: string[] = [];
  /**
   * Jobs of this run an earlier session left in Redis, not yet reached in the plan: their results are
   * collected (not sent again) when the plan reaches their task; those never reached are stale (their
   * task was journaled before a crash kept them from being removed) and are removed at the end.
   */
  private readonly leftover = new Set<string>();
  private readonly inFlight = new Map<string, string>();
  private readonly handling = new Map<string, Promise<void>>();
  private filling: Promise<void> | null = null;
  private fillAgain = false;
  /** Set once the leftovers are known: until then a finished job's event is left for the leftover pass. */
  private scanned = false;
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
    this.window = session.opts.queueWindow ?? Math.max(MIN_WINDOW, 4 * this.globalCap);
    this.marker = `assay:run:${queueRunId}:jobs`;
    this.prefix = jobIdPrefix(queueRunId);
    // One streaming pass; only pending tasks are counted (a finished one is never sent again).
    forEachJournalLine(session.journalFile, (r) => {
      const key = taskKey(r.suiteId, r.caseId, r.model, r.repeat);
      if (!session.done.has(key)) this.gens.set(key, (this.gens.get(key) ?? 0) + 1);
    });
    this.queues = [...session.pendingSizes].filter(([, size]) => size > 0).map(([label]) => ({label, source: pendingTasks(session.plan, session.done, label), exhausted: false, inRedis: 0}));
    this.windowOf = new Map(this.queues.map((q) => [q.label, q]));
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

    // 1. Jobs a previous session left in Redis (it stopped or crashed before collecting them).
    await this.findLeftovers();
    // 2. The first window; cache hits are journaled without a job. Settling a job fills the window again.
    await this.redis.set(this.marker, '1');
    await this.fill();
    // 3. Collect results until every task is journaled (or, after Ctrl+C, withdrawn or journaled).
    await this.collect();
    await Promise.all(this.handling.values());
    if (this.exhausted() && !session.fatal && !session.signals.stopScheduling.aborted) await this.removeStale();
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
      // Parsed (and checked by outcomeOf), never trusted as it comes from Redis.
      let result: unknown;
      try {
        result = typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue;
      } catch {
        result = undefined;
      }
      void this.settle(jobId, result === undefined ? undefined : {result}).catch(() => {});
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
      const retry = jobProgressSchema.safeParse(data).data?.retry;
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

  /** Adds these outstanding jobs to Redis; on failure they are kept to be added again by the next fill. */
  private async add(jobIds: string[]): Promise<void> {
    const jobs = jobIds.flatMap((id) => {
      const p = this.outstanding.get(id);
      return p ? [this.jobFor(p.task, p.gen)] : [];
    });
    if (jobs.length === 0) return;
    try {
      await this.queue!.addBulk(jobs);
    } catch (error) {
      this.unadded.push(...jobIds);
      throw error;
    }
  }

  /** Whether a model's window has room for another job. */
  private roomy(q: ModelWindow): boolean {
    return !q.exhausted && q.inRedis < this.window;
  }

  /** Whether a model's window has drained enough to be worth a round trip: a whole step, so jobs go to Redis in chunks, not one by one. */
  private drained(q: ModelWindow): boolean {
    return !q.exhausted && this.window - q.inRedis >= this.refillStep();
  }

  /** Every model queue has given all its tasks. */
  private exhausted(): boolean {
    return this.queues.every((q) => q.exhausted);
  }

  /** Pulls pending tasks into the window (once at a time): cache hits are journaled, leftovers collected, the rest enqueued. */
  private fill(): Promise<void> {
    if (this.filling) {
      // The fill under way may be past its last look at the window: it goes round once more.
      this.fillAgain = true;
      return this.filling;
    }
    this.filling = (async () => {
      try {
        do {
          this.fillAgain = false;
          await this.fillOnce();
        } while (this.fillAgain);
      } finally {
        this.filling = null;
      }
    })();
    return this.filling;
  }

  private async fillOnce(): Promise<void> {
    const {session} = this;
    const stopped = () => session.signals.stopScheduling.aborted || session.fatal !== null;
    if (this.unadded.length > 0 && !stopped()) {
      const again = this.unadded;
      this.unadded = [];
      await this.add(again);
    }
    // Round the model queues, a chunk at a time, while any has room: each fills its own window.
    for (let open = this.queues.filter((q) => this.drained(q)); open.length > 0 && !stopped(); open = open.filter((q) => this.drained(q))) {
      const batch: string[] = [];
      const found: string[] = [];
      for (const q of open) {
        while (batch.length < ADD_CHUNK && this.roomy(q) && !stopped()) {
          const next = q.source.next();
          if (next.done) {
            q.exhausted = true;
            break;
          }
          const task = next.value;
          const gen = this.gens.get(task.key) ?? 0;
          const jobId = jobIdFor(this.queueRunId, task.key, gen);
          if (this.leftover.delete(jobId)) {
            // Already in Redis (waiting, running or finished): collected, never added again.
            this.outstanding.set(jobId, {task, gen});
            q.inRedis++;
            found.push(jobId);
            continue;
          }
          const hit = session.cache && cacheable(task) ? session.cache.get(taskCacheKey(task)) : null;
          if (hit) {
            const now = new Date();
            const result = await buildResult(task, {runId: session.runId, callModel: session.callModel, startedAt: now, endedAt: now, queueMs: 0, rateWaitMs: 0, attempts: 0, cached: true, completion: hit.completion, error: null});
            session.journal(task, result);
            continue;
          }
          // In outstanding before it is added: its completion event may come before addBulk returns.
          this.outstanding.set(jobId, {task, gen});
          q.inRedis++;
          batch.push(jobId);
        }
      }
      await this.add(batch);
      for (const jobId of found) void this.settle(jobId).catch(() => {});
    }
  }

  /** Turns a finished job into (at most) one journal line, then removes the job. */
  private settle(jobId: string, finished?: FinishedJob): Promise<void> {
    const running = this.handling.get(jobId);
    if (running) return running;
    const work = this.settleOnce(jobId, finished).finally(() => this.handling.delete(jobId));
    this.handling.set(jobId, work);
    return work;
  }

  private async settleOnce(jobId: string, finished?: FinishedJob): Promise<void> {
    const {session} = this;
    if (!this.scanned) return;
    const pending = this.outstanding.get(jobId);
    if (!pending) {
      // A leftover not reached yet is collected when its task comes up; anything else was journaled
      // already (or is not a task of this plan): drop the duplicate.
      if (!this.leftover.has(jobId)) await this.queue!.remove(jobId).catch(() => {});
      return;
    }
    const got = finished ?? (await readFinishedJob(this.queue!, jobId));
    if (!got) return;
    const {task} = pending;
    const outcome = this.outcomeOf(got);
    const result = await buildResult(task, {runId: session.runId, callModel: session.callModel, ...outcome, cached: false});
    if (this.outstanding.get(jobId) !== pending || session.fatal) return;
    if (!session.journal(task, result)) return;
    this.outstanding.delete(jobId);
    this.inFlight.delete(jobId);
    if (outcome.completion && session.cache && cacheable(task)) session.cache.set(taskCacheKey(task), outcome.completion);
    // Only after the journal line is written: a crash before this leaves a job whose task is finished,
    // which a resumed session never reaches in its plan, and removes as stale.
    try {
      await this.queue!.remove(jobId).catch(() => {});
    } finally {
      // Its room in the window is given back only once it has left Redis.
      const q = this.windowOf.get(task.model.label)!;
      q.inRedis--;
      if (this.drained(q)) void this.fill().catch(() => {});
    }
  }

  /** How far the window drains before it is filled again: a whole add round trip's worth, or half the window. */
  private refillStep(): number {
    return Math.min(ADD_CHUNK, Math.ceil(this.window / 2));
  }

  private outcomeOf(got: FinishedJob): SendOutcome {
    const read = got.result === undefined ? null : queueJobResultSchema.safeParse(got.result);
    if (read?.success) return decodeOutcome(read.data);
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
    const more = () => !this.exhausted() && !session.signals.stopScheduling.aborted;
    while ((this.outstanding.size > 0 || more()) && !session.fatal) {
      await sleep(100);
      const now = performance.now();
      if (now - lastSweep < SWEEP_MS) {
        // Settling fills the window; this is for what that missed (a fill that failed, cache hits only).
        if (more() && this.queues.some((q) => this.drained(q))) await this.fill().catch(() => {});
        continue;
      }
      lastSweep = now;
      try {
        if (more()) await this.fill();
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
    await this.redis.set(this.marker, '1');
    await this.add([...this.outstanding.keys()]);
  }

  /** This run's jobs in Redis, in any state, left by an earlier session (at most about a window per model). */
  private async findLeftovers(): Promise<void> {
    const base = this.queue!.toKey('');
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${base}${this.prefix}*`, 'COUNT', 1000, 'TYPE', 'hash');
      cursor = next;
      for (const key of keys) {
        const jobId = key.slice(base.length);
        if (isJobIdOf(this.queueRunId, jobId)) this.leftover.add(jobId);
      }
    } while (cursor !== '0');
    this.scanned = true;
  }

  /** Leftovers the whole plan went by: their tasks were journaled already. Removed; never sent, never journaled. */
  private async removeStale(): Promise<void> {
    for (const jobId of [...this.leftover]) {
      await this.queue!.remove(jobId).catch(() => 0);
      this.leftover.delete(jobId);
    }
  }

  /** First Ctrl+C: jobs no worker has taken are withdrawn (--resume adds them again); taken ones finish. */
  private async removeUnstarted(): Promise<void> {
    for (const jobId of [...this.outstanding.keys()]) {
      if (this.handling.has(jobId)) continue;
      const removed = await this.queue!.remove(jobId).catch(() => 0);
      if (removed !== 1 && (await this.queue!.getJob(jobId).catch(() => null))) continue;
      const p = this.outstanding.get(jobId);
      this.outstanding.delete(jobId);
      if (p) this.windowOf.get(p.task.model.label)!.inRedis--;
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
