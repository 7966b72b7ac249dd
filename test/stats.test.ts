import {describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {groupStats} from '../src/runner/summarize.ts';
import {percentile} from '../src/stats/percentile.ts';
import {wilsonInterval} from '../src/stats/wilson-interval.ts';

describe('wilsonInterval', () => {
  it('matches published values', () => {
    // 8 of 10: the textbook Wilson 95% interval is [0.4902, 0.9433].
    const [lo, hi] = wilsonInterval(8, 10)!;
    expect(lo).toBeCloseTo(0.4902, 4);
    expect(hi).toBeCloseTo(0.9433, 4);
  });

  it('stays inside [0, 1] at the edges and is null for n = 0', () => {
    expect(wilsonInterval(0, 20)![0]).toBe(0);
    expect(wilsonInterval(20, 20)![1]).toBe(1);
    expect(wilsonInterval(20, 20)![0]).toBeCloseTo(0.8389, 3);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('percentile', () => {
  it('interpolates linearly like numpy', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48);
    expect(percentile([], 50)).toBeNull();
  });
});

function result(partial: Partial<Result>): Result {
  return {
    runId: 'r', suiteId: 's', caseId: 'c', model: 'm', provider: 'p', repeat: 0, status: 'ok', output: 'x', error: null,
    latencyMs: 100, ttftMs: null, inputTokens: 10, outputTokens: 5, tokensEstimated: false, costUsd: 0.001, grades: [], score: 1, pass: true,
    tags: [], attempts: 1, startedAt: '', endedAt: '', finishReason: 'stop', finishReasonRaw: 'stop', queueMs: 0, stream: false, simulated: true, input: '', expected: null,
    ...partial,
  };
}

describe('groupStats', () => {
  it('keeps errors out of the pass rate, counts them by class, and never prices the unknown as 0', () => {
    const s = groupStats([
      result({pass: true, latencyMs: 100}),
      result({pass: false, score: 0, latencyMs: 300, costUsd: null}),
      result({status: 'error', pass: null, score: null, latencyMs: null, costUsd: null, error: {class: 'rate-limit', status: 429, message: '', hint: null}, attempts: 4}),
    ]);
    expect(s.n).toBe(3);
    expect(s.errors).toBe(1);
    expect(s.errorsByClass).toEqual({'rate-limit': 1});
    expect(s.graded).toBe(2);
    expect(s.passRate).toBe(0.5);
    expect(s.latencyMs.p50).toBe(200);
    expect(s.costUsd).toBeCloseTo(0.001);
    expect(s.costUnknown).toBe(1);
    expect(s.attempts).toBe(6);
  });

  it('reports cost as null when nothing had a price', () => {
    expect(groupStats([result({costUsd: null})]).costUsd).toBeNull();
  });
});
