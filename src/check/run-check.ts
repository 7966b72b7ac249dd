import {lookup} from 'node:dns/promises';
import {connect as connectTcp, isIP, type Socket} from 'node:net';
import {setTimeout as sleep} from 'node:timers/promises';
import {connect as connectTls} from 'node:tls';
import {loadConfig, type LoadedModel, type LoadedProvider} from '../config/load-config.ts';
import {InputError} from '../core/errors.ts';
import type {ErrorClass, ModelParams} from '../core/types.ts';
import {classifyError, redact} from '../providers/classify-error.ts';
import {createProviderClient, keyEnvOf} from '../providers/create-client.ts';
import {createTokenSource} from '../providers/create-token-source.ts';
import type {TokenSource} from '../providers/token-source.ts';
import type {Completion, ProviderClient} from '../providers/provider-client.ts';
import {ProviderError} from '../providers/provider-error.ts';
import {sandboxBaseURL} from '../runner/open-clients.ts';
import {startSimulated} from '../runner/simulated.ts';
import type {Sandbox} from '../sandbox/sandbox-server.ts';
import {bareModelId, closestIds} from './closest-ids.ts';

export type CheckStepName = 'reachability' | 'token' | 'auth' | 'models' | 'canary' | 'stream';

/** One verdict. Everything but name and ok is optional so the JSON stays as small as the facts. */
export interface CheckStep {
  name: CheckStepName;
  ok: boolean;
  /** The model label (per-model steps only). */
  model?: string;
  errorClass?: ErrorClass;
  status?: number;
  /** The likely cause and the fix, for a failure. */
  hint?: string;
  latencyMs?: number;
  ttftMs?: number;
  /** What was observed, in words: the provider's own message for a failure. */
  detail?: string;
  usageReported?: boolean;
  retryAfterMs?: number;
  /** Listed model ids closest to a configured id that is not listed. */
  suggestions?: string[];
  /** Not run, because an earlier step already explains the failure (or the config opts out of it). */
  skipped?: boolean;
}

export interface ProviderCheck {
  id: string;
  ok: boolean;
  /** A sandbox provider: its models are simulated. */
  simulated: boolean;
  steps: CheckStep[];
  /** Parameters the provider's API cannot take (they are not sent), as in `assay run`. */
  warnings?: string[];
}

export interface CheckReport {
  ok: boolean;
  providers: ProviderCheck[];
}

export interface CheckOptions {
  config?: string;
  cwd?: string;
  /** Only these provider ids (default: every provider in the config). */
  providers?: string[];
  /** Per request; default the provider's timeoutMs, else 30 s. */
  timeoutMs?: number;
}

export const CANARY_PROMPT = 'Reply with the word: ok';
const CANARY_MAX_TOKENS = 8;
const DEFAULT_CHECK_TIMEOUT_MS = 30_000;
/** A TCP or TLS handshake that takes longer than this is not going to succeed. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Where each SDK goes when the provider names no baseURL (the SDKs read these env vars themselves). */
function defaultEndpoint(provider: LoadedProvider): {url: string; note: string} {
  const type = provider.type === 'sandbox' ? provider.wire : provider.type;
  if (provider.endpoint) return {url: provider.endpoint, note: ' (endpoint)'};
  if (provider.vertex) {
    const {location} = provider.vertex;
    return {url: location === 'global' ? 'https://aiplatform.googleapis.com' : `https://${location}-aiplatform.googleapis.com`, note: ' (Vertex AI in this location)'};
  }
  if (type === 'openai' && process.env.OPENAI_BASE_URL) return {url: process.env.OPENAI_BASE_URL, note: ' (from $OPENAI_BASE_URL)'};
  if (type === 'anthropic' && process.env.ANTHROPIC_BASE_URL) return {url: process.env.ANTHROPIC_BASE_URL, note: ' (from $ANTHROPIC_BASE_URL)'};
  if (type === 'anthropic') return {url: 'https://api.anthropic.com', note: ' (the SDK default)'};
  if (type === 'gemini') return {url: 'https://generativelanguage.googleapis.com', note: ' (the SDK default)'};
  return {url: 'https://api.openai.com/v1', note: ' (the SDK default)'};
}

const AUTH_SCHEME: Record<string, string> = {
  openai: 'an "Authorization: Bearer" header',
  'azure-openai': 'an "api-key" header',
  'openai-compatible': 'an "Authorization: Bearer" header',
  anthropic: 'an "x-api-key" header',
  gemini: 'an "x-goog-api-key" header',
};

