import {randomUUID} from 'node:crypto';
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';
import {setTimeout as sleep} from 'node:timers/promises';
import type {ModelParams, ToolCall, ToolChoice} from '../core/types.ts';
import {estimateTokens} from '../providers/estimate-tokens.ts';
import {anthropicWire} from './anthropic-wire.ts';
import {BatchEndpoints, type BatchSandboxOptions} from './batch-endpoints.ts';
import {AnswerKey, promptOf} from './answer-key.ts';
import {KEEP_GENERATING} from './keep-generating.ts';
import {CapacityGate} from './capacity-gate.ts';
import {geminiWire} from './gemini-wire.ts';
import {openaiWire} from './openai-wire.ts';
import {responsesWire} from './responses-wire.ts';
import {logNormal, seededRandom, seedFrom} from '../core/seeded-random.ts';
import {resolveSimModel, type SimModel} from './sim-model.ts';
import {simulateAnswer} from './simulate-answer.ts';
import {example} from './simulate-tool-calls.ts';
import {simulateJudge} from './simulate-judge.ts';
import {TokenEndpoints, type TokenSandboxOptions} from './token-endpoints.ts';
import {BadRequest, type SimMedia, type SimReply, type SimRequest, type WireFormat} from './wire-format.ts';

/** Every fault the sandbox can inject: the reliability fault matrix, as far as one HTTP server can show it. */
export const FAULTS = [
  'rate-limit', // 429 with Retry-After and retry-after-ms (Gemini: RetryInfo in the body)
  'rate-limit-date', // 429 with an HTTP-date Retry-After
  'rate-limit-no-hint', // 429 with no hint at all
  'server', // 500
  'bad-gateway', // 502 with an HTML body, as a proxy sends it
  'unavailable', // 503
  'gateway-timeout', // 504
  'overloaded', // 529 (Anthropic's overloaded_error)
  'request-timeout', // 408
  'conflict', // 409
  'reset', // TCP reset before any header
  'slow-headers', // headers only after slowHeadersMs
  'stall', // the answer stops midway and the connection stays open
  'truncated', // a stream closed before its final event
  'malformed', // a 200 whose JSON (or SSE data line) does not parse
  'wrong-content-type', // a 200 HTML page where JSON was expected
  'error-body', // a 200 whose JSON body is an error object
  'huge', // a valid answer of several megabytes
  'ignores-stream', // a complete JSON answer to a streaming request, as servers that ignore stream: true send
  'auth', // 401
  'forbidden', // 403
  'not-found', // 404
  'bad-request', // 400
] as const;
export type Fault = (typeof FAULTS)[number];

export interface SandboxOptions {
  models?: SimModel[];
  seed?: number;
  /** Multiplies every simulated delay; 0 answers instantly. */
  latencyScale?: number;
  /** API keys the sandbox refuses with 401, to rehearse auth failures. */
  rejectKeys?: string[];
  /** Serve any model id with a default profile instead of answering 404 for unknown ones. */
  anyModel?: boolean;
  /** The batch endpoints (OpenAI files + batches, Anthropic message batches, Gemini batchGenerateContent): turnaround, failures, expiry. */
  batch?: BatchSandboxOptions;
  /** An OAuth2 token endpoint (…/token); when set, bearer credentials must be tokens it issued and has not expired. */
  tokens?: TokenSandboxOptions;
}

export interface SandboxRequestLog {
  wire: WireFormat['name'];
  model: string;
  stream: boolean;
  fault: Fault | null;
  /** When the request arrived (ms since the epoch). */
  at: number;
  prompt: string;
  /** The HTTP status once the response finished; null while in flight or when the connection was cut. */
  status: number | null;
  /** True once a complete, well-formed answer was sent. */
  completed?: boolean;
  /** The token counts and gateway cost the reply reported (tests compare the client's reading with them). */
  usage?: Pick<SimReply, 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'cacheWriteTtl' | 'reasoningTokens' | 'costUsd'>;
  /** The request path as sent (Azure deployment paths, Vertex resource paths), without the query. */
  path?: string;
  /** How the credential came: "bearer", or the header or query parameter that carried a key; never the value. */
  auth?: string;
  /** Sampling parameters as the request sent them, so a gateway test can see what reached the provider. */
  params?: ModelParams;
  /** The tools the request offered (names), its tool choice, the tool results it carried, and the calls the reply made. */
  tools?: string[];
  toolChoice?: ToolChoice;
  toolResults?: number;
  toolCalls?: ToolCall[];
  /** The images and files the request carried, as the wire gave them (media type, bytes, URL). */
  media?: SimMedia[];
}

