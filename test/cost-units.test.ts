import {describe, expect, it} from 'vitest';
import {ANTHROPIC_CACHE_RATIOS, batchPricing, costsDisagree, priceRequest} from '../src/runner/cost.ts';
import {tableKeysFor} from '../src/prices/price-table.ts';
import {anthropicUsage, bedrockUsage, geminiUsage, openaiChatUsage, openaiResponsesUsage} from '../src/providers/usage.ts';

describe('each wire’s usage fields, split into disjoint kinds', () => {
  it('OpenAI chat: cached inside prompt_tokens, reasoning inside completion_tokens, OpenRouter cost', () => {
    // The shape of OpenRouter's documented usage (cost, cached_tokens, cache_write_tokens, reasoning_tokens).
    const u = openaiChatUsage({
      prompt_tokens: 194,
      completion_tokens: 52,
      prompt_tokens_details: {cached_tokens: 60, cache_write_tokens: 100},
      completion_tokens_details: {reasoning_tokens: 50},
      cost: 0.00095,
    });
    expect(u).toEqual({inputTokens: 34, cacheReadTokens: 60, cacheWriteTokens: 100, cacheWrite1hTokens: null, outputTokens: 2, reasoningTokens: 50, reportedCostUsd: 0.00095});
    // DeepSeek's own cache field.
    expect(openaiChatUsage({prompt_tokens: 1000, completion_tokens: 10, prompt_cache_hit_tokens: 800, prompt_cache_miss_tokens: 200})).toMatchObject({inputTokens: 200, cacheReadTokens: 800});
    // A server that reports only the totals: nothing is invented.
    expect(openaiChatUsage({prompt_tokens: 10, completion_tokens: 3})).toMatchObject({inputTokens: 10, outputTokens: 3, cacheReadTokens: null, reasoningTokens: null, reportedCostUsd: null});
    // No usage at all: a fresh object each time, so a caller filling in a header's cost changes no other reply.
    const none = openaiChatUsage(undefined);
    none.reportedCostUsd = 1;
    expect(openaiChatUsage(null).reportedCostUsd).toBeNull();
  });

  it('OpenAI Responses: input_tokens_details.cached_tokens, output_tokens_details.reasoning_tokens', () => {
    const u = openaiResponsesUsage({input_tokens: 125, output_tokens: 48, input_tokens_details: {cached_tokens: 98}, output_tokens_details: {reasoning_tokens: 20}});
    expect(u).toMatchObject({inputTokens: 27, cacheReadTokens: 98, outputTokens: 28, reasoningTokens: 20});
  });

  it('Anthropic: cache reads and writes outside input_tokens, 1-hour writes apart', () => {
    const u = anthropicUsage({input_tokens: 50, output_tokens: 200, cache_read_input_tokens: 1000, cache_creation_input_tokens: 300, cache_creation: {ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200}});
    expect(u).toEqual({inputTokens: 50, outputTokens: 200, cacheReadTokens: 1000, cacheWriteTokens: 300, cacheWrite1hTokens: 200, reasoningTokens: null, reportedCostUsd: null});
  });

  it('Gemini: cachedContentTokenCount inside promptTokenCount, thoughtsTokenCount outside candidatesTokenCount', () => {
    const u = geminiUsage({promptTokenCount: 1000, cachedContentTokenCount: 300, candidatesTokenCount: 500, thoughtsTokenCount: 1200, totalTokenCount: 2700});
    expect(u).toMatchObject({inputTokens: 700, cacheReadTokens: 300, outputTokens: 500, reasoningTokens: 1200});
  });

  it('Bedrock Converse: cacheReadInputTokens and cacheWriteInputTokens outside inputTokens', () => {
    expect(bedrockUsage({inputTokens: 20, outputTokens: 9, cacheReadInputTokens: 400, cacheWriteInputTokens: 30})).toMatchObject({inputTokens: 20, cacheReadTokens: 400, cacheWriteTokens: 30, outputTokens: 9});
  });
});

