import {answerText} from './chat-messages.ts';
import {importedRequest, jsonObject, num, spanMs, tagList} from './imported-request.ts';
import type {Parsed} from './traffic-request.ts';

/**
 * LiteLLM: a StandardLoggingPayload (its logging callbacks, alone or under `standard_logging_object`)
 * or a row of the proxy's LiteLLM_SpendLogs table. Prompts and answers are there only when the proxy
 * stores them (`store_prompts_in_spend_logs`). Times are epoch seconds or ISO strings. Messages are
 * OpenAI-style (LiteLLM's input format); tools, tool_choice and response_format come from the
 * request's parameters.
 */
export function importLitellm(value: Record<string, unknown>, line: number | undefined, index: number): Parsed {
  const v = (value.standard_logging_object ?? value) as Record<string, unknown>;
  const metadata = jsonObject(v.metadata);
  // What was sent beside the messages: the payload's model_parameters, the callback's optional_params, or the spend log's proxy_server_request.
  const sent = [jsonObject(v.model_parameters), jsonObject(value.optional_params), jsonObject(v.optional_params), jsonObject(v.proxy_server_request)];
  const pick = (key: string) => sent.map((s) => s[key]).find((x) => x !== undefined && x !== null);
  const latencyMs = spanMs(v.startTime, v.endTime);
  const ttftMs = v.completionStartTime === undefined ? null : spanMs(v.startTime, v.completionStartTime);
  return importedRequest(
    {
      id: v.id ?? v.request_id,
      request: {messages: v.messages ?? jsonObject(v.proxy_server_request).messages, tools: pick('tools'), toolChoice: pick('tool_choice'), responseFormat: pick('response_format')},
      tags: tagList(v.request_tags, metadata.tags, jsonObject(metadata.requester_metadata).tags),
      // The proxy's key/team metadata, then what the caller sent as metadata (requester_metadata).
      metadata: [{model_group: v.model_group, end_user: v.end_user}, metadata, jsonObject(metadata.requester_metadata)],
      logged: {
        model: typeof v.model === 'string' ? v.model : null,
        // Spend logs keep the response as JSON text.
        output: answerText(typeof v.response === 'string' && v.response.trim().startsWith('{') ? jsonObject(v.response) : v.response),
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
