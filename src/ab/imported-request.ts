import {fromOpenAIChatRequest} from './openai-chat-request.ts';
import {toOpenAIRequest, type SourceRequest} from './to-openai-request.ts';
import type {LoggedAnswer, Parsed} from './traffic-request.ts';

export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

/** Milliseconds between two timestamps given as ISO strings, epoch seconds or epoch milliseconds. */
export function spanMs(start: unknown, end: unknown): number | null {
  const at = (v: unknown): number | null => {
    if (typeof v === 'string' && Number.isNaN(Number(v))) {
      const t = Date.parse(v);
      return Number.isNaN(t) ? null : t;
    }
    const n = num(v);
    if (n === null) return null;
    return n < 1e11 ? n * 1000 : n; // epoch seconds (LiteLLM's floats) or milliseconds
  };
  const a = at(start);
  const b = at(end);
  return a === null || b === null || b < a ? null : b - a;
}

/** A nested record some exports keep as JSON text (spend logs' proxy_server_request, Helicone bodies): the object, or {}. */
export function jsonObject(v: unknown): Record<string, unknown> {
  let value = v;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function tagList(...sources: unknown[]): string[] {
  const tags: string[] = [];
  for (const s of sources) {
    if (Array.isArray(s)) tags.push(...s.filter((t): t is string => typeof t === 'string'));
    else if (typeof s === 'string' && s) tags.push(...s.split(';').map((t) => t.trim()).filter(Boolean));
  }
  return [...new Set(tags)];
}

/**
 * Key-value metadata from a record's maps (OpenAI's `metadata`, a tool's metadata or properties):
 * scalar values as text, later maps over earlier ones; a stratum for `assay ab --stratify KEY`.
 */
export function metadataOf(...sources: unknown[]): {metadata?: Record<string, string>} {
  const metadata: Record<string, string> = {};
  for (const source of sources) {
    if (!source || typeof source !== 'object' || Array.isArray(source)) continue;
    for (const [k, v] of Object.entries(source)) if (['string', 'number', 'boolean'].includes(typeof v) && v !== '') metadata[k] = String(v);
  }
  return Object.keys(metadata).length > 0 ? {metadata} : {};
}

export interface ImportedFields {
  id: unknown;
  /** What the record sent, in its tool's dialect (OpenAI, Anthropic, LangChain or OTel GenAI messages, tools and formats). */
  request: SourceRequest;
  tags: string[];
  /** Maps of key-value metadata the record carried (merged by metadataOf). */
  metadata?: unknown[];
  expected?: unknown;
  logged: Omit<LoggedAnswer, 'output'> & {output: string | null};
}

/** One imported record as a traffic request, with what production answered kept as the logged answer. */
export function importedRequest(fields: ImportedFields, line: number | undefined, index: number): Parsed {
  const id = fields.id === undefined || fields.id === null || fields.id === '' ? `line-${line ?? index + 1}` : String(fields.id);
  const skip = (reason: string): Parsed => ({ok: false, skip: {line, id, reason}});
  // Every dialect goes through the OpenAI reader, so imports keep what an OpenAI-format line keeps.
  const source = toOpenAIRequest(fields.request);
  if (!source.ok) return skip(source.reason);
  const replayed = fromOpenAIChatRequest(source.value as unknown as Record<string, unknown>, source.value.messages);
  if (!replayed.ok) return skip(replayed.reason);
  if (!replayed.messages.some((m) => m.role === 'user')) return skip('has no user message');
  const expected = fields.expected;
  const {output, ...rest} = fields.logged;
  return {
    ok: true,
    request: {
      id,
      messages: replayed.messages,
      ...(Object.keys(replayed.params).length > 0 && {params: replayed.params}),
      expected: expected === undefined || expected === null ? null : typeof expected === 'string' ? expected : JSON.stringify(expected),
      tags: fields.tags,
      ...metadataOf(...(fields.metadata ?? [])),
      line,
      logged: output === null ? null : {...rest, output},
    },
  };
}