function proxyConfigured(): string | undefined {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].find((name) => process.env[name]);
}

function failed(name: CheckStepName, errorClass: ErrorClass, detail: string, hint: string, extra: Partial<CheckStep> = {}): CheckStep {
  return {name, ok: false, errorClass, detail, hint, ...extra};
}

function skipped(name: CheckStepName, model: string | undefined, why: string, ok = false): CheckStep {
  return {name, ok, ...(model !== undefined && {model}), skipped: true, detail: `not run: ${why}`};
}

function rounded(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Rejects with the socket's error code, or ETIMEDOUT when the handshake does not finish in time. */
function handshake(start: () => Socket, readyEvent: 'connect' | 'secureConnect', timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = start();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), {code: 'ETIMEDOUT'}));
    }, timeoutMs);
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

const TLS_TRUST_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/;

/** DNS, then TCP, then (for https) TLS: each failure has its own cause, so each gets its own fix. */
export async function probeReachability(endpoint: string, timeoutMs: number): Promise<CheckStep> {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const where = `${host}:${port}`;
  const proxy = proxyConfigured();
  const proxyNote = proxy
    ? ` ${proxy} is set: this check connects directly, and so do the SDKs unless Node is started with NODE_USE_ENV_PROXY=1; if this network only lets traffic out through the proxy, set that.`
    : ' If this network needs a proxy, set HTTPS_PROXY and NODE_USE_ENV_PROXY=1.';
  const started = performance.now();

  let address = host;
  if (isIP(host) === 0) {
    try {
      address = (await lookup(host)).address;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return failed('reachability', 'network', `DNS lookup of ${host} failed (${code})`, `the host name in baseURL ${endpoint} does not resolve: check its spelling, your DNS server or VPN (internal hosts often need one).${proxyNote}`, {
        latencyMs: rounded(performance.now() - started),
      });
    }
  }
  const dnsMs = performance.now() - started;

  let socket: Socket;
  try {
    socket = await handshake(() => connectTcp({host: address, port}), 'connect', timeoutMs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const latencyMs = rounded(performance.now() - started);
    const detail = `TCP connect to ${where}${address !== host ? ` (${address})` : ''} failed (${code})`;
    if (code === 'ECONNREFUSED') {
      return failed('reachability', 'network', detail, `nothing is listening on ${where}: is the server running, and are the host and port in baseURL ${endpoint} right?`, {latencyMs});
    }
    if (code === 'ETIMEDOUT') {
      return failed('reachability', 'timeout', detail, `no answer from ${where} within ${timeoutMs} ms: a firewall dropping the packets, a network that requires a proxy, or the wrong host in baseURL ${endpoint}.${proxyNote}`, {latencyMs});
    }
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
      return failed('reachability', 'network', detail, `no route to ${where}: check the network, VPN and firewall, and the host in baseURL ${endpoint}.${proxyNote}`, {latencyMs});
    }
    return failed('reachability', 'network', detail, `cannot connect to ${where}: check the host and port in baseURL ${endpoint}, any firewall, and that the server is running.${proxyNote}`, {latencyMs});
  }
  const tcpMs = performance.now() - started - dnsMs;

  let tlsMs: number | null = null;
  if (secure) {
    try {
      const tlsSocket = await handshake(() => connectTls({socket, servername: isIP(host) === 0 ? host : undefined, ALPNProtocols: ['http/1.1']}), 'secureConnect', timeoutMs);
      tlsSocket.destroy();
    } catch (error) {
      socket.destroy();
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      const latencyMs = rounded(performance.now() - started);
      const detail = `TLS handshake with ${where} failed (${code}): ${(error as Error).message}`;
      if (TLS_TRUST_CODES.test(code)) {
        return failed('reachability', 'network', detail, `the server's certificate is not trusted: a TLS-inspecting proxy or firewall usually causes this; point NODE_EXTRA_CA_CERTS at its CA bundle (or fix the host name in baseURL ${endpoint} if the certificate is for another name)`, {latencyMs});
      }
      return failed('reachability', 'network', detail, `${where} accepted the connection but not TLS: if the server speaks plain HTTP, use http:// in baseURL ${endpoint}; otherwise a proxy may be interfering`, {latencyMs});
    }
    tlsMs = performance.now() - started - dnsMs - tcpMs;
  } else {
    socket.destroy();
  }
  const parts = [`DNS ${Math.round(dnsMs)} ms`, `TCP ${Math.round(tcpMs)} ms`, ...(tlsMs === null ? [] : [`TLS ${Math.round(tlsMs)} ms`])];
  return {name: 'reachability', ok: true, latencyMs: rounded(performance.now() - started), detail: `${endpoint} → ${where}${address !== host ? ` (${address})` : ''}: ${parts.join(', ')}`};
}

