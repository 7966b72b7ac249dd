import {setTimeout as sleep} from 'node:timers/promises';
import type {ModelParams} from '../core/types.ts';
import type {ProviderClient} from '../providers/provider-client.ts';
import {ProviderError} from '../providers/provider-error.ts';
import {withRetry, type RetryPolicy} from '../runner/retry-policy.ts';
import {seededRandom, seedFrom} from '../core/seeded-random.ts';
import type {RateLimiter, Reservation} from '../traffic/rate-limiter.ts';
import {arrivalTimesMs} from './arrivals.ts';
import type {RequestRecord, StepBounds, StepPlan} from './load-types.ts';
import {buildRequest, type WorkloadSpec} from './workload.ts';

/** One model as the generator drives it: its client and the limits that hold requests back. */
export interface LoadTarget {
  label: string;
  model: string;
  client: ProviderClient;
  stream: boolean;
  params: ModelParams;
  timeoutMs: number;
  stallTimeoutMs: number;
  /** Concurrency slots a request must hold while in flight (the config's, and the generator's own cap). */
  slots: Array<{acquire(): Promise<() => void>}>;
  /** The config's rpm/tpm pacing; empty with --ignore-limits. */
  limiters: RateLimiter[];
  /** Retry failed requests inside the step (opt-in: retries hide saturation); null sends each once. */
  retry: RetryPolicy | null;
}

export interface StepContext {
  seed: number;
  /** Distinguishes this run's prompts from every other run's (the unique prefix). */
  runTag: string;
  stepIndex: number;
  workload: WorkloadSpec;
  signal?: AbortSignal;
  /** Told of each request as it ends (telemetry counts it while the step still runs). */
  onRecord?: (record: RequestRecord, stepStartedAtEpochMs: number) => void;
}

/**
 * Runs one step and returns every request's timeline, warm-up included (flagged). A closed loop keeps
 * `concurrency` requests in flight; an open loop sends on its schedule whatever happens to earlier
 * requests, so a slow server cannot slow the arrivals down (no coordinated omission).
 */
export async function runStep(target: LoadTarget, plan: StepPlan, bounds: StepBounds, ctx: StepContext): Promise<{startedAtEpochMs: number; records: RequestRecord[]}> {
  const t0 = performance.now();
  const startedAtEpochMs = performance.timeOrigin + t0;
  const rel = () => performance.now() - t0;
  const workloadRandom = seededRandom(seedFrom(ctx.seed, target.label, ctx.stepIndex, 'workload'));
  const total = bounds.requests !== undefined ? bounds.warmupRequests + bounds.requests : Number.POSITIVE_INFINITY;
  const records: RequestRecord[] = [];
  // The measured window opens with the first request after warm-up; the duration bound counts from there.
  let windowStart: number | null = null;
  const mayStart = (i: number, atMs: number) => {
    if (i >= total || ctx.signal?.aborted) return false;
    if (bounds.durationMs !== undefined && windowStart !== null && atMs >= windowStart + bounds.durationMs) return false;
    return true;
  };
  const send = (i: number, scheduledMs: number) => {
    if (i === bounds.warmupRequests) windowStart = scheduledMs;
    const dispatchedMs = rel();
    const request = buildRequest(ctx.workload, `${ctx.runTag}-${ctx.stepIndex}-${i}`, i, workloadRandom);
    return sendOne(target, request, {model: target.label, step: ctx.stepIndex, index: i, warmup: i < bounds.warmupRequests, scheduledMs, dispatchedMs}, rel, ctx.signal);
  };

  if (plan.kind === 'concurrency') {
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next;
        const now = rel();
        if (!mayStart(i, now)) return;
        next++;
        const record = await send(i, now);
        records.push(record);
        ctx.onRecord?.(record, startedAtEpochMs);
      }
    };
    await Promise.all(Array.from({length: plan.concurrency}, worker));
    return {startedAtEpochMs, records: records.sort((a, b) => a.index - b.index)};
  }

  const arrivals = arrivalTimesMs({rateRps: plan.rateRps, process: plan.arrivals, burstiness: plan.burstiness, random: seededRandom(seedFrom(ctx.seed, target.label, ctx.stepIndex, 'arrivals'))});
  const inFlight = new Set<Promise<void>>();
  let i = 0;
  for (const offsetMs of arrivals) {
    if (!mayStart(i, offsetMs)) break;
    const waitMs = offsetMs - rel();
    // Timers fire no sooner than 1 ms; anything due within that goes now, late ones too (their lag is recorded).
    if (waitMs >= 1) await sleep(waitMs, undefined, {signal: ctx.signal}).catch(() => undefined);
    if (ctx.signal?.aborted) break;
    const p: Promise<void> = send(i, offsetMs).then((r) => {
      records.push(r);
      ctx.onRecord?.(r, startedAtEpochMs);
      inFlight.delete(p);
    });
    inFlight.add(p);
    i++;
  }
  await Promise.all(inFlight);
  return {startedAtEpochMs, records: records.sort((a, b) => a.index - b.index)};
}

