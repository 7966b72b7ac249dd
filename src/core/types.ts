import type {ContentPart} from './content-parts.ts';

/** The error classes of SPEC.md: every provider failure is classified into exactly one. */
export const ERROR_CLASSES = [
  'auth',
  'not-found',
  'bad-request',
  'rate-limit',
  'timeout',
  'server',
  'network',
  'bad-response',
  'circuit-open',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export type Role = 'system' | 'user' | 'assistant' | 'tool';
export interface ChatMessage {
  role: Role;
  /** The text; a message with images or files has them here as markers (see content-parts.ts), and in full in `parts`. */
  content: string;
  /** Text, images and files in order, when the message has more than text (what clients send). */
  parts?: ContentPart[];
  /** An assistant turn's calls (earlier turns of a multi-turn case); ids pair them with the tool results after. */
  toolCalls?: Array<ToolCall & {id: string}>;
  /** A tool result: the call it answers and that call's tool. */
  toolCallId?: string;
  toolName?: string;
}

/** A function a suite offers the model: its parameters as JSON Schema, as every API takes them. */
export interface ToolDef {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

/** Whether the model may, must or must not call a tool, or which one it must call. */
export type ToolChoice = 'auto' | 'none' | 'required' | {name: string};

/** A call a model made: arguments parsed from JSON, or the raw text when they do not parse. */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown> | string;
}

/** Provider-neutral sampling parameters; each adapter maps them to its wire names. */
export interface ModelParams {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  frequencyPenalty?: number;
  presencePenalty?: number;
  seed?: number;
  reasoning?: {effort: 'minimal' | 'low' | 'medium' | 'high'} | {budgetTokens: number};
  responseFormat?: {type: 'json_schema'; schema: Record<string, unknown>; name?: string; strict?: boolean} | {type: 'json_object'};
  /** Merged into the provider's request body as is. */
  extra?: Record<string, unknown>;
  /** The suite's tools and tool choice: carried with the params so the cache key, the fingerprint and batches include them. */
  tools?: ToolDef[];
  toolChoice?: ToolChoice;
}

export interface PricingTier {
  aboveInputTokens: number;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
  cacheWrite1hPerMTok?: number;
  reasoningPerMTok?: number;
}

export interface Pricing {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
  cacheWrite1hPerMTok?: number;
  reasoningPerMTok?: number;
  /** Through the provider's batch API; when unset, half the standard price. */
  batchInputPerMTok?: number;
  batchOutputPerMTok?: number;
  tiers?: PricingTier[];
}

/** What one request cost, by token kind (USD). */
export interface CostBreakdown {
  inputUsd: number;
  cacheReadUsd: number;
  cacheWriteUsd: number;
  outputUsd: number;
  reasoningUsd: number;
}

export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-call' | 'error' | 'other';

export interface ResultError {
  class: ErrorClass;
  status: number | null;
  message: string;
  hint: string | null;
  /** The real failure behind a request that was not sent (an open circuit breaker, a model stopped by fail-fast). */
  cause?: ErrorCause;
  /** Never sent: refused by an open breaker or by fail-fast; --resume sends it. */
  notSent?: boolean;
}

/** The failure that opened a breaker or stopped a model, and how many times it happened in a row or window. */
export interface ErrorCause {
  class: ErrorClass;
  status: number | null;
  message: string;
  hint: string | null;
  count: number;
}

export interface Grade {
  grader: string;
  /** 0..1; null when the grade is unscored (a judge reply that could not be parsed, a custom grader that threw). */
  score: number | null;
  pass: boolean | null;
  reason: string;
  /** Excluded from pass rates and mean scores, counted and shown instead: never silently scored 0. */
  unscored?: boolean;
  /** What grading with a model cost, kept apart from the graded model's own tokens and cost. */
  judge?: JudgeUsage;
}

export interface JudgeUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  latencyMs: number;
  calls: number;
}

/** One line of results.jsonl: the contract between the runner and everything that reads results. */
export interface Result {
  runId: string;
  suiteId: string;
  caseId: string;
  model: string;
  provider: string;
  repeat: number;
  status: 'ok' | 'error';
  output: string | null;
  error: ResultError | null;
  latencyMs: number | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  tokensEstimated: boolean;
  /** Input read from the provider's prompt cache (not in inputTokens); null when the provider reported none. */
  cacheReadTokens?: number | null;
  /** Input written to the prompt cache (not in inputTokens), all lifetimes; cacheWrite1hTokens is its 1-hour part. */
  cacheWriteTokens?: number | null;
  cacheWrite1hTokens?: number | null;
  /** Reasoning ("thinking") output (not in outputTokens); null when the provider does not report it apart (Anthropic counts thinking in output_tokens). */
  reasoningTokens?: number | null;
  /** The cost used everywhere: the reported cost when there is one (unless the provider says `reportedCost: ignore`), else the computed one. */
  costUsd: number | null;
  /** From the pricing and the token counts; null without a price. */
  computedCostUsd?: number | null;
  /** What the provider or gateway said this request cost (OpenRouter usage.cost, LiteLLM x-litellm-response-cost). */
  reportedCostUsd?: number | null;
  /** The computed cost rests on an estimate: token counts estimated, or a cache price taken from a documented ratio or the input price. */
  costEstimated?: boolean;
  /** The computed cost by token kind. */
  costBreakdown?: CostBreakdown | null;
  /** The long-context tier that priced this request (its aboveInputTokens), when one did. */
  costTier?: number | null;
  grades: Grade[];
  score: number | null;
  pass: boolean | null;
  tags: string[];
  attempts: number;
  startedAt: string;
  endedAt: string;
  finishReason: FinishReason | null;
  finishReasonRaw: string | null;
  /** Time spent waiting for a concurrency slot or a rate limit: kept out of latencyMs on purpose. */
  queueMs: number;
  /** The part of queueMs spent held back by an rpm/tpm limit (vs. waiting for a slot). */
  rateWaitMs: number;
  /** Served from the response cache: its latency is the original's and is left out of latency statistics. */
  cached: boolean;
  stream: boolean;
  simulated: boolean;
  input: string;
  expected: string | null;
  /** The tools the model called, in order; present when the request offered tools or the answer called one. */
  toolCalls?: ToolCall[];
  /** Judge-model cost of grading this result (null when no judge was used or its price is unknown). */
  judgeCostUsd?: number | null;
  /** Digest of what produced this result (messages, model, params, graders); --resume checks it. */
  fingerprint?: string;
  /** The model id the provider's response names (null when it names none): the deployment that really answered. */
  servedModel?: string | null;
  /** OpenAI's system_fingerprint for this answer, where the API gives one. */
  systemFingerprint?: string | null;
  /** The upstream provider an aggregator (OpenRouter…) routed this request to, where it says. */
  upstream?: string | null;
  /** `assay run --batch`: the provider batch this answer came from (latencyMs and ttftMs are then null). */
  batchId?: string;
  /** `assay run --batch`: submission to results of that batch, in ms: its turnaround, not a per-request latency. */
  batchTurnaroundMs?: number;
}
