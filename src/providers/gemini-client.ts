import {geminiFeatures} from './request-features.ts';
import {geminiContents, geminiParts, geminiTools, recordedCalls} from './message-format.ts';
import type {ToolCall} from '../core/types.ts';
import {AsyncLocalStorage} from 'node:async_hooks';
import type {GoogleGenAI as GoogleGenAIType} from '@google/genai';
import {classifyError} from './classify-error.ts';
import {classifyContext, clientFetch, deadline, sdkTimeoutMs, UnsupportedParams, type ClientOptions} from './client-options.ts';
import {normalizeFinishReason} from './finish-reason.ts';
import {geminiBatchApi, type GeminiCall} from './gemini-batch.ts';
import type {Completion, CompletionRequest, ProviderClient} from './provider-client.ts';
import {ProviderError} from './provider-error.ts';
import {geminiUsage, mergeUsage, NO_USAGE} from './usage.ts';
import {measureWire, streamTiming} from './wire-timing.ts';

/**
 * Gemini through @google/genai. Its errors carry no headers, so a fetch wrapper keeps the last
 * response's headers per request (AsyncLocalStorage) for Retry-After, and adds extra query parameters.
 */
export async function createGeminiClient(opts: ClientOptions, vertex?: {project: string; location: string}): Promise<ProviderClient> {
  const {GoogleGenAI} = await import('@google/genai');
  const lastResponse = new AsyncLocalStorage<{headers: Headers | null; keep?: boolean; body?: Response}>();
  const boundFetch = clientFetch(opts);
  const wrappedFetch: typeof fetch = async (input, init) => {
    let url = input instanceof Request ? input.url : String(input);
    const extra = Object.entries(opts.query);
    if (extra.length > 0) {
      const u = new URL(url);
      for (const [k, v] of extra) u.searchParams.set(k, v);
      url = u.toString();
    }
    const response = await boundFetch(input instanceof Request ? new Request(url, input) : url, init);
    const slot = lastResponse.getStore();
    if (slot) {
      slot.headers = response.headers;
      // Batch calls keep the raw body: the SDK drops fields of the batch operation assay reads (batchStats).
      if (slot.keep) slot.body = response.clone();
    }
    return response;
  };
  const httpOptions = {
    ...(opts.baseURL && {baseUrl: opts.baseURL}),
    headers: opts.headers,
    timeout: sdkTimeoutMs(opts.timeoutMs),
    fetch: wrappedFetch as never,
  };
  // No retryOptions: genai's opt-in retries ignore Retry-After; assay's runner retries instead.
  const ai: GoogleGenAIType = vertex
    ? new GoogleGenAI({
        vertexai: true,
        project: vertex.project,
        location: vertex.location,
        // The token source's fetch wrapper sets Authorization; this keeps genai from looking for credentials of its own.
        googleAuthOptions: {authClient: {getRequestHeaders: async () => new Headers()} as never},
        httpOptions,
      })
    : new GoogleGenAI({apiKey: opts.apiKey, httpOptions});
  // Every parameter maps; nothing to drop. Kept for symmetry should the API change.
  const unsupported = new UnsupportedParams(opts, [], 'Gemini generateContent');

  function request(model: string, r: CompletionRequest, signal: AbortSignal) {
    const {contents, config} = content(r);
    return {model, contents, config: {abortSignal: signal, ...config}};
  }

  /** contents and generation config of a request (also what a batch inlines). */
  function content(r: CompletionRequest) {
    const p = r.params;
    unsupported.check(p);
    const system = r.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    return {
      contents: geminiContents(r.messages),
      config: {
        ...(system && {systemInstruction: system}),
        ...(p.temperature !== undefined && {temperature: p.temperature}),
        ...(p.maxTokens !== undefined && {maxOutputTokens: p.maxTokens}),
        ...(p.topP !== undefined && {topP: p.topP}),
        ...(p.topK !== undefined && {topK: p.topK}),
        ...(p.stop !== undefined && p.stop.length > 0 && {stopSequences: p.stop}),
        ...(p.frequencyPenalty !== undefined && {frequencyPenalty: p.frequencyPenalty}),
        ...(p.presencePenalty !== undefined && {presencePenalty: p.presencePenalty}),
        ...(p.seed !== undefined && {seed: p.seed}),
        ...geminiTools(p),
        ...geminiFeatures(p),
      },
    };
  }

  function fail(error: unknown, model: string, timeoutMs: number, slot: {headers: Headers | null}, timedOut: boolean, stalled?: number): never {
    const withHeaders = error && typeof error === 'object' && slot.headers ? Object.assign(error, {headers: slot.headers}) : error;
    throw classifyError(withHeaders, classifyContext(opts, model, timeoutMs), {timedOut, stalled});
  }

  const call: GeminiCall = (what, fn) => {
    const slot: {headers: Headers | null; keep: boolean; body?: Response} = {headers: null, keep: true};
    return lastResponse.run(slot, async () => {
      try {
        const value = await fn();
        const raw: unknown = slot.body ? await slot.body.json().catch(() => null) : null;
        return {value, raw};
      } catch (error) {
        fail(error, what, opts.timeoutMs, slot, false);
      }
    });
  };

  return {
    providerId: opts.providerId,
    // Vertex batch prediction reads from and writes to Cloud Storage or BigQuery: not the inline batches used here.
    ...(!vertex && {batch: geminiBatchApi(ai, opts, call, content)}),
    async complete(model, r): Promise<Completion> {
      const dl = deadline(r.signal, r.timeoutMs, r.stallTimeoutMs);
      const {signal} = dl;
      const slot = {headers: null as Headers | null};
      return lastResponse.run(slot, async () => {
        try {
          if (!r.stream) {
            const {value: res, latencyMs} = await dl.run(() => measureWire(() => ai.models.generateContent(request(model, r, signal)), dl.timing));
            const candidate = res.candidates?.[0];
            if (!candidate) throw new ProviderError('bad-response', `${opts.providerId} returned no candidates`, {hint: 'the prompt may have been blocked; see promptFeedback'});
            const finishRaw = candidate.finishReason ?? null;
            // Read from the parts, not res.text: that getter warns on the console whenever a part is a function call.
            const {text, toolCalls} = geminiParts(candidate.content?.parts);
            return {
              servedModel: res.modelVersion ?? null,
              text,
              ...recordedCalls(r.params, toolCalls),
              ...geminiUsage(res.usageMetadata),
              finishReason: normalizeFinishReason(finishRaw),
              finishReasonRaw: finishRaw,
              latencyMs,
              ttftMs: null,
            };
          }
          const clock = streamTiming(dl.timing);
          const stream = await dl.run(() => clock.open(() => ai.models.generateContentStream(request(model, r, signal))));
          dl.touch();
          let text = '';
          const calls: ToolCall[] = [];
          let ttftMs: number | null = null;
          let finishRaw: string | null = null;
          let usage = NO_USAGE;
          let servedModel: string | null = null;
          for await (const chunk of stream) {
            dl.touch();
            servedModel ??= chunk.modelVersion ?? null;
            // Each functionCall part arrives whole, in the chunk that carries it.
            const {text: delta, toolCalls} = geminiParts(chunk.candidates?.[0]?.content?.parts);
            calls.push(...toolCalls);
            if (delta || toolCalls.length > 0) {
              r.onChunk?.();
              if (ttftMs === null) ttftMs = clock.firstTokenMs();
              text += delta;
            }
            const finish = chunk.candidates?.[0]?.finishReason;
            if (finish) finishRaw = finish;
            // usageMetadata is cumulative; the last chunk's is the total.
            if (chunk.usageMetadata) usage = mergeUsage(usage, geminiUsage(chunk.usageMetadata));
          }
          const latencyMs = clock.totalMs();
          // An abort mid-stream can end the iteration quietly instead of throwing.
          if (signal.aborted) throw signal.reason ?? new Error('aborted');
          if (finishRaw === null) throw new ProviderError('bad-response', `${opts.providerId} ended the stream without a finish reason`, {hint: 'the stream was cut short; it is retried'});
          return {servedModel, text, ...recordedCalls(r.params, calls), ...usage, finishReason: normalizeFinishReason(finishRaw), finishReasonRaw: finishRaw, latencyMs, ttftMs};
        } catch (error) {
          fail(error, model, r.timeoutMs, slot, dl.timedOut(), dl.stalled() ? r.stallTimeoutMs : undefined);
        } finally {
          dl.done();
        }
      });
    },
    async listModels() {
      const slot = {headers: null as Headers | null};
      return lastResponse.run(slot, async () => {
        try {
          const ids: string[] = [];
          for await (const m of await ai.models.list()) if (m.name) ids.push(m.name.replace(/^(publishers\/[^/]+\/)?models\//, ''));
          return ids;
        } catch (error) {
          fail(error, '(list models)', opts.timeoutMs, slot, false);
        }
      });
    },
  };
}