/**
 * A real HTTP server on loopback that speaks the OpenAI, Anthropic and Gemini wire formats, JSON and
 * SSE, as their official SDKs expect, serving seeded simulated models. Header `x-sandbox-fault`
 * forces one fault on one request (tests); profiles inject faults at random (seeded) otherwise.
 */
export class Sandbox {
  readonly answerKey = new AnswerKey();
  readonly log: SandboxRequestLog[] = [];
  private readonly models = new Map<string, SimModel>();
  private readonly seed: number;
  private readonly latencyScale: number;
  private readonly rejectKeys: Set<string>;
  private readonly anyModel: boolean;
  private readonly faultRandom = new Map<string, () => number>();
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  private baseUrl: string | null = null;
  /** OpenAI Batch, Anthropic Message Batches and the Gemini Batch API, answered by the same simulation as live requests. */
  readonly batches: BatchEndpoints;
  private readonly tokens: TokenEndpoints | null;

  constructor(opts: SandboxOptions = {}) {
    for (const m of opts.models ?? []) this.models.set(m.id, m);
    this.seed = opts.seed ?? 1;
    this.latencyScale = opts.latencyScale ?? 1;
    this.rejectKeys = new Set(opts.rejectKeys ?? ['invalid-key']);
    this.anyModel = opts.anyModel ?? this.models.size === 0;
    this.tokens = opts.tokens ? new TokenEndpoints(opts.tokens) : null;
    this.batches = new BatchEndpoints({...opts.batch, turnaroundMs: opts.batch?.turnaroundMs ?? 2000 * this.latencyScale}, this.seed, (wire, body, model) => this.answerLine(wire, body, model));
  }

  addModel(model: SimModel): void {
    this.models.set(model.id, model);
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('sandbox is not listening');
    return this.baseUrl;
  }

