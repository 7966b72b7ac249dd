import {Agent as HttpAgent, request as httpRequest, type IncomingMessage} from 'node:http';
import {Agent as HttpsAgent, request as httpsRequest} from 'node:https';
import {urlToHttpOptions} from 'node:url';
import {BufferedResponse} from './buffered-response.ts';
import {eventStreamBody} from './event-stream-body.ts';
import {handOn} from './hand-on.ts';
import {ReplyHeaders} from './reply-headers.ts';
import {wireTiming} from './wire-timing.ts';
import {whenAborted} from './when-aborted.ts';

/**
 * The transport under the SDKs: fetch's contract on node:http with keep-alive agents.
 *
 * Node's fetch (undici with web streams) costs about three times the CPU per request of node:http,
 * and the harness's own CPU shows up in measured latency once many requests are in flight. The
 * SDKs still build every request and parse every reply; only the bytes travel differently.
 * Bodies that are not plain text or bytes (FormData uploads, streams) and proxied setups
 * (NODE_USE_ENV_PROXY, which only fetch honours) go through fetch as before.
 */
const httpAgent = new HttpAgent({keepAlive: true, maxSockets: Infinity, scheduling: 'lifo'});
const httpsAgent = new HttpsAgent({keepAlive: true, maxSockets: Infinity, scheduling: 'lifo'});

// NODE_USE_ENV_PROXY takes effect only at start-up, so this is read once, not per request.
const PROXIED = Boolean(process.env.NODE_USE_ENV_PROXY) && ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => process.env[name]);

/** Status codes whose responses carry no body (a Response refuses one for them). */
const NULL_BODY = new Set([101, 204, 205, 304]);

function plainBody(body: unknown): string | Uint8Array | null | undefined {
  if (body === undefined || body === null) return body;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  return undefined;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  // What fetch throws: a DOMException named AbortError (SDKs test the name), carrying the reason.
  const error = new DOMException(reason instanceof Error ? reason.message : 'This operation was aborted', 'AbortError');
  Object.defineProperty(error, 'cause', {value: reason});
  return error;
}

function networkError(cause: Error): TypeError {
  return new TypeError('fetch failed', {cause});
}

function toHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/** Request headers as node:http takes them, lower-cased; a Headers object is read in place, not copied. */
function plainHeaders(init: HeadersInit | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!init) return headers;
  if (init instanceof Headers) init.forEach((value, key) => (headers[key] = value));
  else new Headers(init).forEach((value, key) => (headers[key] = value));
  return headers;
}

/**
 * Parsed request URLs and their node:http options by address. A client sends to a handful of
 * addresses over and over; parsing each again cost a few percent of a request's CPU.
 */
const parsed = new Map<string, {url: URL; options: ReturnType<typeof urlToHttpOptions>}>();
const MAX_PARSED = 256;

function parse(input: string | URL): {url: URL; options: ReturnType<typeof urlToHttpOptions>} {
  const href = typeof input === 'string' ? input : input.href;
  let hit = parsed.get(href);
  if (!hit) {
    const url = typeof input === 'string' ? new URL(input) : input;
    if (parsed.size >= MAX_PARSED) parsed.clear();
    hit = {url, options: urlToHttpOptions(url)};
    parsed.set(href, hit);
  }
  return hit;
}

/** A request URL parsed once per address (read-only: shared by every request to it). */
export function requestURL(input: string | URL): URL {
  return parse(input).url;
}

export async function httpTransport(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const body = plainBody(init.body);
  if (input instanceof Request || (init.body != null && body === undefined) || PROXIED) return fetch(input, init);
  const {url, options} = parse(input);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
  const timing = wireTiming.getStore();
  // A caller that measures the wire may hand its deadline's signal over here instead of to the SDK,
  // which would otherwise join it to its own with AbortSignal.any on every request.
  const signal = timing?.signal ?? init.signal ?? undefined;
  if (signal?.aborted) throw abortError(signal);

  const headers = plainHeaders(init.headers);
  if (body != null && headers['content-length'] === undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  headers['accept-encoding'] ??= 'identity';

  const https = url.protocol === 'https:';
  return new Promise<Response>((resolve, reject) => {
    timing && (timing.sentAt ??= performance.now());
    const req = (https ? httpsRequest : httpRequest)({...options, method: init.method ?? 'GET', headers, agent: https ? httpsAgent : httpAgent});
    let settled = false;
    const onAbort = () => req.destroy(abortError(signal!));
    const stopListening = timing?.signal && timing.listen ? timing.listen(onAbort) : signal ? whenAborted(signal, onAbort) : undefined;
    const cleanup = () => stopListening?.();
    req.on('error', (error) => {
      cleanup();
      if (!settled) {
        settled = true;
        reject(error.name === 'AbortError' ? error : networkError(error));
      }
    });
    req.on('response', (res) => {
      settled = true;
      const status = res.statusCode ?? 0;
      const statusText = res.statusMessage ?? '';
      // A success read whole gets its headers over node:http's list (ReplyHeaders); the rest a real Headers.
      const responseInit = () => ({status, statusText, headers: toHeaders(res)});
      if (NULL_BODY.has(status) || init.method === 'HEAD') {
        res.resume();
        cleanup();
        resolve(new Response(null, responseInit()));
        return;
      }
      // Server-sent events are handed over as they arrive; anything else is read whole first,
      // which is cheaper than a web stream per reply.
      if ((res.headers['content-type'] ?? '').includes('text/event-stream')) {
        const stream = eventStreamBody(res, timing, networkError);
        res.on('close', cleanup);
        resolve(new Response(stream, responseInit()));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (timing) timing.lastByteAt = performance.now();
      });
      res.on('end', () => {
        if (timing) timing.receivedAt = performance.now();
        cleanup();
        // Handed on after the loop has read every other reply that is ready, a bounded amount of
        // work a turn: parsing and grading this one must not delay noticing those (their latency
        // would include it).
        const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        // A success is read through text() or json() by the SDKs: no web stream for it. Other
        // replies (errors, redirects) are rare and get a real Response.
        const response =
          status >= 200 && status < 300
            ? (new BufferedResponse(bytes, {status, statusText, headers: new ReplyHeaders(res.rawHeaders)}, url.href) as unknown as Response)
            : new Response(bytes as unknown as BodyInit, responseInit());
        handOn(() => resolve(response));
      });
      res.on('error', (error) => {
        cleanup();
        reject(error.name === 'AbortError' ? error : networkError(error));
      });
      res.on('aborted', () => {
        cleanup();
        reject(networkError(Object.assign(new Error('other side closed'), {code: 'ECONNRESET'})));
      });
    });
    req.end(body ?? undefined);
  });
}
