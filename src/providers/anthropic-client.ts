import Anthropic from '@anthropic-ai/sdk';
import {anthropicBatchApi} from './anthropic-batch.ts';
import {classifyError, hintFor} from './classify-error.ts';
import {anthropicFeatures, anthropicThinking} from './request-features.ts';
import {anthropicMessages, anthropicToolCalls, anthropicTools, AnthropicToolUseDeltas, recordedCalls} from './message-format.ts';
import {classifyContext, clientFetch, deadline, sdkTimeoutMs, secretsOf, UnsupportedParams, type ClientOptions} from './client-options.ts';
import {normalizeFinishReason} from './finish-reason.ts';
import {redactingLogger} from './redacting-logger.ts';
import type {Completion, CompletionRequest, ProviderClient} from './provider-client.ts';
import {ProviderError} from './provider-error.ts';
import {anthropicUsage, mergeUsage, NO_USAGE} from './usage.ts';
import {measureWire, streamTiming} from './wire-timing.ts';

/** Anthropic requires max_tokens; this is used when a model's params name none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

export function createAnthropicClient(opts: ClientOptions): ProviderClient {
  const client = new Anthropic({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    maxRetries: 0, // assay's runner is the one retry layer; this SDK would otherwise wait out any Retry-After
    fetch: clientFetch(opts),
    timeout: sdkTimeoutMs(opts.timeoutMs),
    // OPENAI_LOG / ANTHROPIC_LOG=debug print through this: never a key, even one a server echoes back.
    logger: redactingLogger(secretsOf(opts)),
    defaultHeaders: opts.headers,
    defaultQuery: opts.query,
  });
  const unsupported = new UnsupportedParams(opts, ['frequencyPenalty', 'presencePenalty', 'seed'], 'Anthropic messages');

  function body(model: string, request: CompletionRequest) {
    const p = request.params;
    unsupported.check(p);
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const thinking = anthropicThinking(p, p.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS);
    return {
      model,
      max_tokens: thinking.maxTokens,
      messages: anthropicMessages(request.messages) as Anthropic.MessageParam[],
      ...(system && {system}),
      // Extended thinking runs at the API's own sampling: temperature, top_p and top_k are refused beside it.
      ...(!thinking.thinking && p.temperature !== undefined && {temperature: Math.min(p.temperature, 1)}),
      ...(!thinking.thinking && p.topP !== undefined && {top_p: p.topP}),
      ...(!thinking.thinking && p.topK !== undefined && {top_k: p.topK}),
      ...(p.stop !== undefined && p.stop.length > 0 && {stop_sequences: p.stop}),
      ...(anthropicTools(p) as Pick<Anthropic.MessageCreateParams, 'tools' | 'tool_choice'>),
      ...anthropicFeatures(p),
    };
  }

  return {
    providerId: opts.providerId,
    batch: anthropicBatchApi(client, opts, body),
    async complete(model, request): Promise<Completion> {
      const ctx = classifyContext(opts, model, request.timeoutMs);
      const dl = deadline(request.signal, request.timeoutMs, request.stallTimeoutMs);
      const {signal} = dl;
      try {
        if (!request.stream) {
          const {value: r, latencyMs} = await measureWire(() => client.messages.create({...body(model, request), stream: false}, {signal, timeout: sdkTimeoutMs(request.timeoutMs)}), dl.timing);
          const bodyError = (r as unknown as {type?: string; error?: {message?: string}}).type === 'error' ? (r as unknown as {error?: {message?: string}}).error : undefined;
          if (bodyError) throw new ProviderError('server', `${opts.providerId} answered 200 with an error: ${bodyError.message ?? 'unknown'}`, {hint: 'the API reported an error inside a 200 response; it is retried'});
          if (!Array.isArray(r.content)) throw new ProviderError('bad-response', `${opts.providerId} sent a message without content`, {hint: hintFor('bad-response', null, classifyContext(opts, model, request.timeoutMs), '')});
          const text = r.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
          return {
            servedModel: r.model || null,
            text,
            ...recordedCalls(request.params, anthropicToolCalls(r.content)),
            ...anthropicUsage(r.usage),
            finishReason: normalizeFinishReason(r.stop_reason),
            finishReasonRaw: r.stop_reason ?? null,
            latencyMs,
            ttftMs: null,
          };
        }
        const clock = streamTiming(dl.timing);
        const stream = await dl.run(() => clock.open(() => client.messages.create({...body(model, request), stream: true}, {signal, timeout: sdkTimeoutMs(request.timeoutMs)})));
        dl.touch();
        let text = '';
        const calls = new AnthropicToolUseDeltas();
        let ttftMs: number | null = null;
        let usage = NO_USAGE;
        let finishRaw: string | null = null;
        let stopped = false;
        let servedModel: string | null = null;
        for await (const event of stream) {
          dl.touch();
          switch (event.type) {
            case 'message_start':
              servedModel = event.message.model || null;
              usage = anthropicUsage(event.message.usage);
              break;
            case 'content_block_start':
              calls.start(event.index, event.content_block);
              break;
            case 'content_block_delta':
              if ((event.delta.type === 'text_delta' && event.delta.text) || event.delta.type === 'input_json_delta') {
                request.onChunk?.();
                if (ttftMs === null) ttftMs = clock.firstTokenMs();
                if (event.delta.type === 'text_delta') text += event.delta.text;
                else calls.delta(event.index, event.delta.partial_json);
              }
              break;
            case 'message_delta':
              // Counts here are cumulative for the whole message; fields it leaves out keep message_start's.
              usage = mergeUsage(usage, anthropicUsage(event.usage));
              if (event.delta.stop_reason) finishRaw = event.delta.stop_reason;
              break;
            case 'message_stop':
              stopped = true;
              break;
          }
        }
        const latencyMs = clock.totalMs();
        // An abort mid-stream can end the iteration quietly instead of throwing.
        if (signal.aborted) throw signal.reason ?? new Error('aborted');
        if (!stopped) throw new ProviderError('bad-response', `${opts.providerId} ended the stream without message_stop`, {hint: 'the stream was cut short; it is retried'});
        return {servedModel, text, ...recordedCalls(request.params, calls.done()), ...usage, finishReason: normalizeFinishReason(finishRaw), finishReasonRaw: finishRaw, latencyMs, ttftMs};
      } catch (error) {
        throw classifyError(error, ctx, {timedOut: dl.timedOut(), stalled: dl.stalled() ? request.stallTimeoutMs : undefined});
      } finally {
        dl.done();
      }
    },
    async listModels() {
      const ctx = classifyContext(opts, '(list models)', opts.timeoutMs);
      try {
        const ids: string[] = [];
        for await (const m of client.models.list({}, {timeout: opts.timeoutMs})) ids.push(m.id);
        return ids;
      } catch (error) {
        throw classifyError(error, ctx);
      }
    },
  };
}
