import OpenAI, {AzureOpenAI} from 'openai';
import type {ModelParams} from '../core/types.ts';
import {classifyError} from './classify-error.ts';
import {classifyContext, clientFetch, deadline, sdkTimeoutMs, secretsOf, UnsupportedParams, type ClientOptions} from './client-options.ts';
import {normalizeFinishReason} from './finish-reason.ts';
import {openaiBatchApi} from './openai-batch.ts';
import {redactingLogger} from './redacting-logger.ts';
import {openaiFeatures, UNSUPPORTED_BUDGET} from './request-features.ts';
import {OpenAIToolCallDeltas, openaiMessages, openaiToolCalls, openaiTools, recordedCalls} from './message-format.ts';
import type {Completion, CompletionRequest, ProviderClient} from './provider-client.ts';
import {ProviderError} from './provider-error.ts';
import {openaiChatUsage, reportedCost, type UsageParts} from './usage.ts';
import {measureWire, streamTiming} from './wire-timing.ts';
import {listOpenAIModels} from './list-openai-models.ts';

/** Azure OpenAI: deployments under {endpoint}/openai with an api-version, or the v1 API when there is none. */
export interface AzureTarget {
  endpoint: string;
  apiVersion: string | undefined;
}

/** The SDK client for OpenAI or Azure OpenAI (a deployment path with api-version, or the v1 API). */
export function sdkClient(opts: ClientOptions, azure: AzureTarget | undefined): OpenAI {
  const common = {
    maxRetries: 0, // assay's runner is the one retry layer
    fetch: clientFetch(opts),
    timeout: sdkTimeoutMs(opts.timeoutMs),
    // OPENAI_LOG / ANTHROPIC_LOG=debug print through this: never a key, even one a server echoes back.
    logger: redactingLogger(secretsOf(opts)),
    defaultHeaders: opts.headers,
    defaultQuery: opts.query,
  };
  const endpoint = azure?.endpoint.replace(/\/+$/, '');
  if (azure?.apiVersion) {
    // baseURL, not endpoint: the SDK would otherwise pick up $OPENAI_BASE_URL and refuse the pair.
    // The SDK puts /deployments/{model} into the path and sends a key as "api-key", a token as Bearer.
    return new AzureOpenAI({
      ...common,
      baseURL: `${endpoint}/openai`,
      apiVersion: azure.apiVersion,
      ...(opts.tokenSource ? {azureADTokenProvider: () => opts.tokenSource!.token()} : {apiKey: opts.apiKey}),
    });
  }
  return new OpenAI({
    ...common,
    apiKey: opts.apiKey,
    baseURL: endpoint ? `${endpoint}/openai/v1` : opts.baseURL,
    // Azure's v1 API documents the key in an "api-key" header; the key need not travel twice.
    ...(azure && !opts.tokenSource && {defaultHeaders: {...opts.headers, 'api-key': opts.apiKey, authorization: null}}),
  });
}

/** What served a response: its model id, system_fingerprint, and the upstream an aggregator names (OpenRouter's `provider`). */
function served(r: {model?: string; system_fingerprint?: string | null}): {servedModel: string | null; systemFingerprint: string | null; upstream: string | null} {
  const upstream = (r as {provider?: unknown}).provider;
  return {servedModel: r.model || null, systemFingerprint: r.system_fingerprint || null, upstream: typeof upstream === 'string' && upstream ? upstream : null};
}

/**
 * OpenAI chat completions through the official SDK. `compatible` servers (Ollama, vLLM, gateways)
 * get the classic `max_tokens`; OpenAI itself gets `max_completion_tokens`, which its newer models require.
 */
