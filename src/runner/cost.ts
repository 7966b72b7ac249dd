import type {CostBreakdown, Pricing, PricingTier} from '../core/types.ts';

/** Token counts of one request by kind; the kinds are disjoint (cache reads are not in inputTokens, reasoning not in outputTokens). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number | null;
  /** Every cache write; cacheWrite1hTokens is the 1-hour part of it. */
  cacheWriteTokens?: number | null;
  cacheWrite1hTokens?: number | null;
  reasoningTokens?: number | null;
}

/** A provider's documented cache prices as multiples of its input price, for when the config names none. */
export interface CacheRatios {
  /** Who documents the ratios (shown in the warning). */
  source: string;
  read: number;
  write: number;
  write1h: number;
}

/** Anthropic: cache reads 0.1×, 5-minute writes 1.25×, 1-hour writes 2× the input price (docs.anthropic.com, prompt caching pricing). */
export const ANTHROPIC_CACHE_RATIOS: CacheRatios = {source: "Anthropic's documented", read: 0.1, write: 1.25, write1h: 2};

export interface PricedRequest {
  costUsd: number;
  breakdown: CostBreakdown;
  /** A price was missing and taken from a documented ratio or the input price. */
  estimated: boolean;
  /** The prices that were missing for token kinds this request had (e.g. "cacheReadPerMTok"), with what was used instead. */
  assumptions: string[];
  /** The long-context tier that applied (its aboveInputTokens), or null. */
  tier: number | null;
}

/** The input side that decides a long-context tier: the whole prompt, cached parts included (as Anthropic and Google count it). */
export function promptTokens(u: TokenUsage): number {
  return u.inputTokens + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0);
}

/** The highest tier whose boundary the prompt exceeds, or null. */
export function tierFor(pricing: Pricing, prompt: number): PricingTier | null {
  let best: PricingTier | null = null;
  for (const t of pricing.tiers ?? []) if (prompt > t.aboveInputTokens && (!best || t.aboveInputTokens > best.aboveInputTokens)) best = t;
  return best;
}

/**
 * USD for one request, by token kind. Each kind has its own price; a missing cache price comes from the
 * provider's documented ratio when it has one (`ratios`), else the input price, and marks the cost
 * estimated. Reasoning is billed at the output price unless `reasoningPerMTok` says otherwise.
 */
export function priceRequest(pricing: Pricing | null, usage: TokenUsage, ratios: CacheRatios | null = null): PricedRequest | null {
  if (!pricing) return null;
  const tier = tierFor(pricing, promptTokens(usage));
  const p: Omit<PricingTier, 'aboveInputTokens'> = tier ?? pricing;
  const assumptions: string[] = [];
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const cacheWrite1h = Math.min(usage.cacheWrite1hTokens ?? 0, cacheWrite);
  const cacheWrite5m = cacheWrite - cacheWrite1h;
  const reasoning = usage.reasoningTokens ?? 0;

  const cachePrice = (given: number | undefined, field: string, ratio: number | undefined, tokens: number): number => {
    if (given !== undefined) return given;
    if (tokens > 0) {
      assumptions.push(
        ratio !== undefined
          ? `no ${field}: used ${ratios!.source} ${ratio}× the input price`
          : `no ${field}: used the input price (no documented ratio for this provider type)`,
      );
    }
    return ratio !== undefined ? p.inputPerMTok * ratio : p.inputPerMTok;
  };
  const readPrice = cachePrice(p.cacheReadPerMTok, 'cacheReadPerMTok', ratios?.read, cacheRead);
  const writePrice = cachePrice(p.cacheWritePerMTok, 'cacheWritePerMTok', ratios?.write, cacheWrite5m);
  // A 1-hour price falls back to the documented 1-hour ratio, not to the 5-minute price.
  const write1hPrice = cachePrice(p.cacheWrite1hPerMTok, 'cacheWrite1hPerMTok', ratios?.write1h, cacheWrite1h);
  const reasoningPrice = p.reasoningPerMTok ?? p.outputPerMTok;

  const breakdown: CostBreakdown = {
    inputUsd: (usage.inputTokens * p.inputPerMTok) / 1e6,
    cacheReadUsd: (cacheRead * readPrice) / 1e6,
    cacheWriteUsd: (cacheWrite5m * writePrice + cacheWrite1h * write1hPrice) / 1e6,
    outputUsd: (usage.outputTokens * p.outputPerMTok) / 1e6,
    reasoningUsd: (reasoning * reasoningPrice) / 1e6,
  };
  const costUsd = breakdown.inputUsd + breakdown.cacheReadUsd + breakdown.cacheWriteUsd + breakdown.outputUsd + breakdown.reasoningUsd;
  return {costUsd, breakdown, estimated: assumptions.length > 0, assumptions, tier: tier ? tier.aboveInputTokens : null};
}

