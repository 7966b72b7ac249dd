import type Anthropic from '@anthropic-ai/sdk';
import {classifyError} from './classify-error.ts';
import {classifyContext, type ClientOptions} from './client-options.ts';
import {normalizeFinishReason} from './finish-reason.ts';
import {anthropicUsage} from './usage.ts';
import type {BatchApi, BatchItem, BatchItemOutcome, BatchStatus, CompletionRequest} from './provider-client.ts';
import {anthropicToolCalls, recordedCalls} from './message-format.ts';

/** The HTTP status each Anthropic error type stands for, so an errored batch result classifies like a live error. */
const STATUS_OF: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  conflict_error: 409,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** Anthropic Message Batches: the requests go up in one call; results stream back as JSONL once the batch ended. */
export function anthropicBatchApi(client: Anthropic, opts: ClientOptions, body: (model: string, request: CompletionRequest) => object): BatchApi {
  const fail = (error: unknown, what: string): never => {
    throw classifyError(error, classifyContext(opts, what, opts.timeoutMs));
  };
  return {
    maxRequests: 100_000,
    async submit(items: BatchItem[], signal?: AbortSignal) {
      const requests = items.map((i) => ({
        custom_id: i.customId,
        params: body(i.model, {messages: i.messages, params: i.params, stream: false, timeoutMs: opts.timeoutMs}) as Anthropic.MessageCreateParamsNonStreaming,
      }));
      try {
        const batch = await client.messages.batches.create({requests}, {signal});
        return batch.id;
      } catch (error) {
        return fail(error, items[0]?.model ?? '(batch)');
      }
    },
    async status(batchId, signal): Promise<BatchStatus> {
      let b: Anthropic.Messages.MessageBatch;
      try {
        b = await client.messages.batches.retrieve(batchId, {}, {signal});
      } catch (error) {
        return fail(error, `(batch ${batchId})`);
      }
      const c = b.request_counts;
      const total = c.processing + c.succeeded + c.errored + c.canceled + c.expired;
      const ended = b.ended_at ? Date.parse(b.ended_at) : Number.NaN;
      return {
        done: b.processing_status === 'ended',
        raw: b.processing_status,
        total,
        finished: c.succeeded + c.errored,
        failed: c.errored,
        endedAtMs: Number.isFinite(ended) ? ended : null,
      };
    },
    async results(batchId, signal): Promise<BatchItemOutcome[]> {
      const out: BatchItemOutcome[] = [];
      try {
        for await (const line of await client.messages.batches.results(batchId, {}, {signal})) {
          const customId = line.custom_id;
          const r = line.result;
          if (r.type === 'succeeded') {
            const m = r.message;
            out.push({
              customId,
              completion: {
                text: (m.content ?? []).map((block) => (block.type === 'text' ? block.text : '')).join(''),
                ...recordedCalls({}, anthropicToolCalls(m.content ?? [])),
                ...anthropicUsage(m.usage),
                finishReason: normalizeFinishReason(m.stop_reason),
                finishReasonRaw: m.stop_reason ?? null,
                latencyMs: 0,
                ttftMs: null,
              },
            });
          } else if (r.type === 'errored') {
            const e = (r.error as {error?: {type?: string; message?: string}} | undefined)?.error;
            const status = STATUS_OF[e?.type ?? ''] ?? 500;
            out.push({customId, error: classifyError({status, message: JSON.stringify({error: {message: e?.message ?? `${e?.type ?? 'error'} in batch ${batchId}`}})}, classifyContext(opts, '(batch)', opts.timeoutMs))});
          } else {
            out.push({customId, unfinished: r.type === 'expired' ? 'expired' : 'canceled'});
          }
        }
      } catch (error) {
        return fail(error, `(batch ${batchId})`);
      }
      return out;
    },
  };
}