  /** Base URLs as each SDK wants them. */
  baseURLFor(wire: WireFormat['name']): string {
    return wire === 'openai' || wire === 'openai-responses' ? `${this.url}/v1` : this.url;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 30_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${address.port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('x-assay-simulated', 'true');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (this.tokens && TokenEndpoints.handles(req.method, url.pathname)) {
      return void (await this.tokens.handle(req, res, url.pathname, await readBody(req)));
    }
    // Azure OpenAI (deployments with api-version, or its v1 API) and Vertex AI paths are served as the wire they carry.
    const azure = /^\/openai\/(?:deployments\/([^/]+)\/(chat\/completions)|(models)|v1\/(.+))$/.exec(url.pathname);
    const vertex = /^\/(?:v1|v1beta1)\/(?:projects\/[^/]+\/locations\/[^/]+\/)?publishers\/google\/(models(?:\/[^/]+)?)$/.exec(url.pathname);
    const path = azure ? `/v1/${azure[2] ?? azure[3] ?? azure[4]}` : vertex ? `/v1beta/${vertex[1]}` : url.pathname;
    const deployment = azure?.[1] ? decodeURIComponent(azure[1]) : undefined;
    const geminiPath = /^\/(v1|v1beta|v1alpha)\/models(?:\/([^:/]+):(generateContent|streamGenerateContent))?$/.exec(path);
    // GET /v1/models is shared by all three APIs; Gemini's SDK is the one that sends x-goog-api-key.
    const gemini = geminiPath && (geminiPath[2] || geminiPath[1] !== 'v1' || req.headers['x-goog-api-key']) ? geminiPath : null;
    const geminiBatch = BatchEndpoints.geminiPath(path, typeof req.headers['x-goog-api-key'] === 'string');
    const wire: WireFormat = gemini || geminiBatch ? geminiWire : req.headers['anthropic-version'] ? anthropicWire : path === '/v1/responses' ? responsesWire : openaiWire;

    try {
      if (azure && !azure[4] && !url.searchParams.get('api-version')) {
        return this.sendJson(res, 404, {error: {code: '404', message: 'Resource not found (simulated: Azure OpenAI needs the api-version query parameter on deployment paths)'}});
      }
      const key = this.apiKey(req, url);
      if (!key) return this.sendError(res, wire, 401, vertex ? 'Request is missing required authentication credential. Expected OAuth 2 access token (simulated).' : 'No API key was provided.');
      if (this.rejectKeys.has(key)) return this.sendError(res, wire, 401, 'Incorrect API key provided.');
      if (vertex && !req.headers.authorization) return this.sendError(res, wire, 401, 'API keys are not supported by this API. Expected OAuth2 access token (simulated).');
      const verdict = this.tokens && req.headers.authorization ? this.tokens.verify(key) : 'ok';
      if (verdict !== 'ok') return this.sendError(res, wire, 401, verdict === 'expired' ? 'The access token expired (simulated).' : 'Invalid access token: not issued by this sandbox, or revoked (simulated).');

      if (geminiBatch) return await this.batches.handleGemini(req, res, path, wire);
      if (!gemini && BatchEndpoints.handles(path)) return await this.batches.handle(req, res, path, wire);
      if (req.method === 'GET' && (path === '/v1/models' || (gemini && !gemini[2]))) {
        return this.sendJson(res, 200, wire.models([...this.models.keys()]));
      }
      const isChat =
        req.method === 'POST' &&
        ((wire === openaiWire && path === '/v1/chat/completions') ||
          wire === responsesWire || (wire === anthropicWire && path === '/v1/messages') || (gemini && gemini[2]));
      if (!isChat) return this.sendError(res, wire, 404, `Unknown path ${req.method} ${path}: the sandbox serves chat completions, responses, messages, generateContent and models`);

      let parsed: SimRequest;
      try {
        const raw = await readBody(req);
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          throw new BadRequest('request body is not valid JSON');
        }
        parsed = wire.parse(body, gemini?.[2] ? decodeURIComponent(gemini[2]) : undefined, gemini?.[3] === 'streamGenerateContent');
        // Azure names the model by its deployment in the path; the body's model field is not what it serves.
        if (deployment) parsed = {...parsed, model: deployment};
      } catch (error) {
        if (error instanceof BadRequest) return this.sendError(res, wire, 400, error.message);
        throw error;
      }

      let model = this.models.get(parsed.model);
      if (!model) {
        if (!this.anyModel) return this.sendError(res, wire, 404, `The model \`${parsed.model}\` does not exist or you do not have access to it.`);
        model = resolveSimModel(parsed.model, undefined);
        this.models.set(model.id, model);
      }
      const prompt = promptOf(parsed.messages);
      const fault = this.pickFault(req, model, prompt);
      const entry: SandboxRequestLog = {wire: wire.name, model: model.id, stream: parsed.stream, fault, at: Date.now(), prompt, status: null, path: url.pathname, auth: authScheme(req, url), params: parsed.params};
      if (parsed.tools.length > 0) Object.assign(entry, {tools: parsed.tools.map((t) => t.name), ...(parsed.toolChoice !== undefined && {toolChoice: parsed.toolChoice})});
      const toolResults = parsed.messages.filter((m) => m.role === 'tool').length;
      if (toolResults > 0) entry.toolResults = toolResults;
      if (parsed.media.length > 0) entry.media = parsed.media;
      this.log.push(entry);
      res.once('finish', () => (entry.status = res.statusCode));
      await this.respond(req, res, wire, model, parsed, fault, prompt, entry);
    } catch (error) {
      if (!res.headersSent) this.sendError(res, wire, 500, `sandbox internal error: ${(error as Error).message}`);
      else res.destroy();
    }
  }

  private apiKey(req: IncomingMessage, url: URL): string | null {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || null;
    const header = req.headers['x-api-key'] ?? req.headers['api-key'] ?? req.headers['x-goog-api-key'] ?? url.searchParams.get('key');
    return typeof header === 'string' && header !== '' ? header : null;
  }

