import {FILE_TYPES, IMAGE_TYPES, mediaMarker} from '../core/content-parts.ts';
import type {ChatMessage, ModelParams, ToolCall, ToolChoice, ToolDef} from '../core/types.ts';

export interface SimRequest {
  model: string;
  messages: ChatMessage[];
  params: ModelParams;
  stream: boolean;
  includeUsage: boolean;
  /** Images and files the request carried, as the wire gave them. */
  media: SimMedia[];
  /** Structured output asked for: a JSON Schema, or any JSON ('json'). */
  responseFormat?: Record<string, unknown> | 'json';
  /** Tools the request offers (none: []), and its tool choice in assay's words. */
  tools: ToolDef[];
  toolChoice?: ToolChoice;
}

export interface SimReply {
  id: string;
  model: string;
  text: string;
  /** Calls the reply makes (after its text), each with the id the wire gives it. */
  toolCalls: Array<ToolCall & {id: string}>;
  finish: 'stop' | 'length' | 'tool';
  /** Uncached input: the prompt minus cache reads and writes. */
  inputTokens: number;
  /** Visible output, reasoning not included. */
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWriteTtl: '5m' | '1h';
  reasoningTokens: number;
  /** A gateway's price for the request, sent in usage.cost when costVia is `usage`. */
  costUsd: number | null;
  costVia: 'usage' | 'header';
}

/** One provider's wire format as the sandbox speaks it: request parsing, JSON replies, SSE frames, errors. */
export interface WireFormat {
  name: 'openai' | 'openai-responses' | 'anthropic' | 'gemini';
  parse(body: unknown, modelFromUrl: string | undefined, streamFromUrl: boolean): SimRequest;
  reply(r: SimReply): unknown;
  /** SSE frames sent with the first piece of text (after the time to first token). */
  streamHead(r: SimReply): string[];
  streamPiece(r: SimReply, text: string, first: boolean): string;
  streamTail(r: SimReply, includeUsage: boolean): string[];
  error(status: number, message: string): unknown;
  models(ids: string[]): unknown;
}

export class BadRequest extends Error {}

/** An image or file a request carried: its kind, media type, and size (0 for a URL). */
export interface SimMedia {
  type: 'image' | 'file';
  mediaType: string;
  bytes: number;
  url?: string;
}

/** What the first bytes of each accepted media type are, as the APIs check them against the declared type. */
const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => b.subarray(0, 4).toString('latin1') === 'GIF8',
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
};

/**
 * An image or file part, checked as the APIs check one (a supported media type; base64 that decodes
 * to bytes of that type; an http(s) URL), recorded in `media`; returns its marker in the message text.
 */
export function mediaText(type: SimMedia['type'], mediaType: unknown, source: {data: unknown} | {url: unknown}, where: string, media: SimMedia[]): string {
  const allowed = Object.values(type === 'image' ? IMAGE_TYPES : FILE_TYPES);
  if (typeof mediaType !== 'string' || !allowed.includes(mediaType)) throw new BadRequest(`${where}: ${type} media type ${JSON.stringify(mediaType)} is not supported (${allowed.join(', ')})`);
  if ('url' in source) {
    if (typeof source.url !== 'string' || !/^https?:\/\//.test(source.url)) throw new BadRequest(`${where}: the ${type} URL must be http(s)`);
    media.push({type, mediaType, bytes: 0, url: source.url});
    return mediaMarker(type, {url: source.url});
  }
  if (typeof source.data !== 'string' || source.data === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(source.data)) throw new BadRequest(`${where}: the ${type} data is not base64`);
  const bytes = Buffer.from(source.data, 'base64');
  if (!SIGNATURES[mediaType]!(bytes)) throw new BadRequest(`${where}: the ${type} data does not match its media type ${mediaType}`);
  media.push({type, mediaType, bytes: bytes.length});
  return mediaMarker(type, {data: source.data});
}

export function sse(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BadRequest(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

export function textOf(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        const p = asRecord(part, `${where} part`);
        if (p.type === 'text' || typeof p.text === 'string') return String(p.text ?? '');
        throw new BadRequest(`${where}: only text content is supported by the sandbox (got ${String(p.type)})`);
      })
      .join('');
  }
  throw new BadRequest(`${where} must be a string or a list of text parts`);
}

/** A tool as a request declared it, checked for what every API requires: a name and an object schema. */
export function toolDef(name: unknown, description: unknown, parameters: unknown, where: string): ToolDef {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new BadRequest(`${where}.name must match ^[a-zA-Z0-9_-]{1,64}$`);
  const schema = parameters === undefined ? {type: 'object', properties: {}} : asRecord(parameters, `${where} parameters`);
  return {name, ...(typeof description === 'string' && {description}), parameters: schema};
}

/** Tool-call arguments as a JSON object (OpenAI sends them as JSON text). */
export function argumentsObject(raw: unknown, where: string): Record<string, unknown> {
  if (typeof raw === 'string') {
    try {
      return asRecord(JSON.parse(raw), where);
    } catch {
      throw new BadRequest(`${where} must be a JSON object`);
    }
  }
  return raw === undefined ? {} : asRecord(raw, where);
}

/** A structured-output request in any wire's words: a schema (json_schema) or any JSON. */
export function responseFormatOf(format: unknown, where: string): Record<string, unknown> | 'json' | undefined {
  if (format === undefined || format === null) return undefined;
  const f = asRecord(format, where);
  if (f.type === 'json_object') return 'json';
  if (f.type === 'text') return undefined;
  if (f.type !== 'json_schema') throw new BadRequest(`${where}.type must be json_schema, json_object or text`);
  const schema = f.schema ?? (f.json_schema as {schema?: unknown} | undefined)?.schema;
  return asRecord(schema, `${where} schema`);
}

export function optionalNumber(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadRequest(`${key} must be a number`);
  return v;
}