interface ProviderContext {
  provider: LoadedProvider;
  endpoint: string;
  keyEnv: string | undefined;
  timeoutMs: number;
  listed: string[] | null;
  listError: ProviderError | null;
  reachable: boolean;
  tokenSource: TokenSource | null;
}

function secretsOf(provider: LoadedProvider): string[] {
  const env = keyEnvOf(provider);
  const value = env ? process.env[env] : undefined;
  return value ? [value, value.trim()] : [];
}

function asProviderError(error: unknown, ctx: ProviderContext, model: string): ProviderError {
  return classifyError(error, {providerId: ctx.provider.id, model, baseURL: ctx.endpoint, keyEnv: ctx.keyEnv, timeoutMs: ctx.timeoutMs, secrets: secretsOf(ctx.provider)});
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    timer.unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** What is wrong with the key's value itself, told without showing any of it. */
function keyShapeNote(keyEnv: string | undefined): string {
  const value = keyEnv ? process.env[keyEnv] : undefined;
  if (!value) return '';
  if (/^["']|["']$/.test(value)) return ` Its value is wrapped in quotes: remove them.`;
  if (value !== value.trim()) return ` Its value has leading or trailing whitespace (a pasted newline?): remove it.`;
  return '';
}

function authAdvice(ctx: ProviderContext, status: number | null, model?: string): string {
  if (ctx.tokenSource) {
    const who = ctx.tokenSource.describe;
    return status === 403
      ? `the token from ${who} was accepted but is not allowed to do this${model ? ` with "${model}"` : ''}: give the identity a role on the resource (Azure: Cognitive Services OpenAI User; Vertex AI: Vertex AI User), or request the right scope`
      : `a token freshly issued by ${who} was rejected by ${ctx.provider.id}: it is for another audience or scope than this API (check auth.scope and auth.audience), from another tenant or project, or already expired (a command printing a cached token: log in again; or this machine's clock is off)`;
  }
  const key = ctx.keyEnv ? `the key in $${ctx.keyEnv}` : 'the API key';
  const wire = ctx.provider.type === 'sandbox' ? ctx.provider.wire : ctx.provider.type;
  if (status === 403) {
    return (
      `${key} was recognised but is not allowed to do this${model ? ` with "${model}"` : ''}: check the key's permissions or scopes (model read, chat write), ` +
      `that it belongs to the project or organisation that has access to this model, and any IP allow-list on the account (this machine's address may not be on it).`
    );
  }
  return (
    `${key} was rejected by ${ctx.provider.id}: check that ${ctx.keyEnv ? `$${ctx.keyEnv}` : 'the variable named by auth.env'} holds a current key issued by this provider ` +
    `(not another provider's, not revoked, not from another project or region).${keyShapeNote(ctx.keyEnv)} ` +
    `assay sends it as ${AUTH_SCHEME[wire] ?? 'the SDK\'s native header'} (the ${wire} SDK's scheme): an endpoint that expects another header name, a query parameter or request signing answers 401, so check the provider's type and baseURL.`
  );
}

/** Wire names providers use in their 400 messages, mapped to the config's parameter names. */
const PARAM_NAMES: Array<[RegExp, keyof ModelParams | 'stream_options']> = [
  [/\btemperature\b/i, 'temperature'],
  [/\bmax_completion_tokens\b|\bmax_tokens\b|\bmaxOutputTokens\b|\bmax_output_tokens\b/i, 'maxTokens'],
  [/\btop_p\b|\btopP\b/i, 'topP'],
  [/\btop_k\b|\btopK\b/i, 'topK'],
  [/\bstop_sequences\b|\bstopSequences\b|\bstop\b/i, 'stop'],
  [/\bfrequency_penalty\b|\bfrequencyPenalty\b/i, 'frequencyPenalty'],
  [/\bpresence_penalty\b|\bpresencePenalty\b/i, 'presencePenalty'],
  [/\bseed\b/i, 'seed'],
  [/\bstream_options\b/i, 'stream_options'],
];

/** The provider's own words, without the "HTTP 400 from id: 400 " that classification and the SDK put in front. */
function providerWords(error: ProviderError): string {
  return error.message.replace(/^HTTP \d+ from [^:]+: (?:\d{3} )?/, '').replace(/\.+$/, '');
}

function badRequestAdvice(error: ProviderError, model: LoadedModel | undefined, sent: ModelParams): string {
  const param = PARAM_NAMES.find(([pattern]) => pattern.test(error.message))?.[1];
  const sentText = Object.entries(sent).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
  const where = model ? `models[label=${model.label}].params` : 'the model\'s params';
  const said = `${error.status === null ? 'the provider' : `HTTP ${error.status}`}: "${providerWords(error)}".`;
  if (param === 'stream_options') {
    return `${said} The server does not accept stream_options (which asks for token usage in streams): set stream: false on this model, or use an endpoint that supports it.`;
  }
  if (param === 'maxTokens' && model?.provider.type === 'openai') {
    return `${said} The rejected parameter is the token limit: type "openai" sends max_completion_tokens; an older OpenAI-compatible server wants max_tokens, which type "openai-compatible" sends.`;
  }
  if (param && param in sent) return `${said} The rejected parameter is ${param}: change or remove ${where}.${param} (this check sent ${sentText}).`;
  if (param) return `${said} It names ${param}, which this check did not send (it sent ${sentText}): check the model id, and headers or query parameters in the provider definition.`;
  return `${said} It names no parameter assay recognises; this check sent ${sentText}: compare them with what this model accepts (${where}).`;
}

function notFoundAdvice(ctx: ProviderContext, model: LoadedModel | undefined): {hint: string; suggestions?: string[]} {
  const endpointHint = `check the baseURL ${ctx.endpoint}: an OpenAI-compatible server's usually ends in /v1; Anthropic's and Gemini's have no path`;
  if (!model) return {hint: `listing models answered 404, so the baseURL's path is probably wrong: ${endpointHint}`};
  if (ctx.listed === null) {
    return {hint: `404 for "${model.model}", and the model list could not be read either: ${endpointHint}, then check the model id`};
  }
  const id = bareModelId(model.model);
  if (ctx.listed.some((listed) => bareModelId(listed) === id)) {
    return {hint: `"${model.model}" is in the model list, yet the chat endpoint answered 404: ${endpointHint}; also check this model supports chat (not only embeddings or another API)`};
  }
  const suggestions = closestIds(model.model, ctx.listed);
  return {
    hint: `"${model.model}" is not among the ${ctx.listed.length} model${ctx.listed.length === 1 ? '' : 's'} ${ctx.provider.id} lists: ${suggestions.length > 0 ? `did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}? ` : ''}fix models[label=${model.label}].model`,
    ...(suggestions.length > 0 && {suggestions}),
  };
}

/** The likely cause and the fix, per error class, with what the earlier steps already established. */
function diagnose(error: ProviderError, ctx: ProviderContext, model: LoadedModel | undefined, sent: ModelParams, stream: boolean): Partial<CheckStep> {
  const base: Partial<CheckStep> = {errorClass: error.errorClass, ...(error.status !== null && {status: error.status}), detail: error.message};
  switch (error.errorClass) {
    case 'auth':
      return {...base, hint: authAdvice(ctx, error.status, model?.model)};
    case 'not-found':
      return {...base, ...notFoundAdvice(ctx, model)};
    case 'bad-request':
      return {...base, hint: badRequestAdvice(error, model, sent)};
    case 'rate-limit': {
      const wait = error.retryAfterMs === null ? 'it sent no Retry-After' : `it asks to wait ${Math.round(error.retryAfterMs) / 1000} s (Retry-After)`;
      const quota = /quota|billing|credit|insufficient/i.test(error.message) ? ' The message mentions quota or billing: the account may be out of credit; check its billing and usage limits.' : '';
      return {
        ...base,
        ...(error.retryAfterMs !== null && {retryAfterMs: error.retryAfterMs}),
        hint: `${ctx.provider.id} is rate limiting (HTTP ${error.status ?? 429}); ${wait}. Set limits.rpm, limits.tpm and limits.concurrency to what your tier allows, or raise the quota.${quota}`,
      };
    }
    case 'timeout':
      return {
        ...base,
        hint:
          `no complete answer within ${ctx.timeoutMs} ms${ctx.reachable ? ' although the host accepts connections' : ''}: is the server overloaded or stuck? ` +
          `a proxy or firewall may be holding the request${stream ? ' or buffering the stream' : ''}; raise timeoutMs if this model is just slow`,
      };
    case 'server':
      return {
        ...base,
        hint: `${ctx.provider.id} failed on its side${error.status !== null ? ` (HTTP ${error.status})` : ''}: not something in your config; try again later and check the provider's status page`,
      };
    case 'network':
      return {
        ...base,
        hint: ctx.reachable
          ? `the connection to ${ctx.endpoint} dropped mid-request although it accepts connections: a proxy, load balancer or firewall closing it, or the server crashing on this request`
          : `cannot reach ${ctx.endpoint}: check the host and port, DNS, HTTPS_PROXY/NO_PROXY and that the server is running`,
      };
    case 'bad-response':
      return {
        ...base,
        hint: stream
          ? `the stream could not be read: a proxy that buffers or rewrites server-sent events, or a server without streaming support (set stream: false on this model); also check the baseURL ${ctx.endpoint} is this kind of API`
          : `the reply is not ${ctx.provider.type === 'sandbox' ? ctx.provider.wire : ctx.provider.type} API format: check the baseURL ${ctx.endpoint} points at this kind of API (not a login page or another vendor's API)`,
      };
    case 'circuit-open':
      return {...base, hint: error.hint ?? ''};
  }
}

function canaryParams(model: LoadedModel): ModelParams {
  // The model's own params, so a 400 names one a run would really send; only the length is cut short.
  // Temperature is not forced: reasoning models reject any but their default.
  return {...model.params, maxTokens: CANARY_MAX_TOKENS};
}

function describeCompletion(c: Completion, stream: boolean): string {
  const text = c.text.length > 40 ? `${c.text.slice(0, 40)}…` : c.text;
  const usage =
    c.inputTokens !== null && c.outputTokens !== null
      ? `usage reported (${c.inputTokens} in / ${c.outputTokens} out)`
      : stream
        ? 'no usage in the stream: token counts and cost will be estimated'
        : 'no usage reported: token counts and cost will be estimated';
  const timing = stream ? (c.ttftMs === null ? `no text arrived; ${Math.round(c.latencyMs)} ms in all` : `first token after ${Math.round(c.ttftMs)} ms, ${Math.round(c.latencyMs)} ms in all`) : `${Math.round(c.latencyMs)} ms`;
  return `answered ${JSON.stringify(text)} (finish: ${c.finishReason}); ${timing}; ${usage}`;
}

type Probe = {completion: Completion; error?: undefined; transient?: ProviderError} | {completion?: undefined; error: ProviderError};

/** A 429 or 5xx may be a blip: one more try, after the wait the provider asked for (capped), tells a blip from a standing failure. */
const TRANSIENT: ReadonlySet<ErrorClass> = new Set(['rate-limit', 'server']);
const MAX_TRANSIENT_WAIT_MS = 5_000;

async function probeCompletion(client: ProviderClient, ctx: ProviderContext, model: LoadedModel, stream: boolean): Promise<Probe> {
  let first: ProviderError | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const completion = await client.complete(model.model, {
        messages: [{role: 'user', content: CANARY_PROMPT}],
        params: canaryParams(model),
        stream,
        timeoutMs: ctx.timeoutMs,
        stallTimeoutMs: ctx.provider.stallTimeoutMs,
      });
      return {completion, ...(first && {transient: first})};
    } catch (raw) {
      const error = asProviderError(raw, ctx, model.model);
      if (attempt >= 2 || !TRANSIENT.has(error.errorClass) || (error.retryAfterMs ?? 0) > MAX_TRANSIENT_WAIT_MS) return {error};
      first = error;
      await sleep(error.retryAfterMs ?? 500);
    }
  }
}

