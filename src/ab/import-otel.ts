import {importedRequest, num} from './imported-request.ts';
import type {Parsed} from './traffic-request.ts';

type AnyValue = {stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: {values?: AnyValue[]}};
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface Span {
  spanId?: string;
  name?: string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: KeyValue[];
  events?: Array<{name?: string; timeUnixNano?: string | number; attributes?: KeyValue[]}>;
}

function plain(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(plain);
  return undefined;
}

const attrs = (list: KeyValue[] | undefined) => new Map((list ?? []).map((kv) => [kv.key, plain(kv.value)]));
const parseJson = (v: unknown) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
};

const CONTENT_ATTRIBUTES = new Set(['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.definitions']);

/** OTel GenAI parts ([{type: 'text', content}]) as text. */
const partsText = (parts: unknown) => (Array.isArray(parts) ? parts.map((p: {type?: string; content?: string}) => (p?.type === 'text' ? (p.content ?? '') : '')).join('') : null);

/** The conversation: gen_ai.input.messages (current conventions) or the older per-message events. */
function inputMessages(a: Map<string, unknown>, span: Span): unknown {
  const current = parseJson(a.get('gen_ai.input.messages'));
  if (Array.isArray(current)) {
    const system = parseJson(a.get('gen_ai.system_instructions'));
    return Array.isArray(system) ? [{role: 'system', parts: system}, ...current] : current;
  }
  const roles: Record<string, string> = {'gen_ai.system.message': 'system', 'gen_ai.user.message': 'user', 'gen_ai.assistant.message': 'assistant', 'gen_ai.tool.message': 'tool'};
  const events = (span.events ?? []).filter((e) => e.name && roles[e.name]);
  // The older events: an assistant message's tool_calls (OpenAI-shaped) and a tool message's id, as JSON or text.
  return events.length
    ? events.map((e) => {
        const ea = attrs(e.attributes);
        const toolCalls = parseJson(ea.get('tool_calls'));
        return {role: roles[e.name!], content: ea.get('content') ?? (Array.isArray(toolCalls) ? null : ''), ...(Array.isArray(toolCalls) && {tool_calls: toolCalls}), ...(typeof ea.get('id') === 'string' && roles[e.name!] === 'tool' && {tool_call_id: ea.get('id')})};
      })
    : undefined;
}

function outputText(a: Map<string, unknown>, span: Span): string | null {
  const current = parseJson(a.get('gen_ai.output.messages'));
  if (Array.isArray(current) && current[0]) return partsText((current[0] as {parts?: unknown}).parts);
  const choice = (span.events ?? []).find((e) => e.name === 'gen_ai.choice');
  if (!choice) return null;
  const message = parseJson(attrs(choice.attributes).get('message')) as {content?: unknown} | undefined;
  return typeof message?.content === 'string' ? message.content : null;
}

/** Nanosecond timestamps are past a double's precision: subtract them as integers. */
function nanosToMs(start: unknown, end: unknown): number | null {
  const big = (v: unknown) => {
    try {
      return typeof v === 'string' || typeof v === 'number' ? BigInt(v) : null;
    } catch {
      return null;
    }
  };
  const a = big(start);
  const b = big(end);
  return a === null || b === null || b < a ? null : Number(b - a) / 1e6;
}

/**
 * OpenTelemetry GenAI spans in OTLP/JSON (an ExportTraceServiceRequest, as a collector's file
 * exporter writes one per line): each chat span with its conversation becomes a request; model,
 * tokens and duration come from the gen_ai.* attributes; the service name is a tag, and the resource's
 * and span's other attributes are metadata. Parts of type tool_call, tool_call_response, blob and uri
 * become tool calls, tool results and images; gen_ai.tool.definitions, the tools.
 */
export function importOtel(value: Record<string, unknown>, line: number | undefined, index: number): Parsed[] {
  const out: Parsed[] = [];
  for (const rs of (value.resourceSpans ?? []) as Array<{resource?: {attributes?: KeyValue[]}; scopeSpans?: Array<{spans?: Span[]}>}>) {
    const resource = Object.fromEntries(attrs(rs.resource?.attributes));
    const service = resource['service.name'];
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const a = attrs(span.attributes);
        if (![...a.keys()].some((k) => k.startsWith('gen_ai.'))) continue;
        const operation = a.get('gen_ai.operation.name');
        if (operation !== undefined && operation !== 'chat' && operation !== 'text_completion' && operation !== 'generate_content') continue;
        const model = a.get('gen_ai.response.model') ?? a.get('gen_ai.request.model');
        // The content attributes are the request itself and the usage and response ones its outcome; the other attributes (and the resource's) describe it.
        const described = Object.fromEntries([...a].filter(([k]) => !CONTENT_ATTRIBUTES.has(k) && !k.startsWith('gen_ai.usage.') && !k.startsWith('gen_ai.response.')));
        out.push(
          importedRequest(
            {
              id: span.spanId,
              request: {
                messages: inputMessages(a, span),
                tools: a.get('gen_ai.tool.definitions'),
                // gen_ai.output.type says what the client asked for; 'json' is a JSON answer without a schema.
                responseFormat: a.get('gen_ai.output.type') === 'json' ? {type: 'json_object'} : undefined,
              },
              tags: typeof service === 'string' ? [`service:${service}`] : [],
              metadata: [resource, described],
              logged: {
                model: typeof model === 'string' ? model : null,
                output: outputText(a, span),
                latencyMs: nanosToMs(span.startTimeUnixNano, span.endTimeUnixNano),
                ttftMs: null,
                inputTokens: num(a.get('gen_ai.usage.input_tokens')),
                outputTokens: num(a.get('gen_ai.usage.output_tokens')),
                costUsd: null,
              },
            },
            line,
            index,
          ),
        );
      }
    }
  }
  return out;
}

export const isOtel = (v: Record<string, unknown>) => Array.isArray(v.resourceSpans);
