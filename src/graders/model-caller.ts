import type {ChatMessage} from '../core/types.ts';

export interface ModelCall {
  text: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  latencyMs: number;
}

/** Calls a configured model by label (the runner provides it, with its retries, limits and slots). */
export type ModelCaller = (label: string, messages: ChatMessage[]) => Promise<ModelCall>;
