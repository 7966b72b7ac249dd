import type {ResponseCache} from '../cache/response-cache.ts';
import {cacheKey} from '../cache/response-cache.ts';
import type {LoadedProvider} from '../config/load-config.ts';
import type {ChatMessage, ModelParams, Result} from '../core/types.ts';
import type {ModelCaller} from '../graders/model-caller.ts';
import {classifyError, hintFor} from '../providers/classify-error.ts';
import {DEFAULT_TIMEOUT_MS, keyEnvOf} from '../providers/create-client.ts';
import {estimateTokens} from '../providers/estimate-tokens.ts';
import type {Completion, ProviderClient} from '../providers/provider-client.ts';
import {ProviderError} from '../providers/provider-error.ts';
import {causeText} from '../core/error-cause.ts';
import {countsAsFailure, type CircuitBreaker} from '../traffic/circuit-breaker.ts';
import {notSentMessage, type FailFast} from '../traffic/fail-fast.ts';
import type {Reservation} from '../traffic/rate-limiter.ts';
import {buildResult} from './build-result.ts';
import {taskParams, type Task} from './plan-tasks.ts';
import {DEFAULT_RETRY, withRetry, type RetryPolicy} from './retry-policy.ts';

class NotStarted extends Error {}
const NOT_STARTED = new ProviderError('network', 'not started', {retryable: false});

/** Tokens reserved when a model names no maxTokens (Anthropic's default cap is the same). */
const DEFAULT_OUTPUT_RESERVATION = 1024;

/** A rate limiter as sending needs it: the in-process RateLimiter, or one shared through Redis by queue workers. */
export interface Limiter {
  acquire(tokens: number, signal?: AbortSignal): Promise<Reservation>;
  penalize(retryAfterMs: number | null): void;
}

/** Concurrency slots: the in-process Semaphore, or a Redis-leased one shared by queue workers. */
export interface Slots {
  acquire(signal?: AbortSignal): Promise<() => void>;
}

/** What gates a model's requests: its limiters (model's and provider's), breaker and slots. */
export interface SendTraffic {
  limiters: Limiter[];
  breaker: CircuitBreaker | null;
  /** Stops the model after repeated identical auth/not-found/bad-request failures (in-process runs). */
  failFast?: FailFast | null;
  modelSlots: Slots | null;
  providerSlots: Slots | null;
}

/** Everything needed to send one request; plain data, so a queue job can carry it to another machine. */
export interface SendRequest {
  label: string;
  /** The provider's model id. */
  model: string;
  provider: LoadedProvider;
  messages: ChatMessage[];
  params: ModelParams;
  stream: boolean;
}

export interface SendContext {
  client: ProviderClient;
  /** Aborts in-flight requests (second Ctrl+C, fatal error); a first Ctrl+C only stops scheduling. */
  signal: AbortSignal;
  traffic: SendTraffic;
  global: Slots;
  /** A first Ctrl+C: requests not yet sent are not sent; ones in flight finish and are journaled. */
  stop?: AbortSignal;
  onRetry?: (reason: string, waitMs: number, message: string) => void;
}

/** How sending went: the answer or the final failure, with its timings (grading comes later, from whoever journals). */
export interface SendOutcome {
  completion: Completion | null;
  error: ProviderError | null;
  startedAt: Date;
  endedAt: Date;
  queueMs: number;
  rateWaitMs: number;
  /** Requests that actually went out (an open breaker sends none). */
  attempts: number;
}

export interface ExecuteContext {
  runId: string;
  client: ProviderClient;
  /** Aborts in-flight requests (second Ctrl+C, fatal error); a first Ctrl+C only stops scheduling. */
  signal: AbortSignal;
  traffic: SendTraffic;
  global: Slots;
  cache: ResponseCache | null;
  /** For judge graders: calls a configured model through the same clients, retries and slots. */
  callModel?: ModelCaller;
  /** A first Ctrl+C: requests not yet sent are not sent; ones in flight finish and are journaled. */
  stop?: AbortSignal;
  onRetry?: (task: Task, reason: string, waitMs: number, message: string) => void;
}

