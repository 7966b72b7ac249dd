import type {Result} from '../src/core/types.ts';

/** A complete, passing, priced result; tests override only the fields they are about. */
export function fakeResult(over: Partial<Result> = {}): Result {
  return {
    runId: 'r', suiteId: 's', caseId: 'c', model: 'm', provider: 'p', repeat: 0, status: 'ok', output: 'x', error: null, latencyMs: 10, ttftMs: 5,
    inputTokens: 1, outputTokens: 1, tokensEstimated: false, costUsd: 0.001, grades: [], score: 1, pass: true, tags: ['t'], attempts: 1,
    startedAt: '', endedAt: '', finishReason: 'stop', finishReasonRaw: 'stop', queueMs: 0, rateWaitMs: 0, cached: false, stream: true, simulated: true,
    input: 'q', expected: 'x', ...over,
  };
}
