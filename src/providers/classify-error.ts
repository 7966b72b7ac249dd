import type {ErrorClass} from '../core/types.ts';
import {ProviderError} from './provider-error.ts';
import {rememberedSecrets} from './secret-values.ts';

export interface ClassifyContext {
  providerId: string;
  model: string;
  baseURL: string | undefined;
  keyEnv: string | undefined;
  timeoutMs: number;
  /** Secret values that must never appear in a message. */
  secrets: string[];
}

interface HttpLikeError {
  status?: unknown;
  headers?: {get(name: string): string | null} | Record<string, string>;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  name?: unknown;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED', 'UND_ERR_CLOSED']);

export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  for (const secret of rememberedSecrets()) out = out.split(secret).join('***');
  // Also hide anything shaped like a bearer token or common key prefixes that slipped into a provider message.
  return out.replace(/\b(sk-[A-Za-z0-9_-]{8,}|AIza[0-9A-Za-z_-]{20,}|Bearer\s+[A-Za-z0-9._-]{8,})/g, '***');
}

function header(headers: HttpLikeError['headers'], name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as {get?: unknown}).get === 'function') return (headers as {get(n: string): string | null}).get(name);
  const record = headers as Record<string, string>;
  return record[name] ?? record[name.toLowerCase()] ?? null;
}

/** Parses retry-after-ms, Retry-After (seconds or HTTP date) and Gemini's RetryInfo "retryDelay": "7s". */
export function parseRetryAfterMs(headers: HttpLikeError['headers'], body?: string, now = Date.now()): number | null {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== null && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const ra = header(headers, 'retry-after');
  if (ra !== null) {
    const seconds = Number(ra);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(ra);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const delay = body ? /"retryDelay"\s*:\s*"([\d.]+)s"/.exec(body)?.[1] : undefined;
  return delay === undefined ? null : Number(delay) * 1000;
}

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as {code?: unknown}).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR') || code.startsWith('E'))) return code;
    current = (current as {cause?: unknown}).cause;
  }
  return undefined;
}

function providerMessage(raw: string): string {
  // SDKs put the JSON body in the message; surface the provider's own words when there are any.
  const match = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(raw);
  if (match) {
    try {
      return JSON.parse(`"${match[1]}"`) as string;
    } catch {
      return match[1]!;
    }
  }
  return raw;
}

export function hintFor(errorClass: ErrorClass, status: number | null, ctx: ClassifyContext, detail: string): string {
  const key = ctx.keyEnv ? `the key in $${ctx.keyEnv}` : 'the API key';
  switch (errorClass) {
    case 'auth':
      return status === 403
        ? `${key} was accepted but is not allowed to use "${ctx.model}": check the key's permissions or project, the model access list, and any IP allow-list`
        : `${key} was rejected by ${ctx.providerId}: check it is set, current, belongs to this provider, and that auth.type/header name match what the API expects`;
    case 'not-found':
      return `${ctx.providerId} answered 404: check the model id "${ctx.model}" and the baseURL ${ctx.baseURL ?? '(default)'} (OpenAI-compatible servers usually end in /v1)`;
    case 'bad-request':
      return `${ctx.providerId} rejected the request: ${detail}. Check the model's params (e.g. temperature, maxTokens) against what this model accepts`;
    case 'rate-limit':
      return `${ctx.providerId} is rate limiting: lower limits.rpm, limits.tpm or limits.concurrency for this provider, or raise your quota`;
    case 'timeout':
      return `no complete answer within ${ctx.timeoutMs} ms: raise timeoutMs, lower maxTokens, or check a proxy or firewall between you and ${ctx.baseURL ?? ctx.providerId}`;
    case 'server':
      return `${ctx.providerId} had a server-side error${status ? ` (HTTP ${status})` : ''}: usually transient; it is retried`;
    case 'network':
      return `cannot reach ${ctx.baseURL ?? ctx.providerId}: check the host and port, DNS, HTTPS_PROXY/NO_PROXY and that the server is running`;
    case 'bad-response':
      return `${ctx.providerId} sent a reply that could not be parsed as its API's format: check the baseURL points at the right kind of API`;
    case 'circuit-open':
      return `too many recent failures from ${ctx.providerId}/${ctx.model}: requests fail fast until the breaker's cooldown ends`;
  }
}

export function classFromStatus(status: number): ErrorClass {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate-limit';
  if (status >= 500) return 'server';
  if (status === 409) return 'server';
  return 'bad-request';
}

/** Maps anything an SDK (or fetch) throws onto one of SPEC's error classes, with a hint a user can act on. */
export function classifyError(error: unknown, ctx: ClassifyContext, opts: {timedOut?: boolean; stalled?: number} = {}): ProviderError {
  if (error instanceof ProviderError) return error;
  // SDKs wrap what their fetch threw ("Connection error."); our own classified error inside wins.
  for (let inner = (error as {cause?: unknown} | null)?.cause, depth = 0; inner && depth < 4; inner = (inner as {cause?: unknown}).cause, depth++) {
    if (inner instanceof ProviderError) return inner;
  }
  if (opts.stalled !== undefined) {
    return new ProviderError('timeout', `stream stalled: no data for ${opts.stalled} ms`, {
      hint: `the stream stopped sending; raise stallTimeoutMs if this model pauses for long, or check a proxy that buffers streams`,
      cause: error,
    });
  }
  const e = (error ?? {}) as HttpLikeError;
  const rawMessage = redact(String(e.message ?? error), ctx.secrets);
  const status = typeof e.status === 'number' ? e.status : null;
  const name = String(e.name ?? '');

  if (status !== null && !opts.timedOut) {
    const errorClass = classFromStatus(status);
    const detail = providerMessage(rawMessage);
    const retryAfterMs = parseRetryAfterMs(e.headers, rawMessage);
    return new ProviderError(errorClass, `HTTP ${status} from ${ctx.providerId}: ${detail}`, {
      status,
      retryAfterMs,
      hint: hintFor(errorClass, status, ctx, detail),
      // 409 (conflict) and 408 are transient by every SDK's reckoning.
      retryable: errorClass === 'rate-limit' || errorClass === 'server' || errorClass === 'timeout',
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new ProviderError('bad-response', `${ctx.providerId} sent a reply that is not valid JSON: ${rawMessage}`, {hint: hintFor('bad-response', null, ctx, ''), cause: error});
  }
  // After the status check: an HTTP 504 arrives as "GatewayTimeoutError" but is a server answer, not our timeout.
  const kind = (error as {constructor?: {name?: string}} | null)?.constructor?.name ?? '';
  if (opts.timedOut || [name, kind].some((n) => n === 'APIConnectionTimeoutError' || n === 'TimeoutError') || /^request timed out/i.test(rawMessage)) {
    return new ProviderError('timeout', `request timed out after ${ctx.timeoutMs} ms`, {hint: hintFor('timeout', null, ctx, ''), cause: error});
  }
  const code = causeCode(error);
  if (name === 'APIConnectionError' || code || /fetch failed|\bsocket\b|\bnetwork\b|\bterminated\b|other side closed/i.test(rawMessage)) {
    return new ProviderError('network', `network error talking to ${ctx.providerId}${code ? ` (${code})` : ''}: ${rawMessage}`, {
      hint: hintFor('network', null, ctx, ''),
      cause: error,
    });
  }
  return new ProviderError('bad-response', `unexpected reply from ${ctx.providerId}: ${rawMessage}`, {hint: hintFor('bad-response', null, ctx, ''), cause: error});
}
