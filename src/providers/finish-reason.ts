import type {FinishReason} from '../core/types.ts';

const MAP: Record<string, FinishReason> = {
  // OpenAI
  stop: 'stop',
  length: 'length',
  content_filter: 'content-filter',
  tool_calls: 'tool-call',
  function_call: 'tool-call',
  // OpenAI Responses: the response status, or incomplete_details.reason
  completed: 'stop',
  max_output_tokens: 'length',
  // Anthropic
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool-call',
  refusal: 'content-filter',
  pause_turn: 'other',
  // Gemini
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content-filter',
  RECITATION: 'content-filter',
  BLOCKLIST: 'content-filter',
  PROHIBITED_CONTENT: 'content-filter',
  SPII: 'content-filter',
  IMAGE_SAFETY: 'content-filter',
  MALFORMED_FUNCTION_CALL: 'error',
};

export function normalizeFinishReason(raw: string | null | undefined): FinishReason {
  if (raw === null || raw === undefined || raw === '') return 'other';
  return MAP[raw] ?? 'other';
}
