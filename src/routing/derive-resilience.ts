import type {ErrorClass} from '../core/types.ts';
import type {ModelErrorStats, Resilience} from './policy-types.ts';

/** Worth another attempt: the same request can succeed a moment later. */
const TRANSIENT: readonly ErrorClass[] = ['rate-limit', 'server', 'timeout', 'network', 'bad-response'];
/** Never retried: the request or the setup is wrong, and asking again fails the same way. */
const PERMANENT: readonly ErrorClass[] = ['auth', 'not-found', 'bad-request'];
/** What counts toward opening a breaker (as in assay's runner): rate limits mean the endpoint is alive. */
const BREAKER_CLASSES: ErrorClass[] = ['server', 'timeout', 'network', 'bad-response'];
const STATUS_OF: Partial<Record<ErrorClass, number[]>> = {'rate-limit': [429], server: [500, 502, 503, 504], timeout: [408]};

/** Residual chance that every attempt of a request fails, which the retry count is sized for. */
const TARGET_GIVE_UP = 1e-3;
/** Chance a healthy model trips its breaker by bad luck within one window, which minRequests is sized for. */
const FALSE_TRIP = 0.01;

/**
 * Retry and circuit-breaker settings from what the measurements saw: which error classes occurred,
 * how often an attempt failed on the flakiest model, and how many attempts requests needed.
 */
export function deriveResilience(errorStats: Readonly<Record<string, ModelErrorStats>>): Resilience {
  const basis: string[] = [];
  const seen = new Map<ErrorClass, number>();
  let worstRate = 0;
  let worstModel: string | undefined;
  for (const [model, s] of Object.entries(errorStats)) {
    for (const [cls, count] of Object.entries(s.errorsByClass) as [ErrorClass, number][]) seen.set(cls, (seen.get(cls) ?? 0) + count);
    if (s.attempts <= 0) continue;
    const permanent = PERMANENT.reduce((sum, c) => sum + (s.errorsByClass[c] ?? 0), 0);
    // Every attempt but a request's last successful one failed; permanent errors are never retried.
    const failedTransient = Math.max(0, s.attempts - (s.requests - s.errors) - permanent);
    const rate = failedTransient / s.attempts;
    if (rate > worstRate) {
      worstRate = rate;
      worstModel = model;
    }
  }
  const observedAttempts = Object.values(errorStats).some((s) => s.attempts > 0);

  const transientSeen = TRANSIENT.filter((c) => seen.has(c));
  const retryOn: ErrorClass[] = transientSeen.length > 0 ? [...new Set<ErrorClass>([...transientSeen, 'rate-limit', 'server', 'timeout'])] : ['rate-limit', 'server', 'timeout', 'network'];
  let maxAttempts = 2;
  if (worstRate > 0) maxAttempts = Math.min(6, Math.max(2, Math.ceil(Math.log(TARGET_GIVE_UP) / Math.log(worstRate))));
  if (!observedAttempts) basis.push('no attempt counts in the sources: one retry on transient errors as insurance');
  else if (worstRate === 0) basis.push('no failed attempts observed: one retry on transient errors as insurance');
  else basis.push(`worst per-attempt failure rate ${(worstRate * 100).toFixed(1)}% (${worstModel}): ${maxAttempts} attempts leave < ${TARGET_GIVE_UP * 100}% of requests failing`);
  if (transientSeen.length > 0) basis.push(`transient errors seen: ${transientSeen.map((c) => `${c} ×${seen.get(c)}`).join(', ')}`);
  const permanentSeen = PERMANENT.filter((c) => seen.has(c));
  if (permanentSeen.length > 0) basis.push(`not retried, fix the setup instead: ${permanentSeen.map((c) => `${c} ×${seen.get(c)}`).join(', ')}`);

  const errorRate = round2(Math.min(0.75, Math.max(0.25, 3 * worstRate)));
  const minRequests = worstRate > 0 ? minRequestsFor(worstRate, errorRate) : 20;
  basis.push(
    worstRate > 0
      ? `breaker opens at ${errorRate * 100}% failures (3× the worst observed rate, at least 25%) over ≥ ${minRequests} requests: a healthy model trips it by chance < ${FALSE_TRIP * 100}% of windows`
      : 'breaker at the usual 50% over ≥ 20 requests: no failures observed to calibrate it',
  );

  return {
    retry: {
      maxAttempts,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      retryOn,
      retryOnStatus: [...new Set(retryOn.flatMap((c) => STATUS_OF[c] ?? []))].sort((a, b) => a - b),
      respectRetryAfter: true,
    },
    circuitBreaker: {errorRate: worstRate > 0 ? errorRate : 0.5, minRequests, cooldownMs: 30_000, windowMs: 60_000, countClasses: BREAKER_CLASSES},
    basis,
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Smallest window (10..200 requests) in which a model failing at `baseline` reaches `threshold` with chance ≤ FALSE_TRIP. */
function minRequestsFor(baseline: number, threshold: number): number {
  for (let n = 10; n <= 200; n++) {
    if (binomialTail(n, Math.ceil(threshold * n), baseline) <= FALSE_TRIP) return n;
  }
  return 200;
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed in log space to stay finite at n = 200. */
function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let logC = 0;
  let total = 0;
  for (let i = 0; i <= n; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    if (i >= k) total += Math.exp(logC + i * Math.log(p) + (n - i) * Math.log1p(-p));
  }
  return Math.min(1, total);
}
