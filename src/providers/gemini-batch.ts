import type {GoogleGenAI, InlinedRequest, InlinedResponse} from '@google/genai';
import {classifyError} from './classify-error.ts';
import {classifyContext, type ClientOptions} from './client-options.ts';
import {normalizeFinishReason} from './finish-reason.ts';
import type {BatchApi, BatchItem, BatchItemOutcome, BatchStatus, Completion, CompletionRequest} from './provider-client.ts';
import {ProviderError} from './provider-error.ts';
import {geminiUsage} from './usage.ts';
import {geminiParts, recordedCalls} from './message-format.ts';

/** Terminal job states, as @google/genai names the API's BATCH_STATE_* values. */
const DONE = new Set(['JOB_STATE_SUCCEEDED', 'JOB_STATE_PARTIALLY_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED', 'JOB_STATE_EXPIRED']);

/** The HTTP status each google.rpc.Status code stands for, so an errored batch result classifies like a live error. */
const HTTP_OF_RPC: Record<number, number> = {1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401};

/** Runs one SDK call; returns its value and the raw JSON body of the response, or throws the classified error. */
export type GeminiCall = <T>(what: string, fn: () => Promise<T>) => Promise<{value: T; raw: unknown}>;

/** A batch's raw Operation fields the SDK does not surface for the Gemini API (batchStats, the operation error). */
interface RawOperation {
  error?: {code?: number; message?: string};
  metadata?: {batchStats?: Record<string, string | number | undefined>};
}

/**
 * The Gemini Batch API through @google/genai, with inlined requests: `batches.create` posts them to
 * `models/{model}:batchGenerateContent` (each with metadata {key: customId}), the batch is a
 * long-running operation `batches/{id}` polled with `batches.get`, and once it succeeded its
 * answers come back inlined in the same object (`dest.inlinedResponses`, in request order, each
 * with the request's metadata and a response or a google.rpc.Status error). An expired or
 * cancelled batch has no results: its requests were not processed.
 */
export function geminiBatchApi(ai: GoogleGenAI, opts: ClientOptions, call: GeminiCall, inline: (request: CompletionRequest) => Omit<InlinedRequest, 'model' | 'metadata'>): BatchApi {
  const get = (batchId: string, signal?: AbortSignal) => call(`(batch ${batchId})`, () => ai.batches.get({name: batchId, config: {abortSignal: signal}}));
  return {
    // Inlined requests may total 20 MB per batch; 2,000 keeps ordinary prompts well inside it.
    maxRequests: 2_000,
    async submit(items: BatchItem[], signal?: AbortSignal) {
      const model = items[0]?.model ?? '(batch)';
      const src: InlinedRequest[] = items.map((i) => ({
        model: i.model,
        ...inline({messages: i.messages, params: i.params, stream: false, timeoutMs: opts.timeoutMs}),
        metadata: {key: i.customId},
      }));
      const {value: job} = await call(model, () => ai.batches.create({model, src, config: {displayName: 'assay', abortSignal: signal}}));
      if (!job.name) throw new ProviderError('bad-response', `${opts.providerId} accepted a batch but returned no batch name`, {hint: 'the batchGenerateContent response had no "name"', retryable: false});
      return job.name;
    },
    async status(batchId, signal): Promise<BatchStatus> {
      const {value: b, raw} = await get(batchId, signal);
      const op = (raw ?? {}) as RawOperation;
      const stats = op.metadata?.batchStats ?? {};
      const n = (k: string) => Number(stats[k] ?? 0) || 0;
      const responses = b.dest?.inlinedResponses ?? [];
      const state = String(b.state ?? 'JOB_STATE_UNSPECIFIED');
      const end = b.endTime ? Date.parse(b.endTime) : Number.NaN;
      const failed = n('failedRequestCount') || responses.filter((r) => r.error).length;
      return {
        done: DONE.has(state),
        raw: state,
        total: n('requestCount') || responses.length,
        finished: n('successfulRequestCount') + n('failedRequestCount') || responses.length,
        failed,
        endedAtMs: Number.isFinite(end) ? end : null,
        ...(state === 'JOB_STATE_EXPIRED' && {unfinished: 'expired' as const}),
        ...(state === 'JOB_STATE_CANCELLED' && {unfinished: 'canceled' as const}),
        ...(state === 'JOB_STATE_FAILED' && {failure: op.error?.message || 'the batch failed'}),
      };
    },
    async results(batchId, signal): Promise<BatchItemOutcome[]> {
      const {value: b} = await get(batchId, signal);
      if (b.dest?.fileName && !b.dest.inlinedResponses) {
        throw new ProviderError('bad-response', `${opts.providerId} returned the results of batch ${batchId} as a file (${b.dest.fileName}); assay submits inlined requests and reads inlined responses`, {retryable: false});
      }
      const out: BatchItemOutcome[] = [];
      for (const r of b.dest?.inlinedResponses ?? []) {
        const customId = r.metadata?.key;
        if (!customId) continue;
        if (r.error) {
          const code = r.error.code ?? 13;
          // google.rpc.Status codes are 0-16; anything larger is taken as an HTTP status.
          const status = code > 16 ? code : (HTTP_OF_RPC[code] ?? 500);
          out.push({customId, error: classifyError({status, message: JSON.stringify({error: {message: r.error.message ?? `request failed in batch ${batchId}`}})}, classifyContext(opts, '(batch)', opts.timeoutMs))});
          continue;
        }
        try {
          out.push({customId, completion: completion(r, opts.providerId)});
        } catch (error) {
          out.push({customId, error: classifyError(error, classifyContext(opts, '(batch)', opts.timeoutMs))});
        }
      }
      return out;
    },
  };
}

/** A GenerateContentResponse from a batch (a plain object: no `.text` getter). */
function completion(r: InlinedResponse, providerId: string): Completion {
  const candidate = r.response?.candidates?.[0];
  if (!candidate) throw new ProviderError('bad-response', `${providerId} returned no candidates in a batch result`, {hint: 'the prompt may have been blocked; see promptFeedback'});
  const finishRaw = candidate.finishReason ?? null;
  const {text, toolCalls} = geminiParts(candidate.content?.parts);
  return {
    text,
    ...recordedCalls({}, toolCalls),
    ...geminiUsage(r.response?.usageMetadata),
    finishReason: normalizeFinishReason(finishRaw),
    finishReasonRaw: finishRaw,
    latencyMs: 0,
    ttftMs: null,
  };
}