function completionStep(name: 'canary' | 'stream', model: LoadedModel, probe: Probe, ctx: ProviderContext): CheckStep {
  const stream = name === 'stream';
  if (probe.error) return {name, ok: false, model: model.label, ...diagnose(probe.error, ctx, model, canaryParams(model), stream)};
  const c = probe.completion;
  return {
    name,
    ok: true,
    model: model.label,
    latencyMs: rounded(c.latencyMs),
    ...(stream && c.ttftMs !== null && {ttftMs: rounded(c.ttftMs)}),
    usageReported: c.inputTokens !== null && c.outputTokens !== null,
    detail:
      describeCompletion(c, stream) +
      (probe.transient ? `; the first attempt failed (${probe.transient.message}) and the second succeeded: a transient fault, which runs retry` : ''),
  };
}

function modelListStep(model: LoadedModel, ctx: ProviderContext, answered: boolean, canary: Probe | null): CheckStep {
  const step = {name: 'models' as const, model: model.label};
  if (ctx.listed !== null) {
    const id = bareModelId(model.model);
    if (ctx.listed.some((listed) => bareModelId(listed) === id)) return {...step, ok: true, detail: `"${model.model}" is listed`};
    if (answered) return {...step, ok: true, detail: `"${model.model}" is not in the model list, but it answered (an alias the list leaves out?)`};
    const advice = notFoundAdvice(ctx, model);
    return {...step, ok: false, errorClass: 'not-found', detail: `"${model.model}" is not in the list of ${ctx.listed.length} model${ctx.listed.length === 1 ? '' : 's'}`, ...advice};
  }
  if (answered) return {...step, ok: true, detail: `not checked against a list (listing models failed), but "${model.model}" answered`};
  const listError = ctx.listError!;
  const fromCanary = canary?.error;
  // The canary's own failure says more about this model than the listing's does, unless both are the same story.
  const error = fromCanary && fromCanary.errorClass !== listError.errorClass ? fromCanary : listError;
  return {...step, ok: false, ...diagnose(error, ctx, error === listError ? undefined : model, canaryParams(model), false), detail: `cannot verify "${model.model}": ${error.message}`};
}