/** The request a task makes. */
export function sendRequestOf(task: Task): SendRequest {
  return {
    label: task.model.label,
    model: task.model.model,
    provider: task.model.provider,
    messages: task.testCase.messages,
    params: taskParams(task),
    stream: task.model.stream,
  };
}

/** The response-cache key of a task (what it is sent with, plus suite, case and repeat). */
export function taskCacheKey(task: Task): string {
  const provider = task.model.provider;
  return cacheKey({
    providerType: provider.type === 'sandbox' ? `sandbox:${provider.wire}` : provider.type,
    baseURL: provider.baseURL ?? null,
    model: task.model.model,
    params: taskParams(task),
    messages: task.testCase.messages,
    stream: task.model.stream,
    suiteId: task.suite.id,
    caseId: task.testCase.id,
    repeat: task.repeat,
  });
}

/**
 * Sends one request, gated by breaker, rate limits and slots, with retries. Returns null when stopped
 * (first Ctrl+C) before anything was sent: not a result, --resume sends it.
 */
export async function sendTask(req: SendRequest, ctx: SendContext, queuedAt: number): Promise<SendOutcome | null> {
  const {provider, params} = req;
  let startedAt = new Date();
  const timeoutMs = provider.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stallTimeoutMs = provider.stallTimeoutMs ?? Math.min(timeoutMs, 30_000);
  const policy: RetryPolicy = {...DEFAULT_RETRY, ...provider.retry};
  const classifyCtx = {providerId: provider.id, model: req.model, baseURL: provider.baseURL, keyEnv: keyEnvOf(provider), timeoutMs, secrets: []};
  const classify = (e: unknown) => classifyError(e, classifyCtx);
  // Only a tpm limiter needs the estimate; most runs have none, and it is not free per request.
  const reserve = ctx.traffic.limiters.length === 0 ? 0 : req.messages.reduce((n, m) => n + estimateTokens(m.content) + 3, 0) + (params.maxTokens ?? DEFAULT_OUTPUT_RESERVATION);

  let queueMs = 0;
  let rateWaitMs = 0;
  // When the last attempt's answer (or failure) arrived, before its slot was handed on.
  let answeredAt: Date | null = null;
  // Requests that actually went out: an open breaker sends none.
  let requestsSent = 0;
  let outcome: {value?: Completion; error?: ProviderError; attempts: number};
  let sent = false;
  let releaseModel: (() => void) | undefined;
  let releaseProvider: (() => void) | undefined;
  // The last failure that really came back: a retry an open breaker refuses ends with it, not with "circuit open".
  let lastFailure: ProviderError | null = null;
  const failFast = ctx.traffic.failFast ?? null;
  try {
    try {
      releaseModel = await ctx.traffic.modelSlots?.acquire(ctx.signal);
      releaseProvider = await ctx.traffic.providerSlots?.acquire(ctx.signal);
    } catch {
      // aborted while waiting for a slot (only distributed slots can be): nothing was sent
      return null;
    }
    outcome = await withRetry(
      policy,
      async () => {
        if (ctx.stop?.aborted && !sent) throw new NotStarted();
        const stopped = failFast?.stopped;
        if (stopped && !sent) {
          throw new ProviderError(stopped.class, notSentMessage(req.label, stopped), {
            status: stopped.status,
            hint: `${stopped.hint ?? hintFor(stopped.class, stopped.status, classifyCtx, stopped.message)}. assay stopped sending to ${req.label} (failFast); once this is fixed, \`assay run --resume\` on this run sends the rest`,
            retryable: false,
            rootCause: stopped,
            notSent: true,
          });
        }
        const breaker = ctx.traffic.breaker;
        if (breaker && !breaker.tryAcquire()) {
          const cause = breaker.cause;
          if (lastFailure) {
            // This request was sent and failed; its retry is what the breaker refuses.
            throw new ProviderError(lastFailure.errorClass, `${lastFailure.message} (not retried: circuit open${cause ? ` after ${causeText(cause, 80)}` : ''})`, {
              status: lastFailure.status,
              hint: lastFailure.hint,
              retryable: false,
              cause: lastFailure,
            });
          }
          const why = cause ? `circuit open after ${causeText(cause)}` : `circuit open: recent requests to ${provider.id} mostly failed`;
          throw new ProviderError('circuit-open', `${why}; not sent to ${req.label}`, {
            hint: cause?.hint ? `${cause.hint}. Requests are held back until the breaker's cooldown ends; \`assay run --resume\` sends these` : hintFor('circuit-open', null, classifyCtx, ''),
            retryable: false,
            rootCause: cause,
            notSent: true,
          });
        }
        let failure: ProviderError | null = null;
        let release: (() => void) | undefined;
        try {
          const waitStart = performance.now();
          const reservations = [];
          for (const limiter of ctx.traffic.limiters) {
            const r = await limiter.acquire(reserve, ctx.signal);
            rateWaitMs += r.waitedMs;
            reservations.push(r);
          }
          release = await ctx.global.acquire(ctx.signal);
          queueMs += performance.now() - waitStart;
          if (ctx.stop?.aborted && !sent) throw new NotStarted();
          if (!sent) startedAt = new Date();
          sent = true;
          requestsSent++;
          const c = await ctx.client.complete(req.model, {messages: req.messages, params, stream: req.stream, signal: ctx.signal, timeoutMs, stallTimeoutMs});
          if (c.inputTokens !== null && c.outputTokens !== null) for (const r of reservations) r.reconcile(c.inputTokens + c.outputTokens);
          return c;
        } catch (error) {
          if (error instanceof NotStarted) throw error;
          failure = classify(error);
          lastFailure = failure;
          if (failure.errorClass === 'rate-limit') for (const limiter of ctx.traffic.limiters) limiter.penalize(failure.retryAfterMs);
          throw failure;
        } finally {
          if (sent) answeredAt = new Date();
          release?.();
          const counted = failure !== null && countsAsFailure(failure.errorClass);
          breaker?.record(counted, counted ? failure! : undefined);
        }
      },
      {signal: ctx.signal, classify: (e) => (e instanceof NotStarted ? NOT_STARTED : classify(e)), onRetry: (error, _n, waitMs) => ctx.onRetry?.(`${error.errorClass}${error.status ? ` ${error.status}` : ''}`, waitMs, error.message)},
    );
  } finally {
    releaseProvider?.();
    releaseModel?.();
  }
  if (queueMs === 0) queueMs = performance.now() - queuedAt;
  // Stopped (first Ctrl+C) before anything was sent: not a result; --resume sends it.
  if (outcome.error === NOT_STARTED) return null;
  if (requestsSent > 0) failFast?.record(outcome.value ? null : outcome.error!);
  return {
    completion: outcome.value ?? null,
    error: outcome.value ? null : outcome.error!,
    startedAt,
    endedAt: answeredAt ?? new Date(),
    queueMs,
    rateWaitMs,
    attempts: requestsSent,
  };
}