async function sendOne(
  target: LoadTarget,
  request: ReturnType<typeof buildRequest>,
  at: Pick<RequestRecord, 'model' | 'step' | 'index' | 'warmup' | 'scheduledMs' | 'dispatchedMs'>,
  rel: () => number,
  signal: AbortSignal | undefined,
): Promise<RequestRecord> {
  const releases: Array<() => void> = [];
  const reservations: Reservation[] = [];
  const chunks: number[] = [];
  let sentMs = at.dispatchedMs;
  let attempts = 1;
  try {
    for (const slot of target.slots) releases.push(await slot.acquire());
    for (const limiter of target.limiters) reservations.push(await limiter.acquire(request.inputTokensEstimate + request.maxTokens, signal));
    const attempt = () => {
      chunks.length = 0;
      sentMs = rel();
      return target.client.complete(target.model, {
        messages: request.messages,
        params: {...target.params, maxTokens: request.maxTokens},
        stream: target.stream,
        signal,
        timeoutMs: target.timeoutMs,
        stallTimeoutMs: target.stallTimeoutMs,
        onChunk: () => chunks.push(rel()),
      });
    };
    const outcome = target.retry
      ? await withRetry(target.retry, attempt, {
          signal,
          classify: (e) => (e instanceof ProviderError ? e : new ProviderError('network', e instanceof Error ? e.message : String(e))),
          onRetry: (e) => {
            if (e.errorClass === 'rate-limit') for (const l of target.limiters) l.penalize(e.retryAfterMs);
          },
        })
      : {value: await attempt(), attempts: 1};
    attempts = outcome.attempts;
    if (outcome.error) throw outcome.error;
    const c = outcome.value!;
    const endMs = rel();
    // A send may go out a fraction of a millisecond before its time (timers are coarser): latency
    // then counts from the send, so "from the schedule" is never the shorter of the two.
    const origin = Math.min(at.scheduledMs, sentMs);
    for (const r of reservations) r.reconcile(c.inputTokens !== null && c.outputTokens !== null ? c.inputTokens + c.outputTokens : null);
    const outputTokens = c.outputTokens ?? (target.stream ? chunks.length : null);
    const first = chunks[0];
    const last = chunks.at(-1);
    const ttftMs = first === undefined ? null : first - sentMs;
    const gaps: number[] = [];
    for (let k = 1; k < chunks.length; k++) gaps.push(chunks[k]! - chunks[k - 1]!);
    return {
      ...at,
      sentMs,
      endMs,
      attempts,
      status: 'ok',
      errorClass: null,
      httpStatus: 200,
      ttftMs,
      e2eMs: endMs - sentMs,
      ttftFromScheduledMs: first === undefined ? null : first - origin,
      e2eFromScheduledMs: endMs - origin,
      tpotMs: first !== undefined && last !== undefined && outputTokens !== null && outputTokens >= 2 && chunks.length >= 2 ? (last - first) / (outputTokens - 1) : null,
      itlGapsMs: gaps,
      chunks: chunks.length,
      inputTokens: c.inputTokens,
      outputTokens,
      tokensEstimated: c.outputTokens === null && outputTokens !== null,
      maxTokens: request.maxTokens,
    };
  } catch (error) {
    const endMs = rel();
    const classified = error instanceof ProviderError ? error : null;
    // A 429 is counted and, unless retries were asked for, not retried inside a step (a retry would
    // hide the saturation); the config's pacing still slows down as it would in production.
    if (classified?.errorClass === 'rate-limit' && !target.retry) for (const l of target.limiters) l.penalize(classified.retryAfterMs);
    return {
      ...at,
      sentMs,
      endMs,
      attempts,
      status: 'error',
      errorClass: classified?.errorClass ?? 'network',
      httpStatus: classified?.status ?? null,
      ttftMs: null,
      e2eMs: endMs - sentMs,
      ttftFromScheduledMs: null,
      e2eFromScheduledMs: endMs - Math.min(at.scheduledMs, sentMs),
      tpotMs: null,
      itlGapsMs: [],
      chunks: chunks.length,
      inputTokens: null,
      outputTokens: null,
      tokensEstimated: false,
      maxTokens: request.maxTokens,
    };
  } finally {
    for (const release of releases.reverse()) release();
  }
}
