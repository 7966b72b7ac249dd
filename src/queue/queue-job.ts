import {createHash} from 'node:crypto';
import type {LoadedModel} from '../config/load-config.ts';
import type {ErrorClass} from '../core/types.ts';
import type {Completion} from '../providers/provider-client.ts';
import {ProviderError} from '../providers/provider-error.ts';
import type {SendOutcome, SendRequest} from '../runner/execute-task.ts';

/** What a queue job carries: everything a worker needs to make the call, and nothing secret (keys are env var names). */
export interface QueueJobData {
  v: 1;
  /** The run's queue id (runId plus a random suffix, kept in run.json). */
  run: string;
  /** The task key: JSON [suite, case, model label, repeat]. */
  key: string;
  /** How many journal lines this task had when the job was made (0, or more for a re-sent error). */
  gen: number;
  request: SendRequest;
  /** The model's own limits (rpm, tpm, concurrency); the provider's are in request.provider. */
  limits: LoadedModel['limits'];
  /** The run's cap on requests in flight across every worker. */
  concurrency: number;
}

/** What a worker returns: the answer or failure, with timings. Grading happens on the coordinator. */
export interface QueueJobResult {
  v: 1;
  completion: Completion | null;
  error: {class: ErrorClass; message: string; status: number | null; hint: string | null; retryAfterMs: number | null} | null;
  startedAt: string;
  endedAt: string;
  queueMs: number;
  rateWaitMs: number;
  attempts: number;
  /** host:pid of the worker that sent it. */
  worker: string;
}

/**
 * The BullMQ job id of a task: deterministic in (run, suite, case, model, repeat) and the journal
 * generation, so adding a job twice is a no-op and a result can be matched to exactly one journal line.
 */
export function jobIdFor(run: string, key: string, gen: number): string {
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 32);
  return `${run}/${digest}/${gen}`;
}

export function jobIdPrefix(run: string): string {
  return `${run}/`;
}

/** Whether `jobId` (as found in Redis) has the shape jobIdFor gives this run's jobs. */
export function isJobIdOf(run: string, jobId: string): boolean {
  if (!jobId.startsWith(jobIdPrefix(run))) return false;
  return /^[0-9a-f]{32}\/(0|[1-9]\d*)$/.test(jobId.slice(run.length + 1));
}

export function encodeOutcome(o: SendOutcome, worker: string): QueueJobResult {
  return {
    v: 1,
    completion: o.completion,
    error: o.error ? {class: o.error.errorClass, message: o.error.message, status: o.error.status, hint: o.error.hint ?? null, retryAfterMs: o.error.retryAfterMs} : null,
    startedAt: o.startedAt.toISOString(),
    endedAt: o.endedAt.toISOString(),
    queueMs: o.queueMs,
    rateWaitMs: o.rateWaitMs,
    attempts: o.attempts,
    worker,
  };
}

export function decodeOutcome(r: QueueJobResult): SendOutcome {
  return {
    completion: r.completion,
    error: r.error
      ? new ProviderError(r.error.class, r.error.message, {status: r.error.status, hint: r.error.hint ?? undefined, retryAfterMs: r.error.retryAfterMs})
      : null,
    startedAt: new Date(r.startedAt),
    endedAt: new Date(r.endedAt),
    queueMs: r.queueMs,
    rateWaitMs: r.rateWaitMs,
    attempts: r.attempts,
  };
}
