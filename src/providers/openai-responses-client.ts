import {basename} from 'node:path';
import type OpenAI from 'openai';
import type {ChatMessage, ModelParams, ToolCall} from '../core/types.ts';
import {classifyError} from './classify-error.ts';
import {classifyContext, deadline, sdkTimeoutMs, UnsupportedParams, type ClientOptions} from './client-options.ts';
import {normalizeFinishReason} from './finish-reason.ts';
import {parseArguments, recordedCalls} from './message-format.ts';
import type {Completion, CompletionRequest, ProviderClient} from './provider-client.ts';
import {ProviderError} from './provider-error.ts';
import {openaiResponsesUsage, reportedCost} from './usage.ts';
import {measureWire, streamTiming} from './wire-timing.ts';
import {listOpenAIModels} from './list-openai-models.ts';

// OpenAI's Responses API (`api: responses`), for models served only there: the same request in its
// words (instructions, input items, max_output_tokens, reasoning, text.format, flat function tools),
// and the answer read from its output items. Nothing is stored on OpenAI's side (store: false).

type Item = Record<string, unknown>;

function input(messages: readonly ChatMessage[]): Item[] {
  return messages
    .filter((m) => m.role !== 'system')
    .flatMap((m): Item[] => {
      if (m.role === 'tool') return [{type: 'function_call_output', call_id: m.toolCallId, output: m.content}];
      if (m.toolCalls?.length) {
        const calls = m.toolCalls.map((c) => ({type: 'function_call', call_id: c.id, name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments)}));
        return [...(m.content ? [{role: 'assistant', content: m.content}] : []), ...calls];
      }
      if (!m.parts) return [{role: m.role, content: m.content}];
      return [{role: m.role, content: m.parts.map((p) => {
        if (p.type === 'text') return {type: 'input_text', text: p.text};
        const url = p.data !== undefined ? `data:${p.mediaType};base64,${p.data}` : p.url;
        if (p.type === 'image') return {type: 'input_image', image_url: url, detail: 'auto'};
        return p.data !== undefined ? {type: 'input_file', filename: basename(p.name) || 'file.pdf', file_data: url} : {type: 'input_file', file_url: url};
      })}];
    });
}

function features(p: ModelParams): Record<string, unknown> {
  const f = p.responseFormat;
  const choice = p.toolChoice;
  return {
    ...(p.reasoning && 'effort' in p.reasoning && {reasoning: {effort: p.reasoning.effort}}),
    ...(f?.type === 'json_schema' && {text: {format: {type: 'json_schema', name: f.name ?? 'answer', schema: f.schema, strict: f.strict ?? true}}}),
    ...(f?.type === 'json_object' && {text: {format: {type: 'json_object'}}}),
    // strict: false keeps a schema as the suite wrote it (strict mode would demand every property be required).
    ...(p.tools && {tools: p.tools.map((t) => ({type: 'function', name: t.name, ...(t.description && {description: t.description}), parameters: t.parameters, strict: false}))}),
    ...(choice !== undefined && {tool_choice: typeof choice === 'string' ? choice : {type: 'function', name: choice.name}}),
    ...p.extra,
  };
}

interface ResponseLike {
  model?: string;
  status?: string;
  incomplete_details?: {reason?: string} | null;
  error?: {message?: string} | null;
  output?: Array<{type: string; content?: Array<{type: string; text?: string}>; name?: string; arguments?: string}>;
  usage?: unknown;
}

/** Text and calls of a response's output items; its finish reason (a response with calls finished calling). */
function read(r: ResponseLike): Pick<Completion, 'text' | 'finishReason' | 'finishReasonRaw'> & {calls: ToolCall[]} {
  let text = '';
  const calls: ToolCall[] = [];
  for (const item of r.output ?? []) {
    if (item.type === 'message') for (const c of item.content ?? []) if (c.type === 'output_text') text += c.text ?? '';
    if (item.type === 'function_call') calls.push({name: item.name ?? '', arguments: parseArguments(item.arguments)});
  }
  const raw = r.incomplete_details?.reason ?? r.status ?? null;
  return {text, calls, finishReason: calls.length > 0 && r.status === 'completed' ? 'tool-call' : normalizeFinishReason(raw), finishReasonRaw: raw};
}

