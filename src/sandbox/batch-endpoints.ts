import {randomUUID} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import type {IncomingMessage, ServerResponse} from 'node:http';
import {dirname} from 'node:path';
import {seededRandom, seedFrom} from '../core/seeded-random.ts';
import type {WireFormat} from './wire-format.ts';

/** How the sandbox's batch endpoints behave; each can also be set per batch with a request header. */
export interface BatchSandboxOptions {
  /** Submission to end of a batch, in ms (header `x-sandbox-batch-turnaround-ms`). Default 2000 × latencyScale. */
  turnaroundMs?: number;
  /** Probability that a request in a batch fails with a 500 (partial failures; header `x-sandbox-batch-failure-rate`). */
  failureRate?: number;
  /**
   * A batch still running this long after submission expires (header `x-sandbox-batch-expire-ms`): the requests it
   * had not processed by then (the share after expireAfterMs / turnaroundMs) end `expired`.
   */
  expireAfterMs?: number;
}

/** A batch line answered by the simulation: what a live request with this body would have got. */
export type AnswerLine = (wire: WireFormat, body: unknown, model?: string) => {status: number; body: unknown; model: string; prompt: string};

interface LineOutcome {
  customId: string;
  status: number;
  body: unknown;
}

interface StoredBatch {
  id: string;
  wire: 'openai' | 'anthropic' | 'gemini';
  createdAt: number;
  turnaroundMs: number;
  expireAfterMs: number | null;
  lines: LineOutcome[];
  inputFileId?: string;
  metadata?: unknown;
  /** OpenAI: set when the batch failed validation (no line runs). */
  failure?: Array<{code: string; message: string; line: number | null}>;
  outputFileId?: string | null;
  errorFileId?: string | null;
  /** Gemini: `models/{model}` from the URL, and the batch's display name. */
  model?: string;
  displayName?: string;
}

interface StoredFile {
  id: string;
  purpose: string;
  filename: string;
  createdAt: number;
  content: string;
}

interface State {
  files: Record<string, StoredFile>;
  batches: Record<string, StoredBatch>;
}

const EXPIRED_MESSAGE = 'This request could not be executed before the completion window expired.';

/**
 * The OpenAI Batch (files + batches), Anthropic Message Batches and Gemini Batch API endpoints, emulated. A batch's
 * answers are decided when it is submitted (by the same simulation as live requests) and revealed
 * as time passes: in progress until its turnaround, then completed, or expired with its
 * unprocessed requests. State can be kept in a file, so batches outlive a sandbox restart.
 */
export class BatchEndpoints {
  /** What clients did, for tests: uploads, batches created, requests submitted in batches, polls, result downloads. */
  readonly counts = {files: 0, batches: 0, lines: 0, polls: 0, downloads: 0};
  private state: State = {files: {}, batches: {}};
  private stateFile: string | null = null;
  private readonly failureDraws = new Map<string, number>();
  private readonly opts: Required<Pick<BatchSandboxOptions, 'turnaroundMs' | 'failureRate'>> & {expireAfterMs: number | null};
  private readonly seed: number;
  private readonly answer: AnswerLine;

  constructor(opts: BatchSandboxOptions, seed: number, answer: AnswerLine) {
    this.opts = {turnaroundMs: opts.turnaroundMs ?? 2000, failureRate: opts.failureRate ?? 0, expireAfterMs: opts.expireAfterMs ?? null};
    this.seed = seed;
    this.answer = answer;
  }

  /** Keep batch state in this file (loaded now if it exists), so a restarted sandbox still serves its batches. */
  persistTo(file: string): void {
    this.stateFile = file;
    if (existsSync(file)) this.state = JSON.parse(readFileSync(file, 'utf8')) as State;
  }

  /** Batch ids, for tests. */
  get batchIds(): string[] {
    return Object.keys(this.state.batches);
  }

  static handles(path: string): boolean {
    return /^\/v1\/(files|batches|messages\/batches)(\/|$)/.test(path);
  }

