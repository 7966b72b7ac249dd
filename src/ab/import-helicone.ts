import {answerText} from './chat-messages.ts';
import {importedRequest, jsonObject, num, spanMs} from './imported-request.ts';
import type {Parsed} from './traffic-request.ts';

/**
 * Helicone: a record of its export (`npx @helicone/export --include-body`, the request query API):
 * request_body and response_body as sent and received, latency in ms, cost in USD, and the custom
 * properties (Helicone-Property-* headers) as `key:value` tags and as metadata. The request body is
 * replayed with its tools, tool calls and results, images and response format.
 */
export function importHelicone(value: Record<string, unknown>, line: number | undefined, index: number): Parsed {
  const body = jsonObject(value.request_body);
  const properties = jsonObject(value.request_properties ?? value.properties);
  const latencyMs = num(value.latency) ?? num(value.delay_ms) ?? spanMs(value.request_created_at, value.response_created_at);
  return importedRequest(
    {
      id: value.request_id ?? value.response_id,
      // The provider's own request: OpenAI chat, or Anthropic messages (top-level system, content blocks, input_schema tools).
      request: {messages: body.messages, system: body.system, tools: body.tools, toolChoice: body.tool_choice, responseFormat: body.response_format},
      metadata: [properties, {request_user_id: value.request_user_id}],
      tags: Object.entries(properties).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k}:${v as string}`),
      logged: {
        model: typeof value.model === 'string' ? value.model : typeof body.model === 'string' ? body.model : null,
        output: answerText(jsonObject(value.response_body)),
        latencyMs,
        ttftMs: num(value.time_to_first_token),
        inputTokens: num(value.prompt_tokens),
        outputTokens: num(value.completion_tokens),
        costUsd: num(value.cost ?? value.cost_usd),
      },
    },
    line,
    index,
  );
}

export const isHelicone = (v: Record<string, unknown>) => 'request_body' in v && ('response_id' in v || 'response_body' in v || 'request_created_at' in v);
