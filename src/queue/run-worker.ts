import {hostname} from 'node:os';
import type {Job} from 'bullmq';
import type {LoadedProvider} from '../config/load-config.ts';
import {isAssayError} from '../core/errors.ts';
import {createProviderClient} from '../providers/create-client.ts';
import type {ClientWarning, ProviderClient} from '../providers/provider-client.ts';
import {ProviderError} from '../providers/provider-error.ts';
import {sendTask} from '../runner/execute-task.ts';
import {describeProblems} from '../rundir/parse-stored.ts';
import {queueJobDataSchema} from './job-schemas.ts';
import {encodeOutcome, type QueueJobData, type QueueJobResult} from './queue-job.ts';
import {connectRedis, QUEUE_NAME, redactRedisUrl} from './redis-connection.ts';
import {RedisLimits} from './redis-limits.ts';

export interface WorkerOptions {
  /** redis://HOST:PORT of the queue. */
  url: string;
  /** Jobs this worker runs at once (default 16). Each still waits for the run's shared slots and limits. */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal (default 30000). A worker that dies mid-job has that job
   * re-delivered to another worker about this long (up to twice this) after its last renewal.
   */
  lockMs?: number;
  /** Stop (exit 0) after this long with no job in flight and none taken. */
  exitWhenIdleMs?: number;
  /** Aborting stops taking jobs; jobs in flight finish and their results are returned (a first Ctrl+C). */
  signal?: AbortSignal;
  onEvent?: (event: WorkerEvent) => void;
  /** Where API keys are read (default process.env): the worker's own environment, never the job. */
  env?: NodeJS.ProcessEnv;
}

export type WorkerEvent =
  | {type: 'ready'; url: string; queue: string; concurrency: number; lockMs: number; worker: string}
  | {type: 'job'; run: string; key: string; model: string; status: 'ok' | 'error'; errorClass: string | null; attempts: number; ms: number}
  | {type: 'warning'; message: string}
  | {type: 'stopping'; inFlight: number; reason: 'signal' | 'idle'};

export interface WorkerSummary {
  worker: string;
  jobs: number;
  ok: number;
  errors: number;
}

/** What the job processor shares with the worker loop. */
interface WorkerContext {
  workerId: string;
  opts: WorkerOptions;
  emit: (event: WorkerEvent) => void;
  warnOnce: (message: string) => void;
  limits: RedisLimits;
  clients: Map<string, Promise<ProviderClient>>;
  /** Aborts requests in flight (a forced stop). */
  hard: AbortController;
  summary: WorkerSummary;
  /** Jobs in flight, and when the last one started or ended (for exitWhenIdleMs). */
  active: number;
  lastActivity: number;
}

/**
 * `assay worker`: takes jobs from the Redis queue, sends each through the provider's SDK under limits
 * shared with every other worker, and returns the answer (or failure) with its timings. Needs no config
 * file: a job carries the provider definition, and keys come from this machine's environment.
 */
export async function runWorker(opts: WorkerOptions): Promise<WorkerSummary> {
  const emit = opts.onEvent ?? (() => {});
  const concurrency = opts.concurrency ?? 16;
  const lockMs = Math.max(500, opts.lockMs ?? 30_000);
  const workerId = `${hostname()}:${process.pid}`;
  const redis = await connectRedis(opts.url, {flag: 'worker URL', name: `assay-worker-${workerId}`});
  const {Worker} = await import('bullmq');
  const warned = new Set<string>();
  const w: WorkerContext = {
    workerId,
    opts,
    emit,
    warnOnce: (message) => {
      if (warned.has(message)) return;
      warned.add(message);
      emit({type: 'warning', message});
    },
    limits: new RedisLimits(redis, {leaseMs: Math.max(lockMs, 2000)}),
    clients: new Map(),
    hard: new AbortController(),
    summary: {worker: workerId, jobs: 0, ok: 0, errors: 0},
    active: 0,
    lastActivity: performance.now(),
  };

  const worker = new Worker<QueueJobData, QueueJobResult>(QUEUE_NAME, (job) => processJob(w, job), {
    connection: redis,
    concurrency,
    lockDuration: lockMs,
    // How often this worker looks for jobs whose worker died (their lock, set by that worker, expired).
    // Capped at 5 s so that a worker with a long lock of its own still re-takes a short-lock worker's jobs soon.
    stalledInterval: Math.min(lockMs, 5000),
    // A job re-delivered twice whose worker dies again is failed; the coordinator journals it as an error for --resume.
    maxStalledCount: 2,
    // After a lost connection (Redis restarting), try again every 2 s rather than BullMQ's 15 s.
    runRetryDelay: 2000,
    autorun: false,
  });
  let lastConnectionWarning = 0;
  worker.on('error', (error) => {
    const now = Date.now();
    if (now - lastConnectionWarning < 5000) return;
    lastConnectionWarning = now;
    emit({type: 'warning', message: `queue: ${(error as Error).message}`});
  });

  const done = stopReason(w);
  const running = worker.run();
  await worker.waitUntilReady();
  emit({type: 'ready', url: redactRedisUrl(opts.url), queue: QUEUE_NAME, concurrency, lockMs, worker: workerId});
  const reason = await Promise.race([done, running.then(() => 'signal' as const)]);
  emit({type: 'stopping', inFlight: w.active, reason});
  try {
    // Not forced: jobs in flight finish and their results reach Redis.
    await worker.close();
    await running.catch(() => {});
  } finally {
    w.limits.close();
    redis.disconnect();
  }
  return w.summary;
}

