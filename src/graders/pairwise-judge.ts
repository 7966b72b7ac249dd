import type {JudgeUsage} from '../core/types.ts';
import {pairwiseMessages, parsePairwise} from './judge-prompt.ts';
import type {ModelCaller} from './model-caller.ts';

export interface PairwiseOutcome {
  /** 'A' or 'B' only when both orders agree; otherwise a tie. null when a verdict could not be parsed. */
  winner: 'A' | 'B' | 'tie' | null;
  /** From A's side: win 1, tie 0.5, loss 0. */
  scoreA: number | null;
  orders: Array<'A' | 'B' | 'TIE' | null>;
  usage: JudgeUsage;
}

/**
 * Pairwise judging with position bias removed: the judge sees both orders (A first, then B first),
 * a win counts only when both orders agree, and anything else is a tie worth 0.5.
 */
export async function judgePairwise(
  callModel: ModelCaller,
  model: string,
  opts: {question: string; answerA: string; answerB: string; criteria: string; reference?: string | null},
): Promise<PairwiseOutcome> {
  const usage: JudgeUsage = {model, inputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 0, calls: 0};
  const ask = async (first: string, second: string) => {
    const call = await callModel(model, pairwiseMessages({question: opts.question, first, second, criteria: opts.criteria, reference: opts.reference ?? null}));
    usage.inputTokens += call.inputTokens;
    usage.outputTokens += call.outputTokens;
    usage.costUsd = usage.costUsd === null || call.costUsd === null ? null : usage.costUsd + call.costUsd;
    usage.latencyMs += call.latencyMs;
    usage.calls++;
    return parsePairwise(call.text);
  };
  const forward = await ask(opts.answerA, opts.answerB);
  const swapped = await ask(opts.answerB, opts.answerA);
  // Map the swapped verdict back to A/B.
  const back = swapped === 'A' ? 'B' : swapped === 'B' ? 'A' : swapped;
  if (forward === null || back === null) return {winner: null, scoreA: null, orders: [forward, swapped], usage};
  const winner = forward === back && forward !== 'TIE' ? forward : 'tie';
  return {winner, scoreA: winner === 'A' ? 1 : winner === 'B' ? 0 : 0.5, orders: [forward, swapped], usage};
}
