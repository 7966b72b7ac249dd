import type {Result} from '../src/core/types.ts';

/**
 * Simulated evals for the statistics tests: each case has a latent difficulty u ~ U(0, 1); a model
 * with exponent g answers it right with probability u^g (mean 1/(g + 1) over cases), or, for graded
 * scores, scores uniformly around u^g inside [0, 1]. Repeats draw again from the case's own rate.
 */
export type OutcomeKind = 'binary' | 'score';

export function caseValue(random: () => number, x: number, kind: OutcomeKind, repeats: number): number {
  let sum = 0;
  for (let k = 0; k < repeats; k++) sum += draw(random, x, kind);
  return sum / repeats;
}

export function draw(random: () => number, x: number, kind: OutcomeKind): number {
  if (kind === 'binary') return random() < x ? 1 : 0;
  // Uniform on [0, 2x] or [2x − 1, 1]: mean x, always inside [0, 1].
  return x < 0.5 ? 2 * x * random() : 2 * x - 1 + (2 - 2 * x) * random();
}

export const trueMean = (g: number) => 1 / (g + 1);

export function simResult(model: string, caseId: string, score: number, repeat = 0, extra: Partial<Result> = {}): Result {
  return {
    runId: 'sim', suiteId: 's', caseId, model, provider: 'p', repeat, status: 'ok', output: '', error: null, latencyMs: 1, ttftMs: null, inputTokens: 1, outputTokens: 1,
    tokensEstimated: false, costUsd: 0, grades: [{grader: 'g', score, pass: score === 1, reason: ''}], score, pass: score === 1, tags: [], attempts: 1, startedAt: '', endedAt: '',
    finishReason: 'stop', finishReasonRaw: 'stop', queueMs: 0, rateWaitMs: 0, cached: false, stream: false, simulated: true, input: '', expected: null, ...extra,
  };
}