describe('priceRequest', () => {
  // Claude Sonnet-like prices: $3 in, $15 out, $0.30 cache read, $3.75 5-minute write, $6 1-hour write.
  const sonnet = {inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75, cacheWrite1hPerMTok: 6};

  it('prices every kind at its own price', () => {
    // 2,000 input × 3 + 10,000 read × 0.30 + 1,000 written for 5 min × 3.75 + 500 for 1 h × 6 + 800 output × 15 + 1,200 reasoning × 15
    // = 6,000 + 3,000 + 3,750 + 3,000 + 12,000 + 18,000 = $45,750 per million = $0.04575
    const p = priceRequest(sonnet, {inputTokens: 2000, cacheReadTokens: 10_000, cacheWriteTokens: 1500, cacheWrite1hTokens: 500, outputTokens: 800, reasoningTokens: 1200})!;
    expect(p.costUsd).toBeCloseTo(0.04575, 12);
    expect(p.breakdown).toEqual({inputUsd: 0.006, cacheReadUsd: 0.003, cacheWriteUsd: 0.00675, outputUsd: 0.012, reasoningUsd: 0.018});
    expect(p.estimated).toBe(false);
  });

  it('a missing cache price: the documented ratio when the provider has one, else the input price; marked estimated', () => {
    const bare = {inputPerMTok: 3, outputPerMTok: 15};
    const usage = {inputTokens: 0, cacheReadTokens: 1_000_000, cacheWriteTokens: 1_000_000, cacheWrite1hTokens: 400_000, outputTokens: 0};
    const anthropic = priceRequest(bare, usage, ANTHROPIC_CACHE_RATIOS)!;
    // reads 0.1 × 3 = 0.30; 600k 5-minute writes at 1.25 × 3 = 3.75 → 2.25; 400k 1-hour writes at 2 × 3 = 6 → 2.40
    expect(anthropic.costUsd).toBeCloseTo(0.3 + 2.25 + 2.4, 12);
    expect(anthropic.estimated).toBe(true);
    expect(anthropic.assumptions.join('; ')).toMatch(/no cacheReadPerMTok: used Anthropic's documented 0.1× the input price/);
    const other = priceRequest(bare, usage, null)!;
    expect(other.costUsd).toBeCloseTo(3 + 3, 12);
    expect(other.assumptions.join('; ')).toMatch(/no cacheReadPerMTok: used the input price/);
    // Missing prices for kinds the request did not have are no assumption at all.
    expect(priceRequest(bare, {inputTokens: 10, outputTokens: 10}, null)!.estimated).toBe(false);
  });

  it('a prompt above a tier boundary is priced entirely at the tier, cached parts counting toward the boundary', () => {
    // Gemini 2.5 Pro-like: $1.25/$10 up to 200k prompt tokens, $2.50/$15 above.
    const pro = {inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.31, tiers: [{aboveInputTokens: 200_000, inputPerMTok: 2.5, outputPerMTok: 15, cacheReadPerMTok: 0.625}]};
    const below = priceRequest(pro, {inputTokens: 200_000, outputTokens: 1000})!;
    expect(below.tier).toBeNull();
    expect(below.costUsd).toBeCloseTo(0.25 + 0.01, 12);
    // 150,000 input + 60,000 cached = 210,000 prompt tokens > 200,000: 150k × 2.5 + 60k × 0.625 + 1k × 15 + 2k thinking × 15
    const above = priceRequest(pro, {inputTokens: 150_000, cacheReadTokens: 60_000, outputTokens: 1000, reasoningTokens: 2000})!;
    expect(above.tier).toBe(200_000);
    expect(above.costUsd).toBeCloseTo(0.375 + 0.0375 + 0.015 + 0.03, 12);
  });

  it('reasoningPerMTok, when set, prices reasoning apart from output', () => {
    expect(priceRequest({inputPerMTok: 0, outputPerMTok: 10, reasoningPerMTok: 4}, {inputTokens: 0, outputTokens: 1e6, reasoningTokens: 1e6})!.costUsd).toBeCloseTo(14, 12);
  });
});

describe('batchPricing', () => {
  it('halves every price by default, tiers included', () => {
    const b = batchPricing({inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, reasoningPerMTok: 12, tiers: [{aboveInputTokens: 200_000, inputPerMTok: 6, outputPerMTok: 22.5}]})!;
    expect(b).toEqual({inputPerMTok: 1.5, outputPerMTok: 7.5, cacheReadPerMTok: 0.15, reasoningPerMTok: 6, tiers: [{aboveInputTokens: 200_000, inputPerMTok: 3, outputPerMTok: 11.25}]});
  });

  it('uses the ratio of explicit batch prices for the cache and reasoning prices', () => {
    const b = batchPricing({inputPerMTok: 4, outputPerMTok: 10, batchInputPerMTok: 1, batchOutputPerMTok: 8, cacheWritePerMTok: 5})!;
    expect(b).toMatchObject({inputPerMTok: 1, outputPerMTok: 8, cacheWritePerMTok: 1.25});
  });
});

describe('costsDisagree', () => {
  it('flags computed and reported costs more than 3% apart', () => {
    expect(costsDisagree(1, 1.02)).toBe(false);
    expect(costsDisagree(1, 1.1)).toBe(true);
    expect(costsDisagree(0, 0)).toBe(false);
  });
});

describe('price table ids', () => {
  it('uses the prefixes LiteLLM keys each provider by', () => {
    const keys = (type: string, model: string, extra: Record<string, unknown> = {}) => tableKeysFor({model, provider: {type, ...extra}})[0];
    expect(keys('gemini', 'gemini-2.5-pro')).toBe('gemini/gemini-2.5-pro');
    expect(keys('gemini', 'gemini-2.5-pro', {vertex: {project: 'p', location: 'l'}})).toBe('gemini-2.5-pro');
    expect(keys('azure-openai', 'gpt-4o')).toBe('azure/gpt-4o');
    expect(keys('openai-compatible', 'anthropic/claude-sonnet-4', {baseURL: 'https://openrouter.ai/api/v1'})).toBe('openrouter/anthropic/claude-sonnet-4');
    expect(tableKeysFor({model: 'us.anthropic.claude-3-haiku', provider: {type: 'bedrock'}})).toContain('anthropic.claude-3-haiku');
  });
});
