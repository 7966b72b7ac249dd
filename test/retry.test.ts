import {describe, expect, it} from 'vitest';
import {parseRetryAfterMs} from '../src/providers/classify-error.ts';
import {ProviderError} from '../src/providers/provider-error.ts';
import {backoffMs, withRetry} from '../src/runner/retry-policy.ts';

describe('Retry-After parsing', () => {
  it('reads retry-after-ms, seconds, HTTP dates and Gemini RetryInfo', () => {
    expect(parseRetryAfterMs(new Headers({'retry-after-ms': '250', 'retry-after': '9'}))).toBe(250);
    expect(parseRetryAfterMs(new Headers({'retry-after': '2'}))).toBe(2000);
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(parseRetryAfterMs(new Headers({'retry-after': 'Tue, 24 Nov 2026 12:00:05 GMT'}), undefined, now)).toBe(5000);
    expect(parseRetryAfterMs(undefined, '{"error":{"details":[{"retryDelay":"7s"}]}}')).toBe(7000);
    expect(parseRetryAfterMs(new Headers())).toBeNull();
  });
});

describe('backoff', () => {
  it('never waits less than the provider asked, and caps exponential growth', () => {
    const policy = {maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000};
    expect(backoffMs(policy, 1, 3000, () => 0.5)).toBe(3000);
    expect(backoffMs(policy, 10, null, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffMs(policy, 2, null, () => 0.5)).toBe(100);
  });

  it('retries retryable errors up to maxAttempts, and never retries auth', async () => {
    const classify = (e: unknown) => e as ProviderError;
    let calls = 0;
    const flaky = await withRetry({maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2}, async () => {
      calls++;
      if (calls < 3) throw new ProviderError('server', 'boom', {status: 500});
      return 'ok';
    }, {classify});
    expect(flaky).toEqual({value: 'ok', attempts: 3});

    calls = 0;
    const auth = await withRetry({maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2}, async () => {
      calls++;
      throw new ProviderError('auth', 'no', {status: 401});
    }, {classify});
    expect(calls).toBe(1);
    expect(auth.error?.errorClass).toBe('auth');
  });
});
