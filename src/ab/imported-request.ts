import {toChatMessages} from './chat-messages.ts';
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

export function tagList(...sources: unknown[]): string[] {
  const tags: string[] = [];
  for (const s of sources) {
    if (Array.isArray(s)) tags.push(...s.filter((t): t is string => typeof t === 'string'));
    else if (typeof s === 'string' && s) tags.push(...s.split(';').map((t) => t.trim()).filter(Boolean));
  }
  return [...new Set(tags)];
}

export interface ImportedFields {
  id: unknown;
  messages: unknown;
  tags: string[];
  expected?: unknown;
  logged: Omit<LoggedAnswer, 'output'> & {output: string | null};
}

/** One imported record as a traffic request, with what production answered kept as the logged answer. */
export function importedRequest(fields: ImportedFields, line: number | undefined, index: number): Parsed {
  const id = fields.id === undefined || fields.id === null || fields.id === '' ? `line-${line ?? index + 1}` : String(fields.id);
  const messages = toChatMessages(fields.messages);
  if (!messages.ok) return {ok: false, skip: {line, id, reason: messages.reason}};
  const expected = fields.expected;
  const {output, ...rest} = fields.logged;
  return {
    ok: true,
    request: {
      id,
      messages: messages.value,
      expected: expected === undefined || expected === null ? null : typeof expected === 'string' ? expected : JSON.stringify(expected),
      tags: fields.tags,
      line,
      logged: output === null ? null : {...rest, output},
    },
  };
}