export function createOpenAIResponsesClient(client: OpenAI, opts: ClientOptions): ProviderClient {
  const unsupported = new UnsupportedParams(opts, ['topK', 'stop', 'frequencyPenalty', 'presencePenalty', 'seed'], 'the OpenAI Responses API');
  let budgetWarned = false;

  function body(model: string, request: CompletionRequest) {
    const p = request.params;
    unsupported.check(p);
    if (p.reasoning && 'budgetTokens' in p.reasoning && !budgetWarned) {
      budgetWarned = true;
      opts.warn({providerId: opts.providerId, message: 'reasoning.budgetTokens is not sent (the Responses API takes reasoning.effort)'});
    }
    const instructions = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    return {
      model,
      input: input(request.messages),
      ...(instructions && {instructions}),
      store: false,
      ...(p.temperature !== undefined && {temperature: p.temperature}),
      ...(p.maxTokens !== undefined && {max_output_tokens: p.maxTokens}),
      ...(p.topP !== undefined && {top_p: p.topP}),
      ...features(p),
    } as unknown as OpenAI.Responses.ResponseCreateParams;
  }

  return {
    providerId: opts.providerId,
    async complete(model, request): Promise<Completion> {
      const ctx = classifyContext(opts, model, request.timeoutMs);
      const dl = deadline(request.signal, request.timeoutMs, request.stallTimeoutMs);
      const {signal} = dl;
      try {
        if (!request.stream) {
          const {value: withResponse, latencyMs} = await measureWire(
            () => client.responses.create({...body(model, request), stream: false}, {signal, timeout: sdkTimeoutMs(request.timeoutMs)}).withResponse(),
            dl.timing,
          );
          const r = withResponse.data as unknown as ResponseLike;
          if (r.error) throw new ProviderError('server', `${opts.providerId} answered with a failed response: ${r.error.message ?? 'unknown'}`, {hint: 'the response ended in status failed; it is retried'});
          const {calls, ...answer} = read(r);
          return {servedModel: r.model || null, ...answer, ...recordedCalls(request.params, calls), ...usage(r.usage, withResponse.response.headers), latencyMs, ttftMs: null};
        }
        const clock = streamTiming(dl.timing);
        const {data: stream, response} = await dl.run(() => clock.open(() => client.responses.create({...body(model, request), stream: true}, {signal, timeout: sdkTimeoutMs(request.timeoutMs)}).withResponse()));
        dl.touch();
        let text = '';
        let ttftMs: number | null = null;
        let final: ResponseLike | null = null;
        for await (const event of stream as AsyncIterable<{type: string; delta?: string; response?: ResponseLike; message?: string}>) {
          dl.touch();
          if ((event.type === 'response.output_text.delta' || event.type === 'response.function_call_arguments.delta') && event.delta) {
            request.onChunk?.();
            if (ttftMs === null) ttftMs = clock.firstTokenMs();
            if (event.type === 'response.output_text.delta') text += event.delta;
          } else if (event.type === 'response.completed' || event.type === 'response.incomplete') {
            final = event.response ?? null;
          } else if (event.type === 'response.failed' || event.type === 'error') {
            throw new ProviderError('server', `${opts.providerId} failed the response mid-stream: ${event.response?.error?.message ?? event.message ?? 'unknown'}`, {hint: 'the stream reported a failure; it is retried'});
          }
        }
        const latencyMs = clock.totalMs();
        // An abort mid-stream can end the iteration quietly instead of throwing.
        if (signal.aborted) throw signal.reason ?? new Error('aborted');
        if (!final) throw new ProviderError('bad-response', `${opts.providerId} ended the stream without response.completed`, {hint: 'the stream was cut short; it is retried'});
        // The final response holds every output item whole: the calls (their arguments were streamed in fragments) are read from it.
        const {calls, ...answer} = read(final);
        return {servedModel: final.model || null, ...answer, text: text || answer.text, ...recordedCalls(request.params, calls), ...usage(final.usage, response.headers), latencyMs, ttftMs};
      } catch (error) {
        throw classifyError(error, ctx, {timedOut: dl.timedOut(), stalled: dl.stalled() ? request.stallTimeoutMs : undefined});
      } finally {
        dl.done();
      }
    },
    listModels: () => listOpenAIModels(client, opts),
  };
}

function usage(u: unknown, headers: Headers | null) {
  const parts = openaiResponsesUsage(u);
  if (parts.reportedCostUsd === null && headers) parts.reportedCostUsd = reportedCost(headers.get('x-litellm-response-cost'));
  return parts;
}
