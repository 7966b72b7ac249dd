/**
 * Each wire's usage fields, mapped to disjoint token kinds: uncached input, cache reads, cache writes
 * (with their 1-hour part), visible output and reasoning. The wires disagree on what contains what:
 * OpenAI and Gemini count cached input inside the prompt total, Anthropic and Bedrock outside it;
 * OpenAI counts reasoning inside completion_tokens, Gemini outside candidatesTokenCount. docs/costs.md
 * lists every field.
 */
export interface UsageParts {
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  cacheWrite1hTokens: number | null;
  reasoningTokens: number | null;
  reportedCostUsd: number | null;
}

export const NO_USAGE: Readonly<UsageParts> = Object.freeze({inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheWriteTokens: null, cacheWrite1hTokens: null, reasoningTokens: null, reportedCostUsd: null});

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function minus(total: number | null, ...parts: Array<number | null>): number | null {
  if (total === null) return null;
  return Math.max(0, parts.reduce<number>((t, p) => t - (p ?? 0), total));
}

/** A cost a gateway put in the body (OpenRouter `usage.cost`, in USD credits) or a header (LiteLLM `x-litellm-response-cost`). */
export function reportedCost(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
}

/**
 * OpenAI chat completions: prompt_tokens includes prompt_tokens_details.cached_tokens (and, from
 * OpenRouter, cache_write_tokens); completion_tokens includes completion_tokens_details.reasoning_tokens.
 * DeepSeek reports its cache hits as prompt_cache_hit_tokens instead (also inside prompt_tokens).
 */
export function openaiChatUsage(usage: unknown): UsageParts {
  if (!usage || typeof usage !== 'object') return {...NO_USAGE};
  const u = usage as {
    prompt_tokens?: unknown;
    completion_tokens?: unknown;
    prompt_tokens_details?: {cached_tokens?: unknown; cache_write_tokens?: unknown} | null;
    completion_tokens_details?: {reasoning_tokens?: unknown} | null;
    prompt_cache_hit_tokens?: unknown;
    cost?: unknown;
  };
  const cacheRead = num(u.prompt_tokens_details?.cached_tokens) ?? num(u.prompt_cache_hit_tokens);
  const cacheWrite = num(u.prompt_tokens_details?.cache_write_tokens);
  const reasoning = num(u.completion_tokens_details?.reasoning_tokens);
  return {
    inputTokens: minus(num(u.prompt_tokens), cacheRead, cacheWrite),
    outputTokens: minus(num(u.completion_tokens), reasoning),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    cacheWrite1hTokens: null,
    reasoningTokens: reasoning,
    reportedCostUsd: reportedCost(u.cost),
  };
}

/** The OpenAI Responses API: input_tokens includes input_tokens_details.cached_tokens; output_tokens includes output_tokens_details.reasoning_tokens. */
export function openaiResponsesUsage(usage: unknown): UsageParts {
  if (!usage || typeof usage !== 'object') return {...NO_USAGE};
  const u = usage as {input_tokens?: unknown; output_tokens?: unknown; input_tokens_details?: {cached_tokens?: unknown} | null; output_tokens_details?: {reasoning_tokens?: unknown} | null; cost?: unknown};
  const cacheRead = num(u.input_tokens_details?.cached_tokens);
  const reasoning = num(u.output_tokens_details?.reasoning_tokens);
  return {
    inputTokens: minus(num(u.input_tokens), cacheRead),
    outputTokens: minus(num(u.output_tokens), reasoning),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: null,
    cacheWrite1hTokens: null,
    reasoningTokens: reasoning,
    reportedCostUsd: reportedCost(u.cost),
  };
}

/**
 * Anthropic messages: input_tokens excludes cache_read_input_tokens and cache_creation_input_tokens;
 * cache_creation.{ephemeral_5m_input_tokens, ephemeral_1h_input_tokens} split the writes by lifetime.
 * Thinking is counted in output_tokens and not reported apart, so reasoningTokens stays null.
 */
export function anthropicUsage(usage: unknown): UsageParts {
  if (!usage || typeof usage !== 'object') return {...NO_USAGE};
  const u = usage as {
    input_tokens?: unknown;
    output_tokens?: unknown;
    cache_read_input_tokens?: unknown;
    cache_creation_input_tokens?: unknown;
    cache_creation?: {ephemeral_5m_input_tokens?: unknown; ephemeral_1h_input_tokens?: unknown} | null;
  };
  const split5m = num(u.cache_creation?.ephemeral_5m_input_tokens);
  const split1h = num(u.cache_creation?.ephemeral_1h_input_tokens);
  const writes = num(u.cache_creation_input_tokens) ?? (split5m !== null || split1h !== null ? (split5m ?? 0) + (split1h ?? 0) : null);
  return {
    inputTokens: num(u.input_tokens),
    outputTokens: num(u.output_tokens),
    cacheReadTokens: num(u.cache_read_input_tokens),
    cacheWriteTokens: writes,
    cacheWrite1hTokens: split1h,
    reasoningTokens: null,
    reportedCostUsd: null,
  };
}

/** Later usage (Anthropic's message_delta, a stream's last chunk) over earlier (message_start): a field it has wins. */
export function mergeUsage(earlier: UsageParts, later: UsageParts): UsageParts {
  const out = {...earlier};
  for (const key of Object.keys(later) as Array<keyof UsageParts>) if (later[key] !== null) out[key] = later[key];
  return out;
}

/**
 * Gemini usageMetadata: promptTokenCount includes cachedContentTokenCount; thoughtsTokenCount is outside
 * candidatesTokenCount and billed as output; toolUsePromptTokenCount is input outside promptTokenCount.
 */
export function geminiUsage(usage: unknown): UsageParts {
  if (!usage || typeof usage !== 'object') return {...NO_USAGE};
  const u = usage as {promptTokenCount?: unknown; candidatesTokenCount?: unknown; cachedContentTokenCount?: unknown; thoughtsTokenCount?: unknown; toolUsePromptTokenCount?: unknown};
  const cacheRead = num(u.cachedContentTokenCount);
  const prompt = num(u.promptTokenCount);
  const toolUse = num(u.toolUsePromptTokenCount);
  return {
    inputTokens: prompt === null ? null : minus(prompt, cacheRead)! + (toolUse ?? 0),
    outputTokens: num(u.candidatesTokenCount),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: null,
    cacheWrite1hTokens: null,
    reasoningTokens: num(u.thoughtsTokenCount),
    reportedCostUsd: null,
  };
}

/** Bedrock Converse: inputTokens excludes cacheReadInputTokens and cacheWriteInputTokens. */
export function bedrockUsage(usage: unknown): UsageParts {
  if (!usage || typeof usage !== 'object') return {...NO_USAGE};
  const u = usage as {inputTokens?: unknown; outputTokens?: unknown; cacheReadInputTokens?: unknown; cacheWriteInputTokens?: unknown};
  return {
    inputTokens: num(u.inputTokens),
    outputTokens: num(u.outputTokens),
    cacheReadTokens: num(u.cacheReadInputTokens),
    cacheWriteTokens: num(u.cacheWriteInputTokens),
    cacheWrite1hTokens: null,
    reasoningTokens: null,
    reportedCostUsd: null,
  };
}
