import {answerText} from './chat-messages.ts';
import {importedRequest, num, spanMs, tagList} from './imported-request.ts';
import type {Parsed} from './traffic-request.ts';

/**
 * LiteLLM: a StandardLoggingPayload (its logging callbacks, alone or under `standard_logging_object`)
 * or a row of the proxy's LiteLLM_SpendLogs table. Prompts and answers are there only when the proxy
 * stores them (`store_prompts_in_spend_logs`). Times are epoch seconds or ISO strings.
 */
export function importLitellm(value: Record<string, unknown>, line: number | undefined, index: number): Parsed {
  const v = (value.standard_logging_object ?? value) as Record<string, unknown>;
  const metadata = (v.metadata ?? {}) as Record<string, unknown>;
  const latencyMs = spanMs(v.startTime, v.endTime);
  const ttftMs = v.completionStartTime === undefined ? null : spanMs(v.startTime, v.completionStartTime);
  return importedRequest(
    {
      id: v.id ?? v.request_id,
      messages: v.messages,
      tags: tagList(v.request_tags, metadata.tags, metadata.requester_metadata && (metadata.requester_metadata as {tags?: unknown}).tags),
      logged: {
        model: typeof v.model === 'string' ? v.model : null,
        output: answerText(v.response),
        latencyMs,
        ttftMs: ttftMs !== null && latencyMs !== null && ttftMs <= latencyMs ? ttftMs : null,
        inputTokens: num(v.prompt_tokens),
        outputTokens: num(v.completion_tokens),
        costUsd: num(v.response_cost ?? v.spend),
      },
    },
    line,
    index,
  );
}

export const isLitellm = (v: Record<string, unknown>) => 'standard_logging_object' in v || ('call_type' in v && ('response_cost' in v || 'spend' in v));
