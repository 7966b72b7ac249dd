import type {ChatMessage, ErrorClass, FinishReason, ModelParams, ToolCall} from '../core/types.ts';
import type {ProviderError} from './provider-error.ts';

export interface CompletionRequest {
  messages: ChatMessage[];
  params: ModelParams;
  stream: boolean;
  signal?: AbortSignal;
  timeoutMs: number;
  /** Abort a stream that sends nothing for this long. */
  stallTimeoutMs?: number;
  /**
   * Called as each streamed chunk that carries text arrives (before the SDK's caller sees it), so a
   * load generator can take its own timestamps for inter-token latency.
   */
  onChunk?: () => void;
}

/** A provider's answer, normalised across wire formats. Timings are measured around the SDK call only. */
export interface Completion {
  text: string;
  /** The tools the model called, in order; present when the request offered tools or the answer called one. */
  toolCalls?: ToolCall[];
  /** Input not read from or written to a prompt cache (each wire's own counts are split this way; see usage.ts). */
  inputTokens: number | null;
  /** Visible output, reasoning tokens not included. */
  outputTokens: number | null;
  cacheReadTokens?: number | null;
  /** Cache writes of every lifetime; cacheWrite1hTokens is the 1-hour part of them. */
  cacheWriteTokens?: number | null;
  cacheWrite1hTokens?: number | null;
  reasoningTokens?: number | null;
  /** The request's cost as the provider or a gateway reported it (USD). */
  reportedCostUsd?: number | null;
  finishReason: FinishReason;
  finishReasonRaw: string | null;
  latencyMs: number;
  ttftMs: number | null;
  /** The model id the response names: the one that served, which can differ from the one asked for (aliases, fallbacks). */
  servedModel?: string | null;
  /** OpenAI's system_fingerprint: the backend configuration that served. */
  systemFingerprint?: string | null;
  /** The upstream provider an aggregator (OpenRouter and the like) says it routed to. */
  upstream?: string | null;
}

export interface ProviderClient {
  readonly providerId: string;
  complete(model: string, request: CompletionRequest): Promise<Completion>;
  /** Model ids the endpoint lists, where the API has a list endpoint. */
  listModels(): Promise<string[]>;
  /** The provider's batch API (OpenAI Batch, Anthropic Message Batches, Gemini Batch API), where the client can use one. */
  batch?: BatchApi;
}

/** One request in a provider batch; results are matched back by `customId`. */
export interface BatchItem {
  customId: string;
  model: string;
  messages: ChatMessage[];
  params: ModelParams;
}

/** A batch as the provider reports it while polling. */
export interface BatchStatus {
  /** Finished one way or another (completed, expired, cancelled, failed, ended): results can be fetched. */
  done: boolean;
  /** The provider's own status word (in_progress, completed, expired, ended...). */
  raw: string;
  total: number;
  /** Requests with an outcome so far (succeeded or errored). */
  finished: number;
  failed: number;
  /** When the provider says the batch ended (ms since the epoch), if it says. */
  endedAtMs: number | null;
  /** Set when the batch as a whole failed (e.g. validation): none of its requests has a result. */
  failure?: string;
  /** Why requests with no outcome in `results` were never processed, when the provider lists only the processed ones (Gemini). */
  unfinished?: 'expired' | 'canceled';
}

/** One request's outcome in a finished batch: an answer, a classified error, or never processed. */
export type BatchItemOutcome =
  | {customId: string; completion: Completion}
  | {customId: string; error: ProviderError}
  | {customId: string; unfinished: 'expired' | 'canceled'};

export interface BatchApi {
  /** The most requests one batch may hold. */
  readonly maxRequests: number;
  /** Submits the requests as one batch; returns the provider's batch id. */
  submit(items: BatchItem[], signal?: AbortSignal): Promise<string>;
  status(batchId: string, signal?: AbortSignal): Promise<BatchStatus>;
  /** Every request's outcome, once `status` says done; completions have latencyMs 0 (a batch has no per-request latency). */
  results(batchId: string, signal?: AbortSignal): Promise<BatchItemOutcome[]>;
}

export interface ClientWarning {
  providerId: string;
  message: string;
}

export type WarningSink = (warning: ClientWarning) => void;

export type {ErrorClass};