  private readonly forcedCounts = new Map<string, number>();
  private readonly gates = new Map<string, CapacityGate>();

  private pickFault(req: IncomingMessage, model: SimModel, prompt: string): Fault | null {
    const forced = req.headers['x-sandbox-fault'];
    if (typeof forced === 'string' && (FAULTS as readonly string[]).includes(forced)) {
      // x-sandbox-fault-times: N faults only the first N requests for this model and prompt (a transient fault).
      const times = Number(req.headers['x-sandbox-fault-times'] ?? Number.POSITIVE_INFINITY);
      const key = `${model.id}\u0000${prompt}\u0000${forced}`;
      const seen = this.forcedCounts.get(key) ?? 0;
      this.forcedCounts.set(key, seen + 1);
      return seen < times ? (forced as Fault) : null;
    }
    const f = model.faults;
    const slowHeaders = f.slowHeaders ?? 0;
    if (f.rateLimit + f.server + f.reset + f.stall + f.malformed + slowHeaders === 0) return null;
    let random = this.faultRandom.get(model.id);
    if (!random) this.faultRandom.set(model.id, (random = seededRandom(seedFrom(this.seed, model.id, 'faults'))));
    let draw = random();
    for (const [fault, p] of [['rate-limit', f.rateLimit], ['server', f.server], ['reset', f.reset], ['stall', f.stall], ['malformed', f.malformed], ['slow-headers', slowHeaders]] as const) {
      if (draw < p) return fault;
      draw -= p;
    }
    return null;
  }

