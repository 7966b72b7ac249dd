import type {ResponseCache} from '../cache/response-cache.ts';
import {cacheKey} from '../cache/response-cache.ts';
import type {ModelParams, Result} from '../core/types.ts';
import type {ModelCaller} from '../graders/model-caller.ts';
import {classifyError, hintFor} from '../providers/classify-error.ts';
import {DEFAULT_TIMEOUT_MS, keyEnvOf} from '../providers/create-client.ts';
import {estimateTokens} from '../providers/estimate-tokens.ts';
import type {Completion, ProviderClient} from '../providers/provider-client.ts';
import {ProviderError} from '../providers/provider-error.ts';
import {countsAsFailure} from '../traffic/circuit-breaker.ts';
import type {ModelTraffic} from '../traffic/traffic-control.ts';
import type {Semaphore} from '../traffic/semaphore.ts';
import {buildResult} from './build-result.ts';
import type {Task} from './plan-tasks.ts';
import {DEFAULT_RETRY, withRetry, type RetryPolicy} from './retry-policy.ts';

class NotStarted extends Error {}
const NOT_STARTED = new ProviderError('network', 'not started', {retryable: false});

/** Tokens reserved when a model names no maxTokens (Anthropic's default cap is the same). */
const DEFAULT_OUTPUT_RESERVATION = 1024;

export interface ExecuteContext {
  runId: string;
  client: ProviderClient;
  /** Aborts in-flight requests (second Ctrl+C, fatal error); a first Ctrl+C only stops scheduling. */
  signal: AbortSignal;
  traffic: ModelTraffic;
  global: Semaphore;
  cache: ResponseCache | null;
  /** For judge graders: calls a configured model through the same clients, retries and slots. */
  callModel?: ModelCaller;
  /** A first Ctrl+C: requests not yet sent are not sent; ones in flight finish and are journaled. */
  stop?: AbortSignal;
  onRetry?: (task: Task, reason: string, waitMs: number, message: string) => void;
}

/** Sends one task (gated by breaker, rate limits and slots, with retries), grades it, and returns the journal line. */
export async function executeTask(task: Task, ctx: ExecuteContext, queuedAt: number): Promise<Result | null> {
  const {model, suite, testCase} = task;
  const provider = model.provider;
  let startedAt = new Date();
  const params: ModelParams = {...model.params, ...suite.params};
  const timeoutMs = provider.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stallTimeoutMs = provider.stallTimeoutMs ?? Math.min(timeoutMs, 30_000);
  const policy: RetryPolicy = {...DEFAULT_RETRY, ...provider.retry};
  const classifyCtx = {providerId: provider.id, model: model.model, baseURL: provider.baseURL, keyEnv: keyEnvOf(provider), timeoutMs, secrets: []};
  const classify = (e: unknown) => classifyError(e, classifyCtx);
  // Only a tpm limiter needs the estimate; most runs have none, and it is not free per request.
  const reserve = ctx.traffic.limiters.length === 0 ? 0 : testCase.messages.reduce((n, m) => n + estimateTokens(m.content) + 3, 0) + (params.maxTokens ?? DEFAULT_OUTPUT_RESERVATION);

  const key = ctx.cache
    ? cacheKey({
        providerType: provider.type === 'sandbox' ? `sandbox:${provider.wire}` : provider.type,
        baseURL: provider.baseURL ?? null,
        model: model.model,
        params,
        messages: testCase.messages,
        stream: model.stream,
        suiteId: suite.id,
        caseId: testCase.id,
        repeat: task.repeat,
      })
    : null;
  const hit = key ? ctx.cache!.get(key) : null;

  let queueMs = 0;
  let rateWaitMs = 0;
  // When the last attempt's answer (or failure) arrived, before its slot was handed on.
  let answeredAt: Date | null = null;
  // Requests that actually went out: an open breaker or a cache hit sends none.
  let requestsSent = 0;
  let outcome: {value?: Completion; error?: ProviderError; attempts: number};
  if (hit) {
    outcome = {value: hit.completion, attempts: 0};
    queueMs = performance.now() - queuedAt;
  } else {
    let sent = false;
    const releaseModel = await ctx.traffic.modelSlots?.acquire();
    const releaseProvider = await ctx.traffic.providerSlots?.acquire();
    try {
      outcome = await withRetry(
        policy,
        async () => {
          if (ctx.stop?.aborted && !sent) throw new NotStarted();
          const breaker = ctx.traffic.breaker;
          if (breaker && !breaker.tryAcquire()) {
            throw new ProviderError('circuit-open', `circuit open for ${model.label}: recent requests to ${provider.id} mostly failed; not sent`, {
              hint: hintFor('circuit-open', null, classifyCtx, ''),
              retryable: false,
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
            release = await ctx.global.acquire();
            queueMs += performance.now() - waitStart;
            if (ctx.stop?.aborted && !sent) throw new NotStarted();
            if (!sent) startedAt = new Date();
            sent = true;
            requestsSent++;
            const c = await ctx.client.complete(model.model, {messages: testCase.messages, params, stream: model.stream, signal: ctx.signal, timeoutMs, stallTimeoutMs});
            if (c.inputTokens !== null && c.outputTokens !== null) for (const r of reservations) r.reconcile(c.inputTokens + c.outputTokens);
            return c;
          } catch (error) {
            if (error instanceof NotStarted) throw error;
            failure = classify(error);
            if (failure.errorClass === 'rate-limit') for (const limiter of ctx.traffic.limiters) limiter.penalize(failure.retryAfterMs);
            throw failure;
          } finally {
            if (sent) answeredAt = new Date();
            release?.();
            breaker?.record(failure !== null && countsAsFailure(failure.errorClass));
          }
        },
        {signal: ctx.signal, classify: (e) => (e instanceof NotStarted ? NOT_STARTED : classify(e)), onRetry: (error, _n, waitMs) => ctx.onRetry?.(task, `${error.errorClass}${error.status ? ` ${error.status}` : ''}`, waitMs, error.message)},
      );
    } finally {
      releaseProvider?.();
      releaseModel?.();
    }
    if (queueMs === 0) queueMs = performance.now() - queuedAt;
    // Stopped (first Ctrl+C) before anything was sent: not a result; --resume sends it.
    if (outcome.error === NOT_STARTED) return null;
  }
  if (key && outcome.value && !hit) ctx.cache!.set(key, outcome.value);

  return buildResult(task, {
    runId: ctx.runId,
    callModel: ctx.callModel,
    startedAt,
    endedAt: answeredAt ?? new Date(),
    queueMs,
    rateWaitMs,
    attempts: requestsSent,
    cached: hit !== null,
    completion: outcome.value ?? null,
    error: outcome.value ? null : outcome.error!,
  });
}
