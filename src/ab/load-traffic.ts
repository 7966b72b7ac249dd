import {readFile} from 'node:fs/promises';
import {extname} from 'node:path';
import {InputError} from '../core/errors.ts';
import type {ChatMessage} from '../core/types.ts';
import {parseCsv} from '../datasets/load-dataset.ts';
import {seededRandom, seedFrom} from '../sandbox/seeded-random.ts';

export interface TrafficRequest {
  id: string;
  messages: ChatMessage[];
  expected: string | null;
  tags: string[];
  line: number | undefined;
}

export interface SkippedRequest {
  line: number | undefined;
  id: string | null;
  reason: string;
}

export interface TrafficSample {
  requests: TrafficRequest[];
  skipped: SkippedRequest[];
  /** Requests in the file before sampling (after skipping). */
  available: number;
}

type Parsed = {ok: true; request: TrafficRequest} | {ok: false; skip: SkippedRequest};

function textOf(content: unknown): {text: string} | {unsupported: string} {
  if (typeof content === 'string') return {text: content};
  if (Array.isArray(content)) {
    let text = '';
    for (const part of content as Array<{type?: string; text?: string}>) {
      if (part?.type === 'text' || (part?.type === undefined && typeof part?.text === 'string')) text += part.text ?? '';
      else return {unsupported: `has ${part?.type ?? 'non-text'} content (${part?.type === 'image_url' ? 'an image' : 'not text'}), which these models are not sent`};
    }
    return {text};
  }
  return {unsupported: 'has message content that is neither text nor a list of parts'};
}

function tagsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(';').map((t) => t.trim()).filter(Boolean);
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
}

/** One request from one line: OpenAI chat format ({messages} or a batch line's {body: {messages}}), or {prompt}. */
export function parseTrafficRecord(value: Record<string, unknown>, line: number | undefined, index: number): Parsed {
  const body = (value.body && typeof value.body === 'object' ? value.body : value) as Record<string, unknown>;
  const rawId = value.id ?? value.custom_id ?? value.request_id;
  const id = rawId === undefined || rawId === null || rawId === '' ? `line-${line ?? index + 1}` : String(rawId);
  const skip = (reason: string): Parsed => ({ok: false, skip: {line, id, reason}});
  if (body.tools || body.functions || body.tool_choice) return skip('uses tools or functions, which an A/B of plain answers cannot compare');
  let messages: ChatMessage[];
  let raw = body.messages;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return skip('"messages" is a string that is not JSON');
    }
  }
  if (Array.isArray(raw)) {
    messages = [];
    for (const m of raw as Array<{role?: unknown; content?: unknown}>) {
      const role = m?.role === 'developer' ? 'system' : m?.role;
      if (role === 'tool' || role === 'function') return skip('contains tool messages');
      if (role !== 'system' && role !== 'user' && role !== 'assistant') return skip(`has a message with role ${JSON.stringify(m?.role)}`);
      const content = textOf(m.content);
      if ('unsupported' in content) return skip(content.unsupported);
      messages.push({role, content: content.text});
    }
    if (!messages.some((m) => m.role === 'user')) return skip('has no user message');
  } else if (typeof body.prompt === 'string' || typeof value.prompt === 'string') {
    messages = [{role: 'user', content: String(body.prompt ?? value.prompt)}];
  } else {
    return skip('has neither "messages" nor "prompt"');
  }
  const expected = value.expected ?? value.reference ?? value.ideal;
  return {
    ok: true,
    request: {id, messages, expected: expected === undefined || expected === null ? null : typeof expected === 'string' ? expected : JSON.stringify(expected), tags: tagsOf(value.tags ?? value.tag), line},
  };
}

/** Keeps n requests, chosen by the seed; with tags, each tag (the first one) keeps its share of n. */
export function sampleTraffic(requests: TrafficRequest[], n: number | undefined, seed: number): TrafficRequest[] {
  if (n === undefined || n >= requests.length) return requests;
  const strata = new Map<string, TrafficRequest[]>();
  for (const r of requests) {
    const key = r.tags[0] ?? '';
    (strata.get(key) ?? strata.set(key, []).get(key)!).push(r);
  }
  // Largest-remainder allocation so the shares add up to exactly n.
  const quotas = [...strata].map(([key, list]) => ({key, list, exact: (list.length / requests.length) * n}));
  for (const q of quotas) (q as {take?: number}).take = Math.floor(q.exact);
  let left = n - quotas.reduce((s, q) => s + (q as unknown as {take: number}).take, 0);
  for (const q of [...quotas].sort((a, b) => (b.exact % 1) - (a.exact % 1) || a.key.localeCompare(b.key))) {
    if (left-- <= 0) break;
    (q as unknown as {take: number}).take++;
  }
  const chosen = new Set<TrafficRequest>();
  for (const q of quotas) {
    const random = seededRandom(seedFrom(seed, 'ab-sample', q.key));
    const order = q.list.map((r, i) => ({r, k: random(), i})).sort((a, b) => a.k - b.k || a.i - b.i);
    for (const {r} of order.slice(0, (q as unknown as {take: number}).take)) chosen.add(r);
  }
  return requests.filter((r) => chosen.has(r));
}

/** Reads a traffic sample: JSONL (one request per line) or CSV ({prompt} or {messages} columns). Bad lines are reported, not fatal. */
export async function loadTraffic(file: string, display = file): Promise<Omit<TrafficSample, 'available'> & {available: number}> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError('traffic sample not found', {file: display, hint: 'pass --sample FILE (JSONL of chat requests, or CSV with a prompt column)'});
  }
  const requests: TrafficRequest[] = [];
  const skipped: SkippedRequest[] = [];
  const seen = new Set<string>();
  const add = (p: Parsed) => {
    if (!p.ok) return void skipped.push(p.skip);
    if (seen.has(p.request.id)) return void skipped.push({line: p.request.line, id: p.request.id, reason: `duplicate id "${p.request.id}"`});
    seen.add(p.request.id);
    requests.push(p.request);
  };
  if (extname(file).toLowerCase() === '.csv') {
    parseCsv(text, display).forEach((row, i) => add(parseTrafficRecord(row.values, row.line, i)));
  } else {
    text.split('\n').forEach((raw, i) => {
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (error) {
        return void skipped.push({line: i + 1, id: null, reason: `not valid JSON: ${(error as Error).message}`});
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) return void skipped.push({line: i + 1, id: null, reason: 'not a JSON object'});
      add(parseTrafficRecord(value as Record<string, unknown>, i + 1, i));
    });
  }
  if (requests.length === 0) {
    throw new InputError(`no usable requests in the traffic sample${skipped.length ? ` (${skipped.length} skipped; first: line ${skipped[0]!.line}: ${skipped[0]!.reason})` : ''}`, {file: display});
  }
  return {requests, skipped, available: requests.length};
}