  private async respond(req: IncomingMessage, res: ServerResponse, wire: WireFormat, model: SimModel, r: SimRequest, fault: Fault | null, prompt: string, entry: SandboxRequestLog): Promise<void> {
    const status = STATUS_FAULTS[fault ?? ''];
    if (fault === 'rate-limit' || fault === 'rate-limit-date' || fault === 'rate-limit-no-hint') {
      const seconds = model.faults.retryAfterS;
      if (fault === 'rate-limit') {
        res.setHeader('retry-after', String(Math.ceil(seconds)));
        res.setHeader('retry-after-ms', String(Math.round(seconds * 1000)));
      } else if (fault === 'rate-limit-date') {
        // HTTP dates have whole seconds: ask for at least `seconds` from now.
        res.setHeader('retry-after', new Date(Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000 + 1000).toUTCString());
      }
      const body = wire.error(429, 'Rate limit reached for requests (simulated by the assay sandbox).') as Record<string, unknown>;
      if (wire === geminiWire && fault === 'rate-limit') (body.error as Record<string, unknown>).details = [{'@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s`}];
      return this.sendJson(res, 429, body);
    }
    if (fault === 'bad-gateway') {
      res.writeHead(502, {'content-type': 'text/html'});
      res.end('<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>nginx (simulated)</p></body></html>');
      return;
    }
    if (status) return this.sendError(res, wire, status.code, status.message.replace('{model}', r.model));
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'slow-headers') await delay(model.faults.slowHeadersMs, req);
    if (fault === 'wrong-content-type') {
      res.writeHead(200, {'content-type': 'text/html'});
      res.end('<html><body>Please sign in to continue (simulated captive portal)</body></html>');
      return;
    }
    if (fault === 'error-body') {
      return this.sendJson(res, 200, wire === anthropicWire ? wire.error(500, 'Internal error (simulated, sent with status 200)') : {error: {message: 'upstream failed (simulated, sent with status 200)', type: 'server_error', code: 500}});
    }

    // A deployment with bounded capacity: queued requests wait for a slot, and that wait is part of TTFT.
    let release: (() => void) | null = null;
    const gate = this.gateFor(model);
    if (gate) {
      release = await gate.acquire(new Promise<void>((resolve) => res.once('close', () => resolve())));
      if (!release) {
        if (!res.headersSent && !res.destroyed) {
          if (gate.capacity.overloadStatus === 429) res.setHeader('retry-after', '1');
          this.sendError(res, wire, gate.capacity.overloadStatus, `The server is overloaded: ${gate.capacity.maxConcurrent} requests running and ${gate.capacity.queueLimit} queued (simulated capacity).`);
        }
        return;
      }
    }
    try {
      await this.answer(req, res, wire, model, r, fault, prompt, entry, gate);
    } finally {
      release?.();
    }
  }

  private gateFor(model: SimModel): CapacityGate | null {
    if (!model.capacity) return null;
    let gate = this.gates.get(model.id);
    if (!gate) this.gates.set(model.id, (gate = new CapacityGate(model.capacity)));
    return gate;
  }

  private async answer(req: IncomingMessage, res: ServerResponse, wire: WireFormat, model: SimModel, r: SimRequest, fault: Fault | null, prompt: string, entry: SandboxRequestLog, gate: CapacityGate | null): Promise<void> {
    const {reply, pieces} = this.simulateReply(wire, model, r, prompt, fault === 'huge');
    const {inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cacheWriteTtl, reasoningTokens, costUsd} = reply;
    entry.usage = {inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cacheWriteTtl, reasoningTokens, costUsd};
    if (reply.toolCalls.length > 0 || r.tools.length > 0) entry.toolCalls = reply.toolCalls.map((c) => ({name: c.name, arguments: c.arguments}));
    // LiteLLM's proxy sends its price as a header (before the body, so a stream's cost is known up front).
    if (costUsd !== null && reply.costVia === 'header') res.setHeader('x-litellm-response-cost', String(costUsd));
    const random = seededRandom(seedFrom(this.seed, model.id, prompt, 'latency', Date.now() & 0xffff));
    const ttftMs = logNormal(random, model.ttftMs, model.latencySigma) * this.latencyScale;
    const perTokenMs = model.msPerToken * this.latencyScale;
    // Each token is due a fixed time after the previous one was due (not after it was sent), so timer
    // lateness does not accumulate over a long answer; under capacity, the time grows with the batch.
    let due = 0;
    const nextToken = async () => {
      if (perTokenMs <= 0) return;
      due = Math.max(due, performance.now() - perTokenMs) + perTokenMs * (gate?.slowdown ?? 1);
      await delay(due - performance.now(), req);
    };

    if (!r.stream || fault === 'ignores-stream') {
      if (fault === 'stall') {
        // Headers and half a body, then silence.
        res.writeHead(200, {'content-type': 'application/json'});
        res.write('{"id": "stalled", ');
        return void (await untilClosed(req));
      }
      await delay(ttftMs, req);
      due = performance.now();
      if (gate) for (let i = 0; i < pieces.length && !req.socket.destroyed; i++) await nextToken();
      else await delay(perTokenMs * pieces.length, req);
      if (fault === 'malformed' || fault === 'truncated') {
        res.writeHead(200, {'content-type': 'application/json'});
        res.end('{"id": "truncated", "choices": [{"index": 0, "mess');
        return;
      }
      entry.completed = true;
      return this.sendJson(res, 200, wire.reply(reply));
    }

    res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive'});
    res.flushHeaders();
    await delay(ttftMs, req);
    if (res.destroyed || req.socket.destroyed) return;
    res.write(wire.streamHead(reply).join('') + wire.streamPiece(reply, pieces[0] ?? '', true));
    due = performance.now();
    if (fault === 'stall') return void (await untilClosed(req));
    if (fault === 'malformed') {
      res.end('data: {"this is not": json\n\n');
      return;
    }
    const last = fault === 'truncated' ? Math.max(1, Math.floor(pieces.length / 2)) : pieces.length;
    for (let i = 1; i < last; i++) {
      await nextToken();
      if (res.destroyed || req.socket.destroyed) return;
      res.write(wire.streamPiece(reply, pieces[i]!, false));
    }
    if (fault === 'truncated') {
      // The connection closes with no final event: no finish reason, no [DONE] / message_stop.
      res.end();
      return;
    }
    entry.completed = true;
    res.end(wire.streamTail(reply, r.includeUsage).join(''));
  }

  /** The simulated answer to a request: the judge or answer-key simulation, cut at stop sequences and maxTokens. */
  private simulateReply(wire: WireFormat, model: SimModel, r: SimRequest, prompt: string, huge: boolean): {reply: SimReply; pieces: string[]} {
    const judged = simulateJudge(model, r.messages, this.answerKey, this.seed);
    const answer = judged === null ? simulateAnswer(model, prompt, this.answerKey, this.seed, {tools: r.tools, choice: r.toolChoice}, r.responseFormat !== undefined) : {text: judged, correct: null};
    if (r.responseFormat !== undefined && (answer.toolCalls ?? []).length === 0) answer.text = asJson(answer.text, r.responseFormat);
    const toolCalls = (answer.toolCalls ?? []).map((c, i) => ({...c, id: `${wire.name === 'anthropic' ? 'toolu' : 'call'}_sim_${randomUUID().slice(0, 8)}_${i}`}));
    let text = huge ? 'lorem ipsum '.repeat(250_000) : prompt.includes(KEEP_GENERATING) ? fillerTokens(r.params.maxTokens ?? 256) : answer.text;
    let finish: SimReply['finish'] = toolCalls.length > 0 ? 'tool' : 'stop';
    for (const stop of r.params.stop ?? []) {
      const at = stop ? text.indexOf(stop) : -1;
      if (at !== -1) text = text.slice(0, at);
    }
    const pieces = huge ? [text] : splitTokens(text);
    if (!huge && r.params.maxTokens !== undefined && pieces.length > r.params.maxTokens) {
      pieces.length = r.params.maxTokens;
      text = pieces.join('');
      finish = 'length';
    }
    // Tool definitions and earlier calls are prompt too; a reply's calls are output.
    const promptTokens =
      r.messages.reduce((n, m) => n + estimateTokens(m.content) + 3 + (m.toolCalls ? estimateTokens(JSON.stringify(m.toolCalls)) : 0), 0) +
      (r.tools.length > 0 ? estimateTokens(JSON.stringify(r.tools)) : 0) +
      r.media.reduce((n, m) => n + mediaTokens(m), 0);
    const cache = this.promptCache(wire, model, r);
    const outputTokens = (huge ? estimateTokens(text) : pieces.length) + (toolCalls.length > 0 ? estimateTokens(JSON.stringify(toolCalls.map((c) => [c.name, c.arguments]))) : 0);
    const inputTokens = promptTokens - cache.read - cache.write;
    const price = model.reportCost;
    const reply: SimReply = {
      id: `${wire.name === 'anthropic' ? 'msg' : wire.name === 'openai-responses' ? 'resp' : 'chatcmpl'}-sim-${randomUUID().slice(0, 12)}`,
      model: model.id,
      text,
      toolCalls,
      finish,
      inputTokens,
      outputTokens,
      cacheReadTokens: cache.read,
      cacheWriteTokens: cache.write,
      cacheWriteTtl: model.promptCache?.ttl ?? '5m',
      reasoningTokens: model.reasoningTokens,
      costUsd: price
        ? ((inputTokens + cache.write) * price.inputPerMTok + cache.read * (price.cacheReadPerMTok ?? price.inputPerMTok) + (outputTokens + model.reasoningTokens) * price.outputPerMTok) / 1e6
        : null,
      costVia: price?.via ?? 'usage',
    };
    return {reply, pieces};
  }

  private readonly cachedPrefixes = new Set<string>();

  /**
   * Prompt caching as the providers do it: the prefix (every message but the last) is cached once sent;
   * the same prefix again is read from the cache. Anthropic reports the first sending as a cache write.
   */
  private promptCache(wire: WireFormat, model: SimModel, r: SimRequest): {read: number; write: number} {
    const settings = model.promptCache;
    if (!settings || r.messages.length < 2) return {read: 0, write: 0};
    const prefix = r.messages.slice(0, -1);
    const tokens = prefix.reduce((n, m) => n + estimateTokens(m.content) + 3, 0);
    if (tokens < settings.minTokens) return {read: 0, write: 0};
    const key = JSON.stringify([model.id, prefix]);
    if (this.cachedPrefixes.has(key)) return {read: tokens, write: 0};
    this.cachedPrefixes.add(key);
    return {read: 0, write: wire.name === 'anthropic' ? tokens : 0};
  }

  /** One request inside a batch, answered as the same request sent live would be (no faults, no delay). */
  private answerLine(wire: WireFormat, body: unknown, modelFromUrl?: string): {status: number; body: unknown; model: string; prompt: string} {
    let parsed: SimRequest;
    try {
      parsed = wire.parse(body, modelFromUrl, false);
    } catch (error) {
      if (error instanceof BadRequest) return {status: 400, body: wire.error(400, error.message), model: '', prompt: ''};
      throw error;
    }
    let model = this.models.get(parsed.model);
    if (!model) {
      if (!this.anyModel) return {status: 404, body: wire.error(404, `The model \`${parsed.model}\` does not exist or you do not have access to it.`), model: parsed.model, prompt: ''};
      model = resolveSimModel(parsed.model, undefined);
      this.models.set(model.id, model);
    }
    const prompt = promptOf(parsed.messages);
    return {status: 200, body: wire.reply(this.simulateReply(wire, model, parsed, prompt, false).reply), model: model.id, prompt};
  }

  private sendError(res: ServerResponse, wire: WireFormat, status: number, message: string): void {
    this.sendJson(res, status, wire.error(status, message));
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
    res.end(text);
  }
}

const STATUS_FAULTS: Record<string, {code: number; message: string}> = {
  server: {code: 500, message: 'The server had an error while processing your request (simulated).'},
  unavailable: {code: 503, message: 'The service is temporarily unavailable (simulated).'},
  'gateway-timeout': {code: 504, message: 'Gateway timeout (simulated).'},
  overloaded: {code: 529, message: 'Overloaded (simulated).'},
  'request-timeout': {code: 408, message: 'Request timeout (simulated).'},
  conflict: {code: 409, message: 'Conflict: a concurrent request is being processed (simulated).'},
  auth: {code: 401, message: 'Incorrect API key provided (simulated).'},
  forbidden: {code: 403, message: 'This key is not permitted to use this model (simulated).'},
  'not-found': {code: 404, message: 'The model `{model}` does not exist (simulated).'},
  'bad-request': {code: 400, message: 'Invalid value for temperature (simulated).'},
};

/**
 * Structured output: an answer that is JSON already stays as it is (right, or wrong at the model's
 * accuracy); anything else becomes a value the schema accepts, or {"answer": text} for any JSON.
 */
function asJson(text: string, format: Record<string, unknown> | 'json'): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(format === 'json' ? {answer: text} : example(format));
  }
}

