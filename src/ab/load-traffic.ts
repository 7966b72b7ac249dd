import {readFile} from 'node:fs/promises';
import {extname} from 'node:path';
import {InputError} from '../core/errors.ts';
import type {ChatMessage, ModelParams} from '../core/types.ts';
import {fromOpenAIChatRequest} from './openai-chat-request.ts';
export type {LoggedAnswer, Parsed, SkippedRequest, TrafficFormat, TrafficRequest} from './traffic-request.ts';
export {TRAFFIC_FORMATS} from './traffic-request.ts';
import {type LoggedAnswer, type Parsed, type SkippedRequest, type TrafficFormat, type TrafficRequest} from './traffic-request.ts';
import {parseCsv} from '../datasets/load-dataset.ts';
import {answerText} from './chat-messages.ts';
import {importHelicone, isHelicone} from './import-helicone.ts';
import {importLangfuse, isLangfuse} from './import-langfuse.ts';
import {importLangsmith, isLangsmith} from './import-langsmith.ts';
import {importLitellm, isLitellm} from './import-litellm.ts';
import {importOtel, isOtel} from './import-otel.ts';
import {metadataOf, num} from './imported-request.ts';
import {stratifySample} from './stratify-sample.ts';




export interface TrafficSample {
  requests: TrafficRequest[];
  skipped: SkippedRequest[];
  /** Requests in the file before sampling (after skipping). */
  available: number;
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
  let messages: ChatMessage[];
  let params: ModelParams = {};
  let raw = body.messages;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return skip('"messages" is a string that is not JSON');
    }
  }
  if (Array.isArray(raw)) {
    // Tools, tool calls and results, images, files and a response format are replayed as production sent them.
    const replayed = fromOpenAIChatRequest(body, raw);
    if (!replayed.ok) return skip(replayed.reason);
    messages = replayed.messages;
    params = replayed.params;
    if (!messages.some((m) => m.role === 'user')) return skip('has no user message');
  } else if (typeof body.prompt === 'string' || typeof value.prompt === 'string') {
    messages = [{role: 'user', content: String(body.prompt ?? value.prompt)}];
  } else {
    return skip('has neither "messages" nor "prompt"');
  }
  const expected = value.expected ?? value.reference ?? value.ideal;
  return {
    ok: true,
    request: {id, messages, ...(Object.keys(params).length > 0 && {params}), expected: expected === undefined || expected === null ? null : typeof expected === 'string' ? expected : JSON.stringify(expected), tags: tagsOf(value.tags ?? value.tag), line, logged: loggedOpenAi(value), ...metadataOf(value.metadata ?? body.metadata)},
  };
}

/** An OpenAI-format line's logged answer: `response` holds the chat completion production returned. */
function loggedOpenAi(value: Record<string, unknown>): LoggedAnswer | null {
  const output = answerText(value.response);
  if (output === null) return null;
  const response = value.response as {model?: unknown; usage?: {prompt_tokens?: unknown; completion_tokens?: unknown}};
  return {
    model: typeof response?.model === 'string' ? response.model : typeof value.model === 'string' ? value.model : null,
    output,
    latencyMs: num(value.latency_ms ?? value.latencyMs),
    ttftMs: num(value.ttft_ms ?? value.ttftMs),
    inputTokens: num(response?.usage?.prompt_tokens),
    outputTokens: num(response?.usage?.completion_tokens),
    costUsd: num(value.cost_usd ?? value.costUsd),
  };
}

/** Which tool wrote a record, by the fields only that tool writes; everything else is OpenAI-format. */
export function detectTrafficFormat(value: Record<string, unknown>): TrafficFormat {
  if (isOtel(value)) return 'otel';
  if (isLitellm(value)) return 'litellm';
  if (isHelicone(value)) return 'helicone';
  if (isLangsmith(value)) return 'langsmith';
  if (isLangfuse(value)) return 'langfuse';
  return 'openai';
}