/** Sends one task (gated by breaker, rate limits and slots, with retries), grades it, and returns the journal line. */
export async function executeTask(task: Task, ctx: ExecuteContext, queuedAt: number): Promise<Result | null> {
  const key = ctx.cache ? taskCacheKey(task) : null;
  const hit = key ? ctx.cache!.get(key) : null;
  if (hit) {
    const now = new Date();
    return buildResult(task, {
      runId: ctx.runId,
      callModel: ctx.callModel,
      startedAt: now,
      endedAt: now,
      queueMs: performance.now() - queuedAt,
      rateWaitMs: 0,
      attempts: 0,
      cached: true,
      completion: hit.completion,
      error: null,
    });
  }
  const sent = await sendTask(
    sendRequestOf(task),
    {
      client: ctx.client,
      signal: ctx.signal,
      traffic: ctx.traffic,
      global: ctx.global,
      stop: ctx.stop,
      onRetry: ctx.onRetry ? (reason, waitMs, message) => ctx.onRetry!(task, reason, waitMs, message) : undefined,
    },
    queuedAt,
  );
  if (sent === null) return null;
  if (key && sent.completion) ctx.cache!.set(key, sent.completion);
  return buildResult(task, {runId: ctx.runId, callModel: ctx.callModel, ...sent, cached: false});
}
