import Handlebars from 'handlebars';
import type {HttpSpec} from '../config/schema.ts';
import {InputError} from '../core/errors.ts';
import {classifyError, hintFor} from './classify-error.ts';
import {classifyContext, clientFetch, deadline, type ClientOptions} from './client-options.ts';
import {normalizeFinishReason} from './finish-reason.ts';
import {readPath} from './json-path.ts';
import type {Completion, CompletionRequest, ProviderClient} from './provider-client.ts';
import {ProviderError} from './provider-error.ts';
import {sseEvents} from './sse-events.ts';
import {mergeUsage, NO_USAGE, reportedCost, type UsageParts} from './usage.ts';
import {signV4, type AwsCredentials} from './sigv4.ts';
import {streamTiming} from './wire-timing.ts';

const hbs = Handlebars.create();
hbs.registerHelper('json', (value: unknown) => new Handlebars.SafeString(JSON.stringify(value ?? null)));
hbs.registerHelper('default', (value: unknown, fallback: unknown) => (value === undefined || value === null ? fallback : value));

export type HttpAuth =
  | {type: 'bearer' | 'header' | 'query' | 'none'; name?: string}
  | {type: 'sigv4'; service: string; aws: {credentials: AwsCredentials; region: string}};

/**
 * A provider for any JSON-over-HTTP API: URL and body are Handlebars templates, the reply is read by
 * paths, and streams are SSE read by per-event paths.
 */