export function createOpenAIClient(opts: ClientOptions, compatible: boolean, batch = !compatible, azure?: AzureTarget): ProviderClient {
  const client = sdkClient(opts, azure);
  let budgetWarned = false;
  const unsupported = new UnsupportedParams(opts, ['topK'], compatible ? 'the OpenAI-compatible API' : 'OpenAI chat completions');

  const maxTokensParam = opts.compat?.maxTokensParam ?? (compatible ? 'max_tokens' : 'max_completion_tokens');
  // Asks for token usage in streams, unless the server refuses the field.
  const streamOptions = opts.compat?.streamOptions === false ? {} : {stream_options: {include_usage: true}};

  function body(model: string, request: CompletionRequest) {
    const p: ModelParams = request.params;
    unsupported.check(p);
    if (p.reasoning && 'budgetTokens' in p.reasoning && !budgetWarned) {
      budgetWarned = true;
      opts.warn({providerId: opts.providerId, message: `${UNSUPPORTED_BUDGET} is not sent; set reasoning: {effort: low|medium|high}`});
    }
    return {
      model,
      messages: openaiMessages(request.messages) as unknown as OpenAI.Chat.ChatCompletionMessageParam[],
      ...(p.temperature !== undefined && {temperature: p.temperature}),
      ...(p.maxTokens !== undefined && {[maxTokensParam]: p.maxTokens}),
      ...(p.topP !== undefined && {top_p: p.topP}),
      ...(p.stop !== undefined && p.stop.length > 0 && {stop: p.stop}),
      ...(p.frequencyPenalty !== undefined && {frequency_penalty: p.frequencyPenalty}),
      ...(p.presencePenalty !== undefined && {presence_penalty: p.presencePenalty}),
      ...(p.seed !== undefined && {seed: p.seed}),
      ...openaiTools(p),
      ...openaiFeatures(p),
    };
  }

  return {
    providerId: opts.providerId,
    ...(batch && {batch: openaiBatchApi(client, opts, body)}),
    async complete(model, request): Promise<Completion> {
      const ctx = classifyContext(opts, model, request.timeoutMs);
      const dl = deadline(request.signal, request.timeoutMs, request.stallTimeoutMs);
      const {signal} = dl;
      try {
        if (!request.stream) {
          // The deadline's signal goes to the transport, not the SDK: given one, the SDK joins it to its
          // own with AbortSignal.any and listeners on every request (CPU, and garbage for the collector).
          dl.timing.signal = signal;
          const {value: withResponse, latencyMs} = await measureWire(() => client.chat.completions.create({...body(model, request), stream: false}, {timeout: sdkTimeoutMs(request.timeoutMs)}).withResponse(), dl.timing);
          const r = withResponse.data;
          const bodyError = (r as unknown as {error?: {message?: string}}).error;
          if (bodyError) throw new ProviderError('server', `${opts.providerId} answered 200 with an error: ${bodyError.message ?? JSON.stringify(bodyError)}`, {hint: 'an upstream behind this OpenAI-compatible server failed; it is retried'});
          const choice = r.choices?.[0];
          if (!choice) throw new ProviderError('bad-response', `${opts.providerId} returned no choices`, {hint: 'the reply had an empty "choices" list'});
          return {
            ...served(r),
            text: choice.message?.content ?? '',
            ...recordedCalls(request.params, openaiToolCalls(choice.message)),
            ...usageOf(r.usage, withResponse.response.headers),
            finishReason: normalizeFinishReason(choice.finish_reason),
            finishReasonRaw: choice.finish_reason ?? null,
            latencyMs,
            ttftMs: null,
          };
        }
        const clock = streamTiming(dl.timing);
        const {data: stream, response} = await dl.run(() =>
          clock.open(() => client.chat.completions.create({...body(model, request), stream: true, ...streamOptions}, {signal, timeout: sdkTimeoutMs(request.timeoutMs)}).withResponse()),
        );
        dl.touch();
        let text = '';
        const calls = new OpenAIToolCallDeltas();
        let ttftMs: number | null = null;
        let finishRaw: string | null = null;
        let usage: unknown = null;
        let servedBy: ReturnType<typeof served> = {servedModel: null, systemFingerprint: null, upstream: null};
        for await (const chunk of stream) {
          dl.touch();
          if (servedBy.servedModel === null) servedBy = served(chunk);
          const delta = chunk.choices?.[0]?.delta;
          const called = calls.add(delta?.tool_calls);
          if (delta?.content || called) {
            request.onChunk?.();
            if (ttftMs === null) ttftMs = clock.firstTokenMs();
            text += delta?.content ?? '';
          }
          const finish = chunk.choices?.[0]?.finish_reason;
          if (finish) finishRaw = finish;
          if (chunk.usage) usage = chunk.usage;
        }
        const latencyMs = clock.totalMs();
        // An abort mid-stream can end the iteration quietly instead of throwing.
        if (signal.aborted) throw signal.reason ?? new Error('aborted');
        if (finishRaw === null) throw new ProviderError('bad-response', `${opts.providerId} ended the stream without a finish reason`, {hint: 'the stream was cut short; it is retried'});
        return {
          ...servedBy,
          text,
          ...recordedCalls(request.params, calls.done()),
          ...usageOf(usage, response.headers),
          finishReason: normalizeFinishReason(finishRaw),
          finishReasonRaw: finishRaw,
          latencyMs,
          ttftMs,
        };
      } catch (error) {
        // Aborted by the caller (not the deadline): the SDK, not holding the signal, saw only an aborted fetch.
        const cancelled = !request.stream && signal.aborted && !dl.timedOut() && !dl.stalled();
        throw classifyError(cancelled ? Object.assign(new OpenAI.APIUserAbortError(), {cause: signal.reason}) : error, ctx, {timedOut: dl.timedOut(), stalled: dl.stalled() ? request.stallTimeoutMs : undefined});
      } finally {
        dl.done();
      }
    },
    listModels: () => listOpenAIModels(client, opts),
  };
}

/** Token counts from the body's usage; a cost from usage.cost (OpenRouter) or else the x-litellm-response-cost header (LiteLLM proxy). */
export function usageOf(usage: unknown, headers: Headers | null): UsageParts {
  const parts = openaiChatUsage(usage);
  if (parts.reportedCostUsd === null && headers) parts.reportedCostUsd = reportedCost(headers.get('x-litellm-response-cost'));
  return parts;
}
