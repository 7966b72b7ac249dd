import type {ChatMessage, ModelParams} from '../core/types.ts';

/** What production answered to a request, from its log: the control of `assay ab --control logged`. */
export interface LoggedAnswer {
  model: string | null;
  output: string;
  latencyMs: number | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

export interface TrafficRequest {
  id: string;
  messages: ChatMessage[];
  /** What the request sent beside its messages (tools, tool choice, response format), replayed as is. */
  params?: ModelParams;
  expected: string | null;
  tags: string[];
  /** Key-value metadata the record carried (OpenAI's `metadata`), where it had any: a stratum for `--stratify KEY`. */
  metadata?: Record<string, string>;
  line: number | undefined;
  /** The logged answer, where the record holds one. */
  logged?: LoggedAnswer | null;
}

/** Where a traffic sample comes from; `auto` tells them apart by their fields. */
export const TRAFFIC_FORMATS = ['openai', 'litellm', 'langfuse', 'helicone', 'langsmith', 'otel'] as const;
export type TrafficFormat = (typeof TRAFFIC_FORMATS)[number];

export interface SkippedRequest {
  line: number | undefined;
  id: string | null;
  reason: string;
}

export type Parsed = {ok: true; request: TrafficRequest} | {ok: false; skip: SkippedRequest};