/** Resolves when the worker should stop: the caller's signal, or idle for exitWhenIdleMs. */
function stopReason(w: WorkerContext): Promise<'signal' | 'idle'> {
  const {opts} = w;
  const done = new Promise<'signal' | 'idle'>((resolve) => {
    if (opts.signal?.aborted) resolve('signal');
    opts.signal?.addEventListener('abort', () => resolve('signal'), {once: true});
    if (opts.exitWhenIdleMs !== undefined) {
      const idleMs = opts.exitWhenIdleMs;
      const timer = setInterval(() => {
        if (w.active === 0 && performance.now() - w.lastActivity >= idleMs) {
          clearInterval(timer);
          resolve('idle');
        }
      }, Math.min(250, Math.max(20, idleMs / 4)));
      timer.unref();
      void done.then(() => clearInterval(timer));
    }
  });
  return done;
}

/** One client per provider definition; a failed one (a missing key) is not kept, so a later job tries again. */
function clientFor(w: WorkerContext, provider: LoadedProvider): Promise<ProviderClient> {
  const key = JSON.stringify(provider);
  let client = w.clients.get(key);
  if (!client) {
    client = createProviderClient(provider, {warn: (cw: ClientWarning) => w.warnOnce(`${cw.providerId}: ${cw.message}`), env: w.opts.env});
    w.clients.set(key, client);
    // A missing key is reported per job; a later job (after the env is fixed) must not reuse the failure.
    client.catch(() => w.clients.delete(key));
  }
  return client;
}

/** Sends one job's request and returns its outcome; throws (so the job is taken again) only when stopped mid-request. */
async function processJob(w: WorkerContext, job: Job<QueueJobData, QueueJobResult>): Promise<QueueJobResult> {
  const {workerId, summary} = w;
  const read = queueJobDataSchema.safeParse(job.data);
  if (!read.success) {
    const version = (job.data as {v?: unknown} | undefined)?.v;
    throw new Error(`job ${job.id} is not an assay job of a version this worker knows (v${String(version)}): ${describeProblems(read.error, 1)}`);
  }
  const data = job.data;
  w.active++;
  w.lastActivity = performance.now();
  const queuedAt = performance.now();
  try {
    const req = data.request;
    let client: ProviderClient;
    try {
      client = await clientFor(w, req.provider);
    } catch (error) {
      // Typically a key this machine's environment lacks: the result says so (and which worker), and
      // --resume re-sends it once the environment is fixed.
      const message = `worker ${workerId}: ${(error as Error).message}`;
      w.warnOnce(message);
      const now = new Date();
      summary.jobs++;
      summary.errors++;
      return encodeOutcome(
        {
          completion: null,
          error: new ProviderError('auth', message, {hint: isAssayError(error) ? error.hint : undefined, retryable: false}),
          startedAt: now,
          endedAt: now,
          queueMs: 0,
          rateWaitMs: 0,
          attempts: 0,
        },
        workerId,
      );
    }
    const outcome = await sendTask(
      req,
      {
        client,
        signal: w.hard.signal,
        traffic: w.limits.for({label: req.label, provider: req.provider, limits: data.limits}),
        global: w.limits.global(data.run, data.concurrency),
        onRetry: (reason, waitMs, message) => void job.updateProgress({retry: {reason, waitMs, message}}).catch(() => {}),
      },
      queuedAt,
    );
    // Cut short by a forced stop: not a result. Throwing leaves the job to be taken again.
    if (outcome === null || w.hard.signal.aborted) throw new Error(`worker ${workerId} stopped before the request finished`);
    summary.jobs++;
    if (outcome.completion) summary.ok++;
    else summary.errors++;
    w.emit({
      type: 'job',
      run: data.run,
      key: data.key,
      model: req.label,
      status: outcome.completion ? 'ok' : 'error',
      errorClass: outcome.error?.errorClass ?? null,
      attempts: outcome.attempts,
      ms: Math.round(performance.now() - queuedAt),
    });
    return encodeOutcome(outcome, workerId);
  } finally {
    w.active--;
    w.lastActivity = performance.now();
  }
}