interface PreparedProvider {
  provider: LoadedProvider;
  models: LoadedModel[];
  endpoint: string;
  reach: CheckStep;
  /** Null when a key or credential variable is missing: that is reported, not thrown. */
  client: ProviderClient | null;
  /** Why there is no client (a missing variable or credentials file), said as the config error says it. */
  setupError: InputError | null;
  tokenSource: TokenSource | null;
  warnings: string[];
}

/** Probes every endpoint before any SDK client is built, so module loading never inflates a connect time. */
async function reachProvider(provider: LoadedProvider, sandbox: Sandbox | null, opts: CheckOptions): Promise<Omit<PreparedProvider, 'client' | 'models' | 'warnings' | 'setupError' | 'tokenSource'>> {
  const baseURL = sandboxBaseURL(provider, sandbox);
  const fallback = defaultEndpoint(provider);
  const endpoint = baseURL ?? provider.baseURL ?? fallback.url;
  const timeoutMs = opts.timeoutMs ?? provider.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const reach = await probeReachability(endpoint, Math.min(timeoutMs, CONNECT_TIMEOUT_MS));
  if (!baseURL && !provider.baseURL && reach.detail) reach.detail += fallback.note;
  return {provider, endpoint, reach};
}

async function clientFor(provider: LoadedProvider, sandbox: Sandbox | null, warnings: string[]): Promise<Pick<PreparedProvider, 'client' | 'setupError' | 'tokenSource'>> {
  const baseURL = sandboxBaseURL(provider, sandbox);
  try {
    const tokenSource = createTokenSource(provider);
    return {client: await createProviderClient(provider, {warn: (w) => warnings.push(w.message), baseURL, tokenSource}), setupError: null, tokenSource};
  } catch (error) {
    if (error instanceof InputError && error.field?.startsWith('auth')) return {client: null, setupError: error, tokenSource: null};
    throw error;
  }
}