  /**
   * Gemini Batch API paths, as @google/genai sends them: `POST /v1beta/models/{model}:batchGenerateContent` and
   * `GET /v1beta/batches/{id}`. `/v1/batches/...` is OpenAI's unless the request carries Gemini's x-goog-api-key.
   */
  static geminiPath(path: string, googKey: boolean): boolean {
    const m = /^\/(v1|v1beta|v1alpha)\/(?:models\/[^:/]+:batchGenerateContent|batches\/[^/]+)$/.exec(path);
    return m !== null && (m[1] !== 'v1' || googKey);
  }

  /** The Gemini Batch API: batches are long-running operations (`batches/{id}`) whose metadata carries state and inlined responses. */
  async handleGemini(req: IncomingMessage, res: ServerResponse, path: string, wire: WireFormat): Promise<void> {
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if (method === 'POST' && (m = /^\/[^/]+\/models\/([^:/]+):batchGenerateContent$/.exec(path))) return this.createGemini(req, res, decodeURIComponent(m[1]!), wire);
    if (method === 'GET' && (m = /^\/[^/]+\/batches\/([^/]+)$/.exec(path))) {
      const batch = this.state.batches[`batches/${m[1]!}`];
      if (!batch || batch.wire !== 'gemini') return send(res, 404, wire.error(404, `Batch batches/${m[1]} not found.`));
      this.counts.polls++;
      const op = this.geminiOperation(batch);
      if (op.done && op.metadata.output) this.counts.downloads++;
      return send(res, 200, op);
    }
    return send(res, 404, wire.error(404, `Unknown path ${method} ${path}: the sandbox serves models/{model}:batchGenerateContent and batches/{id}`));
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, wire: WireFormat): Promise<void> {
    const method = req.method ?? 'GET';
    const host = `http://${req.headers.host ?? '127.0.0.1'}`;
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/files') return this.upload(req, res, wire);
    if (method === 'GET' && (m = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path))) {
      const file = this.state.files[m[1]!];
      if (!file) return send(res, 404, wire.error(404, `No such File object: ${m[1]}`));
      if (m[2]) {
        this.counts.downloads++;
        res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(file.content)});
        res.end(file.content);
        return;
      }
      return send(res, 200, fileObject(file));
    }
    if (method === 'POST' && path === '/v1/batches') return this.createOpenAI(req, res, wire);
    if (method === 'GET' && (m = /^\/v1\/batches\/([^/]+)$/.exec(path))) {
      const batch = this.state.batches[m[1]!];
      if (!batch || batch.wire !== 'openai') return send(res, 404, wire.error(404, `No batch found with id '${m[1]}'.`));
      this.counts.polls++;
      return send(res, 200, this.openaiBatch(batch));
    }
    if (method === 'POST' && path === '/v1/messages/batches') return this.createAnthropic(req, res, wire);
    if (method === 'GET' && (m = /^\/v1\/messages\/batches\/([^/]+)(\/results)?$/.exec(path))) {
      const batch = this.state.batches[m[1]!];
      if (!batch || batch.wire !== 'anthropic') return send(res, 404, wire.error(404, `message batch ${m[1]} not found`));
      if (!m[2]) {
        this.counts.polls++;
        return send(res, 200, this.anthropicBatch(batch, host));
      }
      const p = this.progress(batch);
      if (!p.ended) return send(res, 400, wire.error(400, `message batch ${batch.id} is still in progress; results are available once it has ended`));
      this.counts.downloads++;
      const text = batch.lines.map((line, i) => `${JSON.stringify({custom_id: line.customId, result: anthropicResult(line, i < p.processed)})}\n`).join('');
      res.writeHead(200, {'content-type': 'application/binary', 'content-length': Buffer.byteLength(text)});
      res.end(text);
      return;
    }
    return send(res, 404, wire.error(404, `Unknown path ${method} ${path}: the sandbox serves files, batches and messages/batches`));
  }

  private options(req: IncomingMessage): {turnaroundMs: number; failureRate: number; expireAfterMs: number | null} {
    const num = (name: string): number | undefined => {
      const v = req.headers[name];
      const n = typeof v === 'string' && v !== '' ? Number(v) : Number.NaN;
      return Number.isFinite(n) && n >= 0 ? n : undefined;
    };
    return {
      turnaroundMs: num('x-sandbox-batch-turnaround-ms') ?? this.opts.turnaroundMs,
      failureRate: Math.min(1, num('x-sandbox-batch-failure-rate') ?? this.opts.failureRate),
      expireAfterMs: num('x-sandbox-batch-expire-ms') ?? this.opts.expireAfterMs,
    };
  }

  /** Answers a line; a drawn failure (seeded per model, prompt and how often it was seen) turns it into a 500. */
  private run(wire: WireFormat, customId: string, body: unknown, failureRate: number, model?: string): LineOutcome {
    const a = this.answer(wire, body, model);
    if (a.status === 200 && failureRate > 0) {
      const key = `${a.model}\u0000${a.prompt}`;
      const n = this.failureDraws.get(key) ?? 0;
      this.failureDraws.set(key, n + 1);
      if (seededRandom(seedFrom(this.seed, a.model, a.prompt, 'batch-failure', n))() < failureRate) {
        return {customId, status: 500, body: wire.error(500, 'The server had an error processing this batch request (simulated).')};
      }
    }
    return {customId, status: a.status, body: a.body};
  }

  private async upload(req: IncomingMessage, res: ServerResponse, wire: WireFormat): Promise<void> {
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(await readBody(req)), {headers: {'content-type': String(req.headers['content-type'] ?? '')}}).formData();
    } catch {
      return send(res, 400, wire.error(400, 'expected a multipart/form-data upload with "file" and "purpose"'));
    }
    const file = form.get('file');
    const purpose = form.get('purpose');
    if (!file || typeof file === 'string' || typeof purpose !== 'string') return send(res, 400, wire.error(400, 'expected a multipart/form-data upload with "file" and "purpose"'));
    const stored: StoredFile = {id: `file-sim${randomUUID().replace(/-/g, '').slice(0, 20)}`, purpose, filename: file.name || 'upload.jsonl', createdAt: Date.now(), content: await file.text()};
    this.state.files[stored.id] = stored;
    this.counts.files++;
    this.save();
    return send(res, 200, fileObject(stored));
  }

  private async createOpenAI(req: IncomingMessage, res: ServerResponse, wire: WireFormat): Promise<void> {
    let body: {input_file_id?: unknown; endpoint?: unknown; completion_window?: unknown; metadata?: unknown};
    try {
      body = JSON.parse((await readBody(req)).toString('utf8')) as typeof body;
    } catch {
      return send(res, 400, wire.error(400, 'request body is not valid JSON'));
    }
    const input = typeof body.input_file_id === 'string' ? this.state.files[body.input_file_id] : undefined;
    if (!input) return send(res, 404, wire.error(404, `No such File object: ${String(body.input_file_id)}`));
    if (body.endpoint !== '/v1/chat/completions') return send(res, 400, wire.error(400, `the sandbox batches only /v1/chat/completions (got ${String(body.endpoint)})`));
    if (body.completion_window !== '24h') return send(res, 400, wire.error(400, "completion_window must be '24h'"));
    const o = this.options(req);
    const batch: StoredBatch = {id: `batch_sim${randomUUID().replace(/-/g, '').slice(0, 20)}`, wire: 'openai', createdAt: Date.now(), turnaroundMs: o.turnaroundMs, expireAfterMs: o.expireAfterMs, lines: [], inputFileId: input.id, metadata: body.metadata ?? null};
    const seen = new Set<string>();
    const failure: NonNullable<StoredBatch['failure']> = [];
    input.content.split('\n').forEach((text, i) => {
      if (text.trim() === '') return;
      let line: {custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown};
      try {
        line = JSON.parse(text) as typeof line;
      } catch {
        failure.push({code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line: i + 1});
        return;
      }
      if (typeof line.custom_id !== 'string' || seen.has(line.custom_id)) {
        failure.push({code: 'duplicate_custom_id', message: 'custom_id is missing or not unique within the batch.', line: i + 1});
        return;
      }
      if (line.method !== 'POST' || line.url !== '/v1/chat/completions') {
        failure.push({code: 'invalid_url', message: 'Each line must be a POST to /v1/chat/completions.', line: i + 1});
        return;
      }
      seen.add(line.custom_id);
      batch.lines.push(this.run(wire, line.custom_id, line.body, o.failureRate));
    });
    if (failure.length > 0) {
      batch.failure = failure;
      batch.lines = [];
    }
    this.state.batches[batch.id] = batch;
    this.counts.batches++;
    this.counts.lines += batch.lines.length;
    this.save();
    return send(res, 200, this.openaiBatch(batch));
  }

  private async createAnthropic(req: IncomingMessage, res: ServerResponse, wire: WireFormat): Promise<void> {
    let body: {requests?: unknown};
    try {
      body = JSON.parse((await readBody(req)).toString('utf8')) as typeof body;
    } catch {
      return send(res, 400, wire.error(400, 'request body is not valid JSON'));
    }
    if (!Array.isArray(body.requests) || body.requests.length === 0) return send(res, 400, wire.error(400, 'requests: at least one request is required'));
    const ids = body.requests.map((r) => (r as {custom_id?: unknown})?.custom_id);
    if (ids.some((id) => typeof id !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(id)) || new Set(ids).size !== ids.length) {
      return send(res, 400, wire.error(400, 'requests: every custom_id must be unique and match ^[a-zA-Z0-9_-]{1,64}$'));
    }
    const o = this.options(req);
    const batch: StoredBatch = {id: `msgbatch_sim${randomUUID().replace(/-/g, '').slice(0, 20)}`, wire: 'anthropic', createdAt: Date.now(), turnaroundMs: o.turnaroundMs, expireAfterMs: o.expireAfterMs, lines: []};
    for (const r of body.requests as Array<{custom_id: string; params?: unknown}>) batch.lines.push(this.run(wire, r.custom_id, r.params, o.failureRate));
    this.state.batches[batch.id] = batch;
    this.counts.batches++;
    this.counts.lines += batch.lines.length;
    this.save();
    return send(res, 200, this.anthropicBatch(batch, `http://${req.headers.host ?? '127.0.0.1'}`));
  }

  private async createGemini(req: IncomingMessage, res: ServerResponse, model: string, wire: WireFormat): Promise<void> {
    let body: {batch?: {displayName?: unknown; inputConfig?: {requests?: {requests?: unknown}; fileName?: unknown}}};
    try {
      body = JSON.parse((await readBody(req)).toString('utf8')) as typeof body;
    } catch {
      return send(res, 400, wire.error(400, 'Invalid JSON payload received.'));
    }
    const input = body.batch?.inputConfig;
    if (input?.fileName !== undefined) return send(res, 400, wire.error(400, 'the sandbox batches inlined requests only (batch.inputConfig.requests), not files'));
    const requests = input?.requests?.requests;
    if (!Array.isArray(requests) || requests.length === 0) return send(res, 400, wire.error(400, 'batch.inputConfig.requests.requests: at least one request is required'));
    const o = this.options(req);
    const id = `batches/sim${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    const batch: StoredBatch = {id, wire: 'gemini', createdAt: Date.now(), turnaroundMs: o.turnaroundMs, expireAfterMs: o.expireAfterMs, lines: [], model: `models/${model}`, ...(typeof body.batch?.displayName === 'string' && {displayName: body.batch.displayName})};
    requests.forEach((r, i) => {
      const item = (r ?? {}) as {request?: {model?: unknown}; metadata?: {key?: unknown}};
      const key = typeof item.metadata?.key === 'string' ? item.metadata.key : String(i);
      // An inlined request may name its own model (models/x); the URL's is the default.
      const own = typeof item.request?.model === 'string' ? item.request.model.replace(/^models\//, '') : model;
      batch.lines.push(this.run(wire, key, item.request, o.failureRate, own));
    });
    this.state.batches[id] = batch;
    this.counts.batches++;
    this.counts.lines += batch.lines.length;
    this.save();
    return send(res, 200, this.geminiOperation(batch));
  }

  /**
   * A Gemini batch as the API returns it: an Operation whose metadata is the GenerateContentBatch. Once it succeeded,
   * `metadata.output.inlinedResponses.inlinedResponses` holds one entry per request, in order, each with the request's
   * metadata and either a GenerateContentResponse or a google.rpc.Status error. An expired batch has no results.
   */
  private geminiOperation(batch: StoredBatch): {name: string; done: boolean; metadata: Record<string, unknown>; response?: unknown} {
    const p = this.progress(batch);
    const iso = (ms: number) => new Date(ms).toISOString();
    const done = batch.lines.slice(0, p.processed);
    const failed = done.filter((l) => l.status !== 200).length;
    const state = !p.ended ? (p.processed === 0 ? 'BATCH_STATE_PENDING' : 'BATCH_STATE_RUNNING') : p.expired ? 'BATCH_STATE_EXPIRED' : 'BATCH_STATE_SUCCEEDED';
    const output =
      state === 'BATCH_STATE_SUCCEEDED'
        ? {
            inlinedResponses: {
              inlinedResponses: batch.lines.map((l) => ({
                metadata: {key: l.customId},
                ...(l.status === 200 ? {response: l.body} : {error: rpcStatus(l)}),
              })),
            },
          }
        : undefined;
    const metadata: Record<string, unknown> = {
      '@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.GenerateContentBatch',
      model: batch.model,
      displayName: batch.displayName ?? '',
      ...(output && {output}),
      createTime: iso(batch.createdAt),
      ...(p.ended && {endTime: iso(p.endedAt)}),
      updateTime: iso(p.ended ? p.endedAt : Date.now()),
      batchStats: {
        requestCount: String(batch.lines.length),
        successfulRequestCount: String(done.length - failed),
        ...(failed > 0 && {failedRequestCount: String(failed)}),
        pendingRequestCount: String(p.ended ? 0 : batch.lines.length - p.processed),
      },
      state,
      name: batch.id,
    };
    return {name: batch.id, metadata, done: p.ended, ...(output && {response: {'@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.GenerateContentBatchOutput', ...output}})};
  }

  /** Where a batch is now: how many of its lines have been processed, and whether it has ended (and expired). */
  private progress(batch: StoredBatch, now = Date.now()): {ended: boolean; expired: boolean; processed: number; endedAt: number} {
    const n = batch.lines.length;
    const turnaround = batch.turnaroundMs;
    const expires = batch.expireAfterMs !== null && batch.expireAfterMs < turnaround;
    const end = expires ? batch.expireAfterMs! : turnaround;
    const elapsed = now - batch.createdAt;
    const share = (ms: number) => (turnaround <= 0 ? n : Math.min(n, Math.floor((n * ms) / turnaround)));
    if (batch.failure) return {ended: true, expired: false, processed: 0, endedAt: batch.createdAt};
    if (elapsed < end) return {ended: false, expired: false, processed: share(elapsed), endedAt: 0};
    return {ended: true, expired: expires, processed: expires ? share(end) : n, endedAt: batch.createdAt + end};
  }

  private openaiBatch(batch: StoredBatch): unknown {
    const p = this.progress(batch);
    const sec = (ms: number) => Math.floor(ms / 1000);
    const done = batch.lines.slice(0, p.processed);
    const failed = done.filter((l) => l.status !== 200).length;
    if (p.ended && batch.outputFileId === undefined) {
      // Result files are written once, when the batch is first seen finished.
      const file = (lines: string[], kind: string): string | null => {
        if (lines.length === 0) return null;
        const f: StoredFile = {id: `file-sim${kind}${randomUUID().replace(/-/g, '').slice(0, 16)}`, purpose: 'batch_output', filename: `${batch.id}_${kind}.jsonl`, createdAt: Date.now(), content: lines.map((l) => `${l}\n`).join('')};
        this.state.files[f.id] = f;
        return f.id;
      };
      const lineOf = (l: LineOutcome, i: number, expired: boolean) =>
        JSON.stringify({
          id: `batch_req_${batch.id.slice(-8)}_${i}`,
          custom_id: l.customId,
          response: expired ? null : {status_code: l.status, request_id: `req_sim_${i}`, body: l.body},
          error: expired ? {code: 'batch_expired', message: EXPIRED_MESSAGE} : null,
        });
      batch.outputFileId = file(done.map((l, i) => [l, i] as const).filter(([l]) => l.status === 200).map(([l, i]) => lineOf(l, i, false)), 'out');
      batch.errorFileId = file(
        batch.lines.map((l, i) => [l, i] as const).filter(([l, i]) => i >= p.processed || l.status !== 200).map(([l, i]) => lineOf(l, i, i >= p.processed)),
        'err',
      );
      this.save();
    }
    const status = batch.failure ? 'failed' : !p.ended ? 'in_progress' : p.expired ? 'expired' : 'completed';
    return {
      id: batch.id,
      object: 'batch',
      endpoint: '/v1/chat/completions',
      errors: batch.failure ? {object: 'list', data: batch.failure} : null,
      input_file_id: batch.inputFileId,
      completion_window: '24h',
      status,
      output_file_id: p.ended ? (batch.outputFileId ?? null) : null,
      error_file_id: p.ended ? (batch.errorFileId ?? null) : null,
      created_at: sec(batch.createdAt),
      in_progress_at: batch.failure ? null : sec(batch.createdAt),
      expires_at: sec(batch.createdAt) + 86_400,
      finalizing_at: p.ended && !batch.failure ? sec(p.endedAt) : null,
      completed_at: status === 'completed' ? sec(p.endedAt) : null,
      failed_at: batch.failure ? sec(batch.createdAt) : null,
      expired_at: status === 'expired' ? sec(p.endedAt) : null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: {total: batch.lines.length, completed: p.processed - failed, failed: failed + (p.ended ? batch.lines.length - p.processed : 0)},
      metadata: batch.metadata ?? null,
    };
  }

  private anthropicBatch(batch: StoredBatch, host: string): unknown {
    const p = this.progress(batch);
    const done = batch.lines.slice(0, p.processed);
    const errored = done.filter((l) => l.status !== 200).length;
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: p.ended ? 'ended' : 'in_progress',
      request_counts: {
        processing: p.ended ? 0 : batch.lines.length - p.processed,
        succeeded: done.length - errored,
        errored,
        canceled: 0,
        expired: p.ended ? batch.lines.length - p.processed : 0,
      },
      ended_at: p.ended ? iso(p.endedAt) : null,
      created_at: iso(batch.createdAt),
      expires_at: iso(batch.createdAt + 86_400_000),
      archived_at: null,
      cancel_initiated_at: null,
      results_url: p.ended ? `${host}/v1/messages/batches/${batch.id}/results` : null,
    };
  }

  private save(): void {
    if (!this.stateFile) return;
    mkdirSync(dirname(this.stateFile), {recursive: true});
    const tmp = `${this.stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.stateFile);
  }
}

function anthropicResult(line: LineOutcome, processed: boolean): unknown {
  if (!processed) return {type: 'expired'};
  if (line.status === 200) return {type: 'succeeded', message: line.body};
  const error = (line.body as {error?: unknown} | null)?.error ?? {type: 'api_error', message: 'failed'};
  return {type: 'errored', error: {type: 'error', error}};
}

/** google.rpc.Status codes for the HTTP statuses a line can end with (a batch result error carries the gRPC code). */
const RPC_CODE: Record<number, number> = {400: 3, 401: 16, 403: 7, 404: 5, 429: 8, 500: 13, 503: 14, 504: 4};

function rpcStatus(line: LineOutcome): {code: number; message: string} {
  const message = (line.body as {error?: {message?: unknown}} | null)?.error?.message;
  return {code: RPC_CODE[line.status] ?? 2, message: typeof message === 'string' ? message : `request failed (${line.status})`};
}

function fileObject(f: StoredFile): unknown {
  return {id: f.id, object: 'file', bytes: Buffer.byteLength(f.content), created_at: Math.floor(f.createdAt / 1000), filename: f.filename, purpose: f.purpose, status: 'processed', expires_at: null, status_details: null};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
