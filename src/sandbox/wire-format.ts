import type {ChatMessage, ModelParams, ToolCall, ToolChoice, ToolDef} from '../core/types.ts';

export interface SimRequest {
  model: string;
  messages: ChatMessage[];
  params: ModelParams;
  stream: boolean;
  includeUsage: boolean;
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
  name: 'openai' | 'anthropic' | 'gemini';
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

export function optionalNumber(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadRequest(`${key} must be a number`);
  return v;
}
