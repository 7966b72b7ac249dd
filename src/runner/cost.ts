import type {Pricing} from '../core/types.ts';

/** USD for one request; null when the price or the token counts are unknown (never a silent 0). */
export function costUsd(pricing: Pricing | null, inputTokens: number | null, outputTokens: number | null): number | null {
  if (!pricing || inputTokens === null || outputTokens === null) return null;
  return (inputTokens * pricing.inputPerMTok + outputTokens * pricing.outputPerMTok) / 1_000_000;
}