/** Gets a token before anything else, so a token failure is told as such and not as the API refusing the key. */
async function tokenStep(source: TokenSource): Promise<{step: CheckStep; ok: boolean}> {
  const started = performance.now();
  try {
    await source.token();
    const expiresAtMs = source.expiresAtMs();
    const left = expiresAtMs === null ? '' : `, valid for ${Math.max(0, Math.round((expiresAtMs - Date.now()) / 1000))} s`;
    return {ok: true, step: {name: 'token', ok: true, latencyMs: rounded(performance.now() - started), detail: `token from ${source.describe}${left}`}};
  } catch (raw) {
    const error = raw instanceof ProviderError ? raw : new ProviderError('auth', (raw as Error).message, {hint: (raw as InputError).hint ?? ''});
    return {
      ok: false,
      step: {name: 'token', ok: false, errorClass: error.errorClass, ...(error.status !== null && {status: error.status}), latencyMs: rounded(performance.now() - started), detail: error.message, hint: error.hint ?? ''},
    };
  }
}

async function checkProvider(prepared: PreparedProvider, opts: CheckOptions): Promise<ProviderCheck> {
  const {provider, models, endpoint, reach, client, warnings, setupError, tokenSource} = prepared;
  const timeoutMs = opts.timeoutMs ?? provider.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const keyEnv = keyEnvOf(provider);
  const steps: CheckStep[] = [reach];
  const finish = (): ProviderCheck => ({
    id: provider.id,
    ok: steps.every((s) => s.ok),
    simulated: provider.type === 'sandbox',
    steps,
    ...(warnings.length > 0 && {warnings}),
  });
  const skipModels = (why: string) => {
    for (const m of models) {
      steps.push(skipped('models', m.label, why));
      if (m.type !== 'embedding') steps.push(skipped('canary', m.label, why), skipped('stream', m.label, why));
    }
  };

  if (client === null && setupError && setupError.field !== 'auth.env') {
    const message = setupError.message.replace(/^.*?field "[^"]+": /, '');
    steps.push(failed('auth', 'auth', message, setupError.hint ?? ''));
    skipModels('no credentials');
    return finish();
  }
  if (client === null) {
    steps.push(
      failed('auth', 'auth', `$${keyEnv} is not set, so there is no key to send`, `export ${keyEnv}=<your key> in this shell, or add ${keyEnv}=<your key> to the .env file beside the config (auth.env in ${provider.file} names the variable)`),
    );
    skipModels(`no API key ($${keyEnv} is not set)`);
    return finish();
  }
  // Behind a proxy the direct connection may fail while the SDKs' requests go through, so carry on then.
  if (!reach.ok && !proxyConfigured()) {
    steps.push(skipped('auth', undefined, 'the endpoint is not reachable'));
    skipModels('the endpoint is not reachable');
    return finish();
  }

  if (tokenSource) {
    const token = await tokenStep(tokenSource);
    steps.push(token.step);
    if (!token.ok) {
      steps.push(skipped('auth', undefined, 'there is no token to send'));
      skipModels('there is no token to send');
      return finish();
    }
  }

  const ctx: ProviderContext = {provider, endpoint, keyEnv, timeoutMs, listed: null, listError: null, reachable: reach.ok, tokenSource};
  const listStarted = performance.now();
  try {
    ctx.listed = await withTimeout(client.listModels(), timeoutMs, () => new ProviderError('timeout', `listing models took longer than ${timeoutMs} ms`, {hint: ''}));
  } catch (error) {
    ctx.listError = asProviderError(error, ctx, '(list models)');
  }
  const listMs = rounded(performance.now() - listStarted);

  // A 401 on the list is a 401 everywhere: sending canaries would only repeat it. A 403 may be about listing alone.
  const keyRejected = ctx.listError?.errorClass === 'auth' && ctx.listError.status !== 403;
  const perModel: CheckStep[] = [];
  let anyAnswered = false;
  let canaryAuthError: ProviderError | null = null;
  for (const model of models) {
    if (keyRejected) {
      perModel.push(skipped('models', model.label, 'the key was rejected'));
      if (model.type !== 'embedding') perModel.push(skipped('canary', model.label, 'the key was rejected'), skipped('stream', model.label, 'the key was rejected'));
      continue;
    }
    if (model.type === 'embedding') {
      // Chat canaries mean nothing for an embedding model; the list is all that can be checked here.
      perModel.push(modelListStep(model, ctx, false, null));
      continue;
    }
    const canary = await probeCompletion(client, ctx, model, false);
    const streamed = model.stream ? await probeCompletion(client, ctx, model, true) : null;
    const answered = !canary.error || (streamed !== null && !streamed.error);
    anyAnswered ||= answered;
    canaryAuthError ??= [canary.error, streamed?.error].find((e) => e?.errorClass === 'auth') ?? null;
    perModel.push(
      modelListStep(model, ctx, answered, canary),
      completionStep('canary', model, canary, ctx),
      streamed ? completionStep('stream', model, streamed, ctx) : skipped('stream', model.label, 'the model is configured with stream: false, so runs do not stream it', true),
    );
  }

  steps.push(authStep(ctx, listMs, anyAnswered, canaryAuthError), ...perModel);
  return finish();
}