export function createHttpClient(opts: ClientOptions, spec: HttpSpec, auth: HttpAuth, file: string): ProviderClient {
  const compile = (raw: string, field: string) => {
    // In a JSON body, "{{json x}}}" means a helper and then a closing brace, but Handlebars reads "}}}"
    // as the end of a triple-stash. Without "{{{" in the template that reading is never meant, and
    // a space between braces changes nothing in JSON.
    const source = raw.includes('{{{') ? raw : raw.replace(/\}\}\}/g, '}} }');
    try {
      const t = hbs.compile(source, {noEscape: true, strict: false});
      hbs.precompile(source);
      return t;
    } catch (error) {
      throw new InputError(`invalid template in http.${field}: ${(error as Error).message.split('\n')[0]}`, {file, field: `http.${field}`});
    }
  };
  const urlTemplate = compile(spec.url ?? `{{baseURL}}${spec.path ?? ''}`, spec.url ? 'url' : 'path');
  const bodyTemplate = compile(spec.body, 'body');
  const streamBodyTemplate = spec.stream?.body ? compile(spec.stream.body, 'stream.body') : bodyTemplate;

  function headers(): Record<string, string> {
    const h: Record<string, string> = {'content-type': 'application/json', accept: 'application/json, text/event-stream', ...spec.headers, ...opts.headers};
    if (auth.type === 'bearer') h.authorization = `Bearer ${opts.apiKey}`;
    if (auth.type === 'header') h[(auth.name ?? 'x-api-key').toLowerCase()] = opts.apiKey;
    // sigv4 signs in send(), at the moment of sending.
    return h;
  }

  function url(template: HandlebarsTemplateDelegate, vars: Record<string, unknown>): URL {
    let u: URL;
    try {
      u = new URL(template(vars));
    } catch {
      throw new InputError(`http.url renders to an invalid URL: ${JSON.stringify(template(vars))}`, {file, field: 'http.url', hint: 'set baseURL, or write a full http.url template'});
    }
    for (const [k, v] of Object.entries(opts.query)) u.searchParams.set(k, v);
    if (auth.type === 'query') u.searchParams.set(auth.name ?? 'key', opts.apiKey);
    return u;
  }

  const boundFetch = clientFetch(opts);
  const send = (target: URL, init: RequestInit) => {
    if (auth.type !== 'sigv4') return boundFetch(target, init);
    const signed = signV4({method: init.method ?? 'GET', url: target, headers: init.headers as Record<string, string>, body: typeof init.body === 'string' ? init.body : '', credentials: auth.aws.credentials, region: auth.aws.region, service: auth.service});
    const {host: _host, ...headers} = signed.headers;
    return boundFetch(target, {...init, headers});
  };

  async function fail(response: Response): Promise<never> {
    const text = (await response.text().catch(() => '')).slice(0, 2000);
    throw Object.assign(new Error(`${response.status} ${text}`), {status: response.status, headers: response.headers});
  }

  function read(value: unknown, path: string | undefined): unknown {
    return path ? readPath(value, path) : undefined;
  }

  function tokens(value: unknown): number | null {
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  }

  /** The usage one JSON value (a reply, or one stream event) carries, by the configured paths. */
  function usageAt(json: unknown, paths: {inputTokens?: string; outputTokens?: string; cacheReadTokens?: string; cacheWriteTokens?: string; reasoningTokens?: string; costUsd?: string}): UsageParts {
    return {
      ...NO_USAGE,
      inputTokens: tokens(read(json, paths.inputTokens)),
      outputTokens: tokens(read(json, paths.outputTokens)),
      cacheReadTokens: tokens(read(json, paths.cacheReadTokens)),
      cacheWriteTokens: tokens(read(json, paths.cacheWriteTokens)),
      reasoningTokens: tokens(read(json, paths.reasoningTokens)),
      reportedCostUsd: reportedCost(read(json, paths.costUsd)),
    };
  }

  /** Disjoint kinds (as the other wires report them): subtracts cache and reasoning where the API's totals include them. */
  function disjoint(u: UsageParts, headers: Headers): UsageParts {
    const out = {...u};
    if (spec.response.inputIncludesCache && out.inputTokens !== null) out.inputTokens = Math.max(0, out.inputTokens - (out.cacheReadTokens ?? 0) - (out.cacheWriteTokens ?? 0));
    if (spec.response.outputIncludesReasoning && out.outputTokens !== null) out.outputTokens = Math.max(0, out.outputTokens - (out.reasoningTokens ?? 0));
    if (out.reportedCostUsd === null && spec.response.costHeader) out.reportedCostUsd = reportedCost(headers.get(spec.response.costHeader));
    return out;
  }

  return {
    providerId: opts.providerId,
    async complete(model, request: CompletionRequest): Promise<Completion> {
      const ctx = classifyContext(opts, model, request.timeoutMs);
      const dl = deadline(request.signal, request.timeoutMs, request.stallTimeoutMs);
      const stream = request.stream && spec.stream !== undefined;
      const userMessages = request.messages.filter((m) => m.role === 'user');
      const vars = {
        baseURL: (opts.baseURL ?? '').replace(/\/$/, ''),
        model,
        prompt: userMessages.at(-1)?.content ?? '',
        system: request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n') || undefined,
        messages: request.messages,
        params: request.params,
        stream,
      };
      const clock = streamTiming(dl.timing);
      try {
        const body = (stream ? streamBodyTemplate : bodyTemplate)(vars);
        try {
          JSON.parse(body);
        } catch (error) {
          throw new InputError(`http.body does not render to valid JSON: ${(error as Error).message}`, {file, field: stream ? 'http.stream.body' : 'http.body', hint: 'insert strings with {{json prompt}}, not "{{prompt}}"'});
        }
        const response = await dl.run(() => clock.open(() => send(url(urlTemplate, vars), {method: spec.method, headers: headers(), body, signal: dl.signal})));
        if (!response.ok) await fail(response);
        if (!stream) {
          const text = await response.text();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            throw new ProviderError('bad-response', `${opts.providerId} sent a reply that is not JSON (${response.headers.get('content-type') ?? 'no content type'}): ${text.slice(0, 200)}`, {hint: hintFor('bad-response', null, ctx, '')});
          }
          const out = read(json, spec.response.text);
          if (typeof out !== 'string') {
            throw new ProviderError('bad-response', `response path "${spec.response.text}" is ${out === undefined ? 'missing' : `a ${typeof out}`} in the reply from ${opts.providerId}`, {
              hint: `check http.response.text against a real reply; its top-level keys are: ${Object.keys((json as object) ?? {}).join(', ')}`,
              retryable: false,
            });
          }
          const finishRaw = read(json, spec.response.finishReason);
          return {
            text: out,
            ...disjoint(usageAt(json, spec.response), response.headers),
            finishReason: typeof finishRaw === 'string' ? normalizeFinishReason(finishRaw) : 'stop',
            finishReasonRaw: typeof finishRaw === 'string' ? finishRaw : null,
            latencyMs: clock.totalMs(),
            ttftMs: null,
          };
        }
        if (!response.body) throw new ProviderError('bad-response', `${opts.providerId} sent an empty stream`, {hint: hintFor('bad-response', null, ctx, '')});
        const s = spec.stream!;
        dl.touch();
        let text = '';
        let ttftMs: number | null = null;
        let usage = NO_USAGE;
        let finishRaw: string | null = null;
        let finished = s.done === undefined;
        for await (const event of sseEvents(response.body)) {
          dl.touch();
          if (s.done !== undefined && event.data.trim() === s.done) {
            finished = true;
            break;
          }
          let json: unknown;
          try {
            json = JSON.parse(event.data);
          } catch {
            throw new ProviderError('bad-response', `${opts.providerId} sent a stream event that is not JSON: ${event.data.slice(0, 200)}`, {hint: 'the stream is malformed; it is retried'});
          }
          const errorValue = read(json, s.error);
          if (errorValue !== undefined && errorValue !== null) throw new ProviderError('server', `${opts.providerId} sent an error event: ${JSON.stringify(errorValue).slice(0, 300)}`, {hint: 'the provider failed mid-stream; it is retried'});
          const delta = read(json, s.text);
          if (typeof delta === 'string' && delta !== '') {
            request.onChunk?.();
            if (ttftMs === null) ttftMs = clock.firstTokenMs();
            text += delta;
          }
          usage = mergeUsage(usage, usageAt(json, s));
          const finish = read(json, s.finishReason);
          if (typeof finish === 'string' && finish !== '') finishRaw = finish;
        }
        if (dl.signal.aborted) throw dl.signal.reason ?? new Error('aborted');
        if (!finished) throw new ProviderError('bad-response', `${opts.providerId} ended the stream without ${JSON.stringify(s.done)}`, {hint: 'the stream was cut short; it is retried'});
        return {
          text,
          ...disjoint(usage, response.headers),
          finishReason: finishRaw ? normalizeFinishReason(finishRaw) : 'stop',
          finishReasonRaw: finishRaw,
          latencyMs: clock.totalMs(),
          ttftMs,
        };
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw classifyError(error, ctx, {timedOut: dl.timedOut(), stalled: dl.stalled() ? request.stallTimeoutMs : undefined});
      } finally {
        dl.done();
      }
    },
    async listModels() {
      if (!spec.models) throw new ProviderError('not-found', `${opts.providerId} (type http) has no model list endpoint configured`, {hint: 'add http.models: {path, ids} to check model ids', retryable: false});
      const ctx = classifyContext(opts, '(list models)', opts.timeoutMs);
      const dl = deadline(undefined, opts.timeoutMs);
      try {
        const target = url(hbs.compile(spec.models.url ?? `{{baseURL}}${spec.models.path ?? ''}`, {noEscape: true}), {baseURL: (opts.baseURL ?? '').replace(/\/$/, '')});
        const response = await send(target, {method: 'GET', headers: headers(), signal: dl.signal});
        if (!response.ok) await fail(response);
        const ids = readPath(await response.json(), spec.models.ids);
        return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
      } catch (error) {
        throw classifyError(error, ctx, {timedOut: dl.timedOut()});
      } finally {
        dl.done();
      }
    },
  };
}