/** Input tokens for an image (Gemini's flat 258 per image) or a document (258, plus one per kilobyte of the file). */
export function mediaTokens(m: SimMedia): number {
  return m.type === 'image' ? 258 : 258 + Math.ceil(m.bytes / 1000);
}

const FILLER = ['the', 'load', 'test', 'keeps', 'writing', 'words', 'until', 'its', 'limit', 'runs', 'out', 'and', 'then', 'stops'];

/** `n` one-token words (each a single piece for splitTokens). */
function fillerTokens(n: number): string {
  let text = '';
  for (let i = 0; i < n; i++) text += ` ${FILLER[i % FILLER.length]}`;
  return text;
}

/** Splits text into token-sized pieces (words with their leading space, long words cut at 4 chars). */
export function splitTokens(text: string): string[] {
  const pieces: string[] = [];
  for (const word of text.match(/\s*\S+|\s+$/g) ?? []) {
    for (let i = 0; i < word.length; i += 6) pieces.push(word.slice(i, i + 6));
  }
  return pieces;
}

function authScheme(req: IncomingMessage, url: URL): string | undefined {
  if (req.headers.authorization?.startsWith('Bearer ')) return 'bearer';
  return ['x-api-key', 'api-key', 'x-goog-api-key'].find((h) => req.headers[h] !== undefined) ?? (url.searchParams.has('key') ? 'query:key' : undefined);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function delay(ms: number, req: IncomingMessage): Promise<void> {
  if (ms <= 0) return;
  const controller = new AbortController();
  const onClose = () => controller.abort();
  req.socket.once('close', onClose);
  try {
    await sleep(ms, undefined, {signal: controller.signal});
  } catch {
    // the client went away; the caller checks whether the socket is gone
  } finally {
    req.socket.off('close', onClose);
  }
}

function untilClosed(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => req.socket.once('close', () => resolve()));
}