function authStep(ctx: ProviderContext, listMs: number, anyAnswered: boolean, canaryAuthError: ProviderError | null): CheckStep {
  const who =
    ctx.provider.type === 'sandbox'
      ? 'sandbox (any key but "invalid-key" works)'
      : ctx.tokenSource
        ? 'token accepted'
        : ctx.provider.auth?.type === 'none' || !ctx.keyEnv
        ? 'no key sent, none asked for'
        : `key in $${ctx.keyEnv} accepted`;
  if (ctx.listed !== null) return {name: 'auth', ok: true, latencyMs: listMs, detail: `${who}; ${ctx.listed.length} model${ctx.listed.length === 1 ? '' : 's'} listed`};
  const listError = ctx.listError!;
  if (anyAnswered) {
    const why = listError.errorClass === 'auth' ? 'the key may lack permission to list models' : 'the provider may have no model list';
    return {name: 'auth', ok: true, latencyMs: listMs, detail: `${who} for chat; listing models failed (${listError.message}): ${why}, so model ids are checked by the canary alone`};
  }
  const error = listError.errorClass === 'auth' ? listError : (canaryAuthError ?? listError);
  const step = {name: 'auth' as const, ok: false, latencyMs: listMs, ...diagnose(error, ctx, undefined, {}, false)};
  if (error.errorClass !== 'auth') step.detail = `could not verify the key: listing models failed and no model answered: ${error.message}`;
  return step;
}

