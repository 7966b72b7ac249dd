import {classifyError, hintFor} from './classify-error.ts';
import {bedrockUsage} from './usage.ts';
import {classifyContext, deadline, UnsupportedParams, type ClientOptions} from './client-options.ts';
import {normalizeFinishReason} from './finish-reason.ts';
import {originBoundFetch} from './origin-bound-fetch.ts';
import type {Completion, CompletionRequest, ProviderClient} from './provider-client.ts';
import {converseContent, converseMessages, converseToolConfig, recordedCalls} from './message-format.ts';
import {ProviderError} from './provider-error.ts';
import {signV4, type AwsCredentials} from './sigv4.ts';

const STOP: Record<string, string> = {end_turn: 'end_turn', stop_sequence: 'stop_sequence', max_tokens: 'max_tokens', content_filtered: 'refusal', guardrail_intervened: 'refusal', tool_use: 'tool_use'};

/**
 * Amazon Bedrock's Converse API, signed with SigV4 at send time (so every retry is signed anew), with
 * tools (toolConfig, toolUse and toolResult blocks) and images and PDFs (image and document blocks).
 * Streaming (ConverseStream) uses AWS's binary event stream and is not offered: requests run
 * unstreamed and report no time to first token.
 */
export function createBedrockClient(opts: ClientOptions, aws: {credentials: AwsCredentials; region: string}): ProviderClient {
  const runtime = (opts.baseURL ?? `https://bedrock-runtime.${aws.region}.amazonaws.com`).replace(/\/$/, '');
  const control = (opts.baseURL ?? `https://bedrock.${aws.region}.amazonaws.com`).replace(/\/$/, '');
  const send = originBoundFetch(opts.providerId);
  const unsupported = new UnsupportedParams(opts, ['topK', 'frequencyPenalty', 'presencePenalty', 'seed'], 'Bedrock Converse');
  const secrets = [aws.credentials.secretAccessKey, aws.credentials.sessionToken ?? ''];
  let noneWarned = false;

  async function signedFetch(method: string, url: URL, body: string, signal: AbortSignal): Promise<Response> {
    for (const [k, v] of Object.entries(opts.query)) url.searchParams.set(k, v);
    const signed = signV4({method, url, headers: {'content-type': 'application/json', ...opts.headers}, body, credentials: aws.credentials, region: aws.region, service: 'bedrock'});
    const {host: _host, ...headers} = signed.headers;
    const response = await send(url, {method, headers, body: method === 'GET' ? undefined : body, signal});
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).slice(0, 2000);
      throw Object.assign(new Error(`${response.status} ${text}`), {status: response.status, headers: response.headers});
    }
    return response;
  }

  return {
    providerId: opts.providerId,
    async complete(model, request: CompletionRequest): Promise<Completion> {
      const ctx = {...classifyContext(opts, model, request.timeoutMs), secrets};
      const dl = deadline(request.signal, request.timeoutMs);
      const p = request.params;
      unsupported.check(p);
      if (!noneWarned && p.tools && p.toolChoice === 'none') {
        noneWarned = true;
        opts.warn({providerId: opts.providerId, message: 'Bedrock Converse has no tool choice "none": the tools are sent and the model decides'});
      }
      const system = request.messages.filter((m) => m.role === 'system').map((m) => ({text: m.content}));
      const started = performance.now();
      try {
        const body = JSON.stringify({
          messages: converseMessages(request.messages),
          ...(system.length > 0 && {system}),
          inferenceConfig: {
            ...(p.maxTokens !== undefined && {maxTokens: p.maxTokens}),
            ...(p.temperature !== undefined && {temperature: p.temperature}),
            ...(p.topP !== undefined && {topP: p.topP}),
            ...(p.stop !== undefined && p.stop.length > 0 && {stopSequences: p.stop}),
          },
          ...converseToolConfig(p),
        });
        const response = await dl.run(() => signedFetch('POST', new URL(`${runtime}/model/${encodeURIComponent(model)}/converse`), body, dl.signal));
        const json = (await response.json().catch(() => {
          throw new ProviderError('bad-response', `${opts.providerId} sent a reply that is not JSON`, {hint: hintFor('bad-response', null, ctx, '')});
        })) as {output?: {message?: {content?: Array<{text?: string; toolUse?: {name?: string; input?: unknown}}>}}; usage?: unknown; stopReason?: string};
        const content = json.output?.message?.content;
        if (!Array.isArray(content)) throw new ProviderError('bad-response', `${opts.providerId} sent a Converse reply without output.message.content`, {hint: hintFor('bad-response', null, ctx, '')});
        const raw = json.stopReason ?? null;
        const answer = converseContent(content);
        return {
          text: answer.text,
          ...recordedCalls(p, answer.toolCalls),
          ...bedrockUsage(json.usage),
          finishReason: normalizeFinishReason(raw ? (STOP[raw] ?? raw) : null),
          finishReasonRaw: raw,
          latencyMs: performance.now() - started,
          ttftMs: null,
        };
      } catch (error) {
        throw classifyError(error, ctx, {timedOut: dl.timedOut()});
      } finally {
        dl.done();
      }
    },
    async listModels() {
      const ctx = {...classifyContext(opts, '(list models)', opts.timeoutMs), secrets};
      const dl = deadline(undefined, opts.timeoutMs);
      try {
        const response = await signedFetch('GET', new URL(`${control}/foundation-models`), '', dl.signal);
        const json = (await response.json()) as {modelSummaries?: Array<{modelId?: string}>};
        return (json.modelSummaries ?? []).map((m) => m.modelId).filter((id): id is string => typeof id === 'string');
      } catch (error) {
        throw classifyError(error, ctx, {timedOut: dl.timedOut()});
      } finally {
        dl.done();
      }
    },
  };
}