/** USD for one request from input and output alone; null when the price or the token counts are unknown (never a silent 0). */
export function costUsd(pricing: Pricing | null, inputTokens: number | null, outputTokens: number | null): number | null {
  if (!pricing || inputTokens === null || outputTokens === null) return null;
  return priceRequest(pricing, {inputTokens, outputTokens})!.costUsd;
}

/** Batch APIs bill half the standard price (OpenAI, Anthropic, Gemini) unless a model's pricing says otherwise. */
export const DEFAULT_BATCH_DISCOUNT = 0.5;

/**
 * Prices through a provider's batch API: the input-side discount (batchInputPerMTok / inputPerMTok, default
 * half) applies to input and cache prices, the output-side one to output and reasoning, tiers included.
 */
export function batchPricing(p: Pricing | null): Pricing | null {
  if (!p) return null;
  const inFactor = p.batchInputPerMTok !== undefined ? (p.inputPerMTok > 0 ? p.batchInputPerMTok / p.inputPerMTok : 0) : DEFAULT_BATCH_DISCOUNT;
  const outFactor = p.batchOutputPerMTok !== undefined ? (p.outputPerMTok > 0 ? p.batchOutputPerMTok / p.outputPerMTok : 0) : DEFAULT_BATCH_DISCOUNT;
  const scale = <T extends Omit<PricingTier, 'aboveInputTokens'>>(t: T): T => ({
    ...t,
    inputPerMTok: t.inputPerMTok * inFactor,
    outputPerMTok: t.outputPerMTok * outFactor,
    ...(t.cacheReadPerMTok !== undefined && {cacheReadPerMTok: t.cacheReadPerMTok * inFactor}),
    ...(t.cacheWritePerMTok !== undefined && {cacheWritePerMTok: t.cacheWritePerMTok * inFactor}),
    ...(t.cacheWrite1hPerMTok !== undefined && {cacheWrite1hPerMTok: t.cacheWrite1hPerMTok * inFactor}),
    ...(t.reasoningPerMTok !== undefined && {reasoningPerMTok: t.reasoningPerMTok * outFactor}),
  });
  const {batchInputPerMTok: _bi, batchOutputPerMTok: _bo, tiers, ...base} = p;
  // A zero standard price with a batch price set: use the batch price as given.
  const scaled = scale(base);
  if (p.batchInputPerMTok !== undefined && p.inputPerMTok === 0) scaled.inputPerMTok = p.batchInputPerMTok;
  if (p.batchOutputPerMTok !== undefined && p.outputPerMTok === 0) scaled.outputPerMTok = p.batchOutputPerMTok;
  return {...scaled, ...(tiers && {tiers: tiers.map(scale)})};
}

/** Computed and reported costs further apart than this (relative) point at a wrong price in the config. */
export const COST_MISMATCH_TOLERANCE = 0.03;

/** True when a reported and a computed cost disagree by more than COST_MISMATCH_TOLERANCE. */
export function costsDisagree(computedUsd: number, reportedUsd: number): boolean {
  const scale = Math.max(Math.abs(computedUsd), Math.abs(reportedUsd));
  if (scale === 0) return false;
  return Math.abs(computedUsd - reportedUsd) / scale > COST_MISMATCH_TOLERANCE;
}

/** The documented cache ratios of a provider type (the Anthropic API, or the sandbox speaking its wire), else null. */
export function cacheRatiosFor(provider: {type: string; wire?: string}): CacheRatios | null {
  if (provider.type === 'anthropic' || (provider.type === 'sandbox' && provider.wire === 'anthropic')) return ANTHROPIC_CACHE_RATIOS;
  return null;
}