function selectProviders(all: LoadedProvider[], wanted: string[] | undefined): LoadedProvider[] {
  if (!wanted || wanted.length === 0) return all;
  const byId = new Map(all.map((p) => [p.id, p]));
  const unknown = wanted.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    const known = all.map((p) => p.id);
    const near = unknown.flatMap((id) => closestIds(id, known, 1));
    throw new InputError(`unknown provider id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `"${id}"`).join(', ')}`, {
      hint: `${near.length > 0 ? `did you mean ${near.map((id) => `"${id}"`).join(', ')}? ` : ''}known provider ids: ${known.join(', ')}`,
    });
  }
  return [...new Set(wanted)].map((id) => byId.get(id)!);
}

function redactStep(step: CheckStep, secrets: string[]): CheckStep {
  // Same key order in every step, so the JSON reads alike from step to step.
  const {name, ok, model, ...rest} = step;
  const out: CheckStep = {name, ok, ...(model !== undefined && {model}), ...rest};
  if (out.detail !== undefined) out.detail = redact(out.detail, secrets);
  if (out.hint !== undefined) out.hint = redact(out.hint, secrets);
  return out;
}

/**
 * Onboarding diagnosis: per provider, can we reach it, does the key work, does it list the configured
 * models, and does each model answer a tiny prompt, plain and streamed. Everything `assay check` does.
 */
export async function runCheck(opts: CheckOptions = {}): Promise<CheckReport> {
  const loaded = await loadConfig(opts.config, {cwd: opts.cwd ?? process.cwd(), suitesOptional: true});
  const providers = selectProviders(loaded.providers, opts.providers);
  const sandbox = await startSimulated(loaded, providers);
  try {
    const reached = await Promise.all(providers.map((p) => reachProvider(p, sandbox, opts)));
    const prepared: PreparedProvider[] = [];
    for (const r of reached) {
      const warnings: string[] = [];
      const models = [...loaded.models.values()].filter((m) => m.provider.id === r.provider.id);
      prepared.push({...r, models, warnings, ...(await clientFor(r.provider, sandbox, warnings))});
    }
    const checks = await Promise.all(prepared.map((p) => checkProvider(p, opts)));
    // ProviderError messages are redacted already; this is the backstop for anything a provider echoed back.
    const secrets = providers.flatMap(secretsOf);
    for (const check of checks) {
      check.steps = check.steps.map((s) => redactStep(s, secrets));
      if (check.warnings) check.warnings = check.warnings.map((w) => redact(w, secrets));
    }
    return {ok: checks.every((c) => c.ok), providers: checks};
  } finally {
    await sandbox?.close();
  }
}
