import type {ChatMessage, ErrorClass, FinishReason, ModelParams} from '../core/types.ts';

export interface CompletionRequest {
  messages: ChatMessage[];
  params: ModelParams;
  stream: boolean;
  signal?: AbortSignal;
  timeoutMs: number;
  /** Abort a stream that sends nothing for this long. */
  stallTimeoutMs?: number;
}

/** A provider's answer, normalised across wire formats. Timings are measured around the SDK call only. */
export interface Completion {
  text: string;
  inputTokens: number | null;
  outputTokens: number | null;
  finishReason: FinishReason;
  finishReasonRaw: string | null;
  latencyMs: number;
  ttftMs: number | null;
}

export interface ProviderClient {
  readonly providerId: string;
  complete(model: string, request: CompletionRequest): Promise<Completion>;
  /** Model ids the endpoint lists, where the API has a list endpoint. */
  listModels(): Promise<string[]>;
}

export interface ClientWarning {
  providerId: string;
  message: string;
}

export type WarningSink = (warning: ClientWarning) => void;

export type {ErrorClass};
