import type {ErrorClass} from '../core/types.ts';
import {percentileOfSorted} from '../stats/percentile.ts';
import type {Percentiles, RequestRecord, Slo, StepPlan, StepResult} from './load-types.ts';

/** A generator that dispatches under this share of the offered rate did not offer the load it claims. */
export const MIN_DISPATCH_SHARE = 0.9;
/** Nor did one whose p95 lag behind the schedule exceeds this (the offered load came in lumps). */
export const MAX_GENERATOR_LAG_P95_MS = 100;
/** A step's goodput "tracks" its offered rate while at least this share of it. */
export const TRACKING_SHARE = 0.9;

function round(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const at = (p: number) => percentileOfSorted(sorted, p);
  return {
    n,
    mean: n === 0 ? null : sorted.reduce((s, v) => s + v, 0) / n,
    p50: at(50),
    p90: at(90),
    // Methodology §6: a p95 from under 20 values, or a p99 from under 100, is the maximum in disguise.
    p95: n >= 20 ? at(95) : null,
    p99: n >= 100 ? at(99) : null,
    max: n === 0 ? null : sorted[n - 1]!,
  };
}

/** Whether a successful request met every SLO that was set. TTFT and E2E count from the scheduled send. */
export function meetsSlo(r: RequestRecord, slo: Slo): boolean {
  if (r.status !== 'ok') return false;
  if (slo.ttftMs !== undefined && (r.ttftFromScheduledMs ?? r.e2eFromScheduledMs) > slo.ttftMs) return false;
  if (slo.itlMs !== undefined && r.tpotMs !== null && r.tpotMs > slo.itlMs) return false;
  if (slo.e2eMs !== undefined && r.e2eFromScheduledMs > slo.e2eMs) return false;
  return true;
}

export function stepStats(index: number, role: StepResult['role'], plan: StepPlan, records: readonly RequestRecord[], slo: Slo, startedAtEpochMs = 0): StepResult {
  const measured = records.filter((r) => !r.warmup);
  const ok = measured.filter((r) => r.status === 'ok');
  const start = measured.length > 0 ? Math.min(...measured.map((r) => r.scheduledMs)) : 0;
  const end = measured.length > 0 ? Math.max(...measured.map((r) => r.endMs)) : 0;
  const durationS = Math.max(end - start, 0) / 1000;
  // Rates are completions over the span between the first and the last successful completion: in a
  // steady state that is the arrival rate when the server keeps up and its service rate when it does
  // not, and a short step's ramp-up and tail (first send to first answer) do not dilute it.
  const ends = ok.map((r) => r.endMs).sort((a, b) => a - b);
  const completionSpanS = ends.length >= 2 ? (ends.at(-1)! - ends[0]!) / 1000 : durationS;
  const perCompletion = ends.length >= 2 && completionSpanS > 0 ? (ends.length - 1) / ends.length / completionSpanS : completionSpanS > 0 ? 1 / completionSpanS : 0;
  const perS = (n: number) => n * perCompletion;
  const errors: Partial<Record<ErrorClass, number>> = {};
  for (const r of measured) if (r.errorClass) errors[r.errorClass] = (errors[r.errorClass] ?? 0) + 1;
  const good = ok.filter((r) => meetsSlo(r, slo)).length;
  const outputTokens = ok.reduce((n, r) => n + (r.outputTokens ?? 0), 0);
  const generatorLagMs = percentiles(measured.map((r) => r.dispatchedMs - r.scheduledMs));

  let dispatchedRps: number | null = null;
  let invalidReason: string | null = null;
  if (measured.length === 0) invalidReason = 'no measured requests';
  else if (ok.length === 0) invalidReason = 'every measured request failed';
  let scheduledRps: number | null = null;
  if (plan.kind === 'rate' && measured.length >= 2) {
    // Compared with the schedule as drawn (a short Poisson schedule runs faster or slower than its
    // nominal rate by chance): how fast requests went out against how fast they were due.
    const lastScheduled = Math.max(...measured.map((r) => r.scheduledMs));
    const lastDispatched = Math.max(...measured.map((r) => r.dispatchedMs));
    scheduledRps = ((measured.length - 1) / Math.max(lastScheduled - start, 1e-3)) * 1000;
    dispatchedRps = ((measured.length - 1) / Math.max(lastDispatched - start, 1e-3)) * 1000;
    if (dispatchedRps < MIN_DISPATCH_SHARE * scheduledRps) {
      invalidReason ??= `the generator dispatched ${round(dispatchedRps)} requests/s where the schedule asked for ${round(scheduledRps)}: it could not keep up`;
    } else if ((generatorLagMs.p95 ?? generatorLagMs.max ?? 0) > MAX_GENERATOR_LAG_P95_MS) {
      invalidReason ??= `the generator sent requests up to ${Math.round(generatorLagMs.p95 ?? generatorLagMs.max ?? 0)} ms late (p95): the offered load came in lumps`;
    }
  }

  return {
    index,
    role,
    plan,
    startedAtEpochMs,
    offeredRps: plan.kind === 'rate' ? plan.rateRps : null,
    concurrency: plan.kind === 'concurrency' ? plan.concurrency : null,
    durationS,
    completionSpanS,
    requests: {measured: measured.length, ok: ok.length, errors: measured.length - ok.length, warmup: records.length - measured.length},
    achievedRps: perS(ok.length),
    outputTokensPerS: perS(outputTokens),
    goodputRps: perS(good),
    sloAttainment: measured.length > 0 ? good / measured.length : null,
    ttftMs: percentiles(ok.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]))),
    itlMs: percentiles(ok.flatMap((r) => r.itlGapsMs)),
    tpotMs: percentiles(ok.flatMap((r) => (r.tpotMs === null ? [] : [r.tpotMs]))),
    e2eMs: percentiles(ok.map((r) => r.e2eMs)),
    ttftFromScheduledMs: percentiles(ok.flatMap((r) => (r.ttftFromScheduledMs === null ? [] : [r.ttftFromScheduledMs]))),
    e2eFromScheduledMs: percentiles(ok.map((r) => r.e2eFromScheduledMs)),
    limitWaitMs: percentiles(measured.map((r) => r.sentMs - r.dispatchedMs)),
    generatorLagMs,
    scheduledRps,
    dispatchedRps,
    errors,
    rateLimitedShare: measured.length > 0 ? (errors['rate-limit'] ?? 0) / measured.length : 0,
    tokensEstimated: ok.some((r) => r.tokensEstimated),
    valid: invalidReason === null,
    invalidReason,
  };
}

/**
 * The saturation point: walking the valid open-loop steps from the lowest offered rate up, the last
 * one whose goodput still reached 90% of what it offered (its schedule's realized rate). Null when
 * there is no such step.
 */
export function saturationRps(steps: readonly StepResult[]): number | null {
  const open = steps.filter((s) => s.valid && s.offeredRps !== null).sort((a, b) => a.offeredRps! - b.offeredRps!);
  let found: number | null = null;
  for (const s of open) {
    // Against the schedule as drawn where known: a short Poisson step offers its nominal rate only on average.
    if (s.goodputRps < TRACKING_SHARE * (s.scheduledRps ?? s.offeredRps!)) break;
    found = s.offeredRps;
  }
  return found;
}
