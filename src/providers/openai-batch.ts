import type OpenAI from 'openai';
import {toFile} from 'openai';
import {classifyError} from './classify-error.ts';
import {classifyContext, type ClientOptions} from './client-options.ts';
import {normalizeFinishReason} from './finish-reason.ts';
import type {BatchApi, BatchItem, BatchItemOutcome, BatchStatus, Completion, CompletionRequest} from './provider-client.ts';
import {ProviderError} from './provider-error.ts';
import {openaiChatUsage} from './usage.ts';
import {openaiToolCalls, recordedCalls} from './message-format.ts';

const DONE = new Set(['completed', 'expired', 'cancelled', 'failed']);

interface OutputLine {
  custom_id?: string;
  response?: {status_code?: number; body?: unknown} | null;
  error?: {code?: string | null; message?: string | null} | null;
}

/**
 * OpenAI Batch: the requests go up as a JSONL file (purpose "batch"), a batch runs them against
 * /v1/chat/completions within the 24 h window, and answers come back as output and error files.
 */
export function openaiBatchApi(client: OpenAI, opts: ClientOptions, body: (model: string, request: CompletionRequest) => object): BatchApi {
  const fail = (error: unknown, what: string): never => {
    throw classifyError(error, classifyContext(opts, what, opts.timeoutMs));
  };

  async function fileLines(fileId: string | null | undefined, signal?: AbortSignal): Promise<OutputLine[]> {
    if (!fileId) return [];
    let text: string;
    try {
      text = await (await client.files.content(fileId, {signal})).text();
    } catch (error) {
      return fail(error, `(batch file ${fileId})`);
    }
    const lines: OutputLine[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        lines.push(JSON.parse(line) as OutputLine);
      } catch {
        throw new ProviderError('bad-response', `${opts.providerId} sent a batch result line that is not JSON (file ${fileId})`, {hint: 'the batch output file is damaged; download it again with --resume'});
      }
    }
    return lines;
  }

  return {
    maxRequests: 50_000,
    async submit(items: BatchItem[], signal?: AbortSignal) {
      const jsonl = items
        .map((i) =>
          JSON.stringify({
            custom_id: i.customId,
            method: 'POST',
            url: '/v1/chat/completions',
            body: body(i.model, {messages: i.messages, params: i.params, stream: false, timeoutMs: opts.timeoutMs}),
          }),
        )
        .join('\n');
      const model = items[0]?.model ?? '(batch)';
      try {
        const file = await client.files.create({file: await toFile(Buffer.from(`${jsonl}\n`), 'assay-batch.jsonl', {type: 'application/jsonl'}), purpose: 'batch'}, {signal});
        const batch = await client.batches.create({input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: {source: 'assay'}}, {signal});
        return batch.id;
      } catch (error) {
        return fail(error, model);
      }
    },
    async status(batchId, signal): Promise<BatchStatus> {
      let b: OpenAI.Batch;
      try {
        b = await client.batches.retrieve(batchId, {signal});
      } catch (error) {
        return fail(error, `(batch ${batchId})`);
      }
      const seconds = b.completed_at ?? b.expired_at ?? b.cancelled_at ?? b.failed_at ?? null;
      const counts = b.request_counts ?? {total: 0, completed: 0, failed: 0};
      return {
        done: DONE.has(b.status),
        raw: b.status,
        total: counts.total,
        finished: counts.completed + counts.failed,
        failed: counts.failed,
        endedAtMs: seconds === null ? null : seconds * 1000,
        ...(b.status === 'failed' && {failure: b.errors?.data?.map((e) => `${e.code ?? 'error'}: ${e.message ?? ''}${e.line ? ` (line ${e.line})` : ''}`).join('; ') || 'the batch failed validation'}),
      };
    },
    async results(batchId, signal): Promise<BatchItemOutcome[]> {
      let b: OpenAI.Batch;
      try {
        b = await client.batches.retrieve(batchId, {signal});
      } catch (error) {
        return fail(error, `(batch ${batchId})`);
      }
      const out: BatchItemOutcome[] = [];
      for (const line of [...(await fileLines(b.output_file_id, signal)), ...(await fileLines(b.error_file_id, signal))]) {
        const customId = line.custom_id;
        if (!customId) continue;
        const status = line.response?.status_code;
        if (status === 200) {
          try {
            out.push({customId, completion: chatCompletion(line.response!.body, opts.providerId)});
          } catch (error) {
            out.push({customId, error: classifyError(error, classifyContext(opts, '(batch)', opts.timeoutMs))});
          }
          continue;
        }
        const code = line.error?.code ?? '';
        if (code === 'batch_expired') {
          out.push({customId, unfinished: 'expired'});
          continue;
        }
        if (code === 'batch_cancelled') {
          out.push({customId, unfinished: 'canceled'});
          continue;
        }
        const errBody = (line.response?.body ?? {}) as {error?: {message?: string}};
        const message = errBody.error?.message ?? line.error?.message ?? `request failed in batch ${batchId}`;
        const model = ((line.response?.body as {model?: string} | undefined)?.model) ?? '(batch)';
        // Shaped like an SDK's HTTP error so the one classifier gives it its class and hint.
        out.push({customId, error: classifyError({status: status ?? 500, message: JSON.stringify({error: {message}})}, classifyContext(opts, model, opts.timeoutMs))});
      }
      return out;
    },
  };
}

/** A non-streamed chat completion body, as a batch output line carries it. */
function chatCompletion(raw: unknown, providerId: string): Completion {
  const r = raw as {choices?: Array<{message?: {content?: string | null} & Parameters<typeof openaiToolCalls>[0]; finish_reason?: string | null}>; usage?: unknown};
  const choice = r?.choices?.[0];
  if (!choice) throw new ProviderError('bad-response', `${providerId} returned no choices in a batch result`, {hint: 'the batch result line had an empty "choices" list'});
  return {
    text: choice.message?.content ?? '',
    ...recordedCalls({}, openaiToolCalls(choice.message)),
    ...openaiChatUsage(r.usage),
    finishReason: normalizeFinishReason(choice.finish_reason ?? null),
    finishReasonRaw: choice.finish_reason ?? null,
    latencyMs: 0,
    ttftMs: null,
  };
}