/** One record (a JSON object) as requests: most formats give one, a trace or an OTLP batch several. */
export function importTrafficRecord(value: Record<string, unknown>, format: TrafficFormat | 'auto', line: number | undefined, index: number): Parsed[] {
  switch (format === 'auto' ? detectTrafficFormat(value) : format) {
    case 'otel':
      return importOtel(value, line, index);
    case 'langfuse':
      return importLangfuse(value, line, index);
    case 'litellm':
      return [importLitellm(value, line, index)];
    case 'helicone':
      return [importHelicone(value, line, index)];
    case 'langsmith':
      return [importLangsmith(value, line, index)];
    case 'openai':
      return [parseTrafficRecord(value, line, index)];
  }
}

/** Keeps n requests, chosen by the seed; with tags, each tag (the first one) keeps its share of n. */
export function sampleTraffic(requests: TrafficRequest[], n: number | undefined, seed: number): TrafficRequest[] {
  return stratifySample(requests, {n, seed}).requests;
}

export interface LoadTrafficOptions {
  /** The tool that wrote the file (default: told apart per record). */
  format?: TrafficFormat | 'auto';
  /** Refuse the file at its first malformed or unusable record instead of skipping it. */
  strict?: boolean;
}

/** A JSON document (an array of records, or one object such as an OTLP export), or null for JSONL. */
function wholeDocument(text: string): Array<{value: unknown; line: number}> | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[') && !(trimmed.startsWith('{') && trimmed.includes('\n') && !trimmed.split('\n')[0]!.trim().endsWith('}'))) return null;
  try {
    const doc = JSON.parse(trimmed) as unknown;
    return Array.isArray(doc) ? doc.map((value, i) => ({value, line: i + 1})) : [{value: doc, line: 1}];
  } catch {
    return null;
  }
}

/**
 * Reads a traffic sample: JSONL (one record per line), a JSON array or document, or CSV ({prompt} or
 * {messages} columns), in any of TRAFFIC_FORMATS. Bad records are reported with their line and
 * skipped, or refused with `strict`.
 */
export async function loadTraffic(file: string, display = file, opts: LoadTrafficOptions = {}): Promise<Omit<TrafficSample, 'available'> & {available: number}> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError('traffic sample not found', {file: display, hint: 'pass --sample FILE (JSONL of chat requests, or CSV with a prompt column)'});
  }
  const requests: TrafficRequest[] = [];
  const skipped: SkippedRequest[] = [];
  const seen = new Set<string>();
  const format = opts.format ?? 'auto';
  const add = (p: Parsed) => {
    if (!p.ok && opts.strict) throw new InputError(`line ${p.skip.line ?? '?'}${p.skip.id ? ` (${p.skip.id})` : ''} ${p.skip.reason}`, {file: display, line: p.skip.line, hint: 'fix or remove that record, or leave out --strict to skip it'});
    if (!p.ok) return void skipped.push(p.skip);
    if (seen.has(p.request.id)) return void skipped.push({line: p.request.line, id: p.request.id, reason: `duplicate id "${p.request.id}"`});
    seen.add(p.request.id);
    requests.push(p.request);
  };
  const document = extname(file).toLowerCase() === '.csv' ? null : wholeDocument(text);
  if (extname(file).toLowerCase() === '.csv') {
    parseCsv(text, display).forEach((row, i) => add(parseTrafficRecord(row.values, row.line, i)));
  } else if (document) {
    document.forEach(({value, line}, i) => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return add({ok: false, skip: {line, id: null, reason: 'is not a JSON object'}});
      for (const p of importTrafficRecord(value as Record<string, unknown>, format, line, i)) add(p);
    });
  } else {
    text.split('\n').forEach((raw, i) => {
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (error) {
        return add({ok: false, skip: {line: i + 1, id: null, reason: `is not valid JSON: ${(error as Error).message}`}});
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) return add({ok: false, skip: {line: i + 1, id: null, reason: 'is not a JSON object'}});
      for (const p of importTrafficRecord(value as Record<string, unknown>, format, i + 1, i)) add(p);
    });
  }
  if (requests.length === 0) {
    throw new InputError(`no usable requests in the traffic sample${skipped.length ? ` (${skipped.length} skipped; first: line ${skipped[0]!.line}: ${skipped[0]!.reason})` : ''}`, {file: display});
  }
  return {requests, skipped, available: requests.length};
}
