import {answerText} from './chat-messages.ts';
import {importedRequest, num, spanMs} from './imported-request.ts';
import type {Parsed} from './traffic-request.ts';

/**
 * Helicone: a record of its export (`npx @helicone/export --include-body`, the request query API):
 * request_body and response_body as sent and received, latency in ms, cost in USD, and the custom
 * properties (Helicone-Property-* headers) as `key:value` tags.
 */
export function importHelicone(value: Record<string, unknown>, line: number | undefined, index: number): Parsed {
  const body = (value.request_body ?? {}) as Record<string, unknown>;
  const properties = (value.request_properties ?? value.properties ?? {}) as Record<string, unknown>;
  const latencyMs = num(value.latency) ?? num(value.delay_ms) ?? spanMs(value.request_created_at, value.response_created_at);
  return importedRequest(
    {
      id: value.request_id ?? value.response_id,
      messages: body.messages,
      tags: Object.entries(properties).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k}:${v as string}`),
      logged: {
        model: typeof value.model === 'string' ? value.model : typeof body.model === 'string' ? body.model : null,
        output: answerText(value.response_body),
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
