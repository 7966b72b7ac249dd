import {setTimeout as sleep} from 'node:timers/promises';
import {ProviderError} from '../providers/provider-error.ts';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Waits the provider asks for beyond this are not sat out: the request ends and --resume picks it up. */
  maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = {maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000};

/**
 * Full-jitter exponential backoff; a provider's own wait hint (Retry-After) is a floor, so a retry
 * never starts before the provider said it may.
 */
export function backoffMs(policy: RetryPolicy, attempt: number, hintMs: number | null, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = random() * ceiling;
  return hintMs === null ? jittered : Math.max(hintMs, jittered);
}

export interface AttemptOutcome<T> {
  value?: T;
  error?: ProviderError;
  attempts: number;
}

export async function withRetry<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  opts: {signal?: AbortSignal; onRetry?: (error: ProviderError, attempt: number, waitMs: number) => void; classify: (e: unknown) => ProviderError},
): Promise<AttemptOutcome<T>> {
  for (let n = 1; ; n++) {
    try {
      return {value: await attempt(n), attempts: n};
    } catch (raw) {
      const error = opts.classify(raw);
      if (!error.retryable || n >= policy.maxAttempts || opts.signal?.aborted) return {error, attempts: n};
      if (error.retryAfterMs !== null && error.retryAfterMs > (policy.maxRetryAfterMs ?? Number.POSITIVE_INFINITY)) return {error, attempts: n};
      const waitMs = backoffMs(policy, n, error.retryAfterMs);
      opts.onRetry?.(error, n, waitMs);
      try {
        await sleep(waitMs, undefined, {signal: opts.signal});
      } catch {
        return {error, attempts: n};
      }
    }
  }
}
