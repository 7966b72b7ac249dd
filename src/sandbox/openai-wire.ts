import {asRecord, BadRequest, optionalNumber, sse, textOf, type SimReply, type WireFormat} from './wire-format.ts';

const created = () => Math.floor(Date.now() / 1000);

/** Chat-completions usage: cached tokens inside prompt_tokens, reasoning inside completion_tokens (a write is plain input here). */
function usage(r: SimReply) {
  const prompt = r.inputTokens + r.cacheWriteTokens + r.cacheReadTokens;
  const completion = r.outputTokens + r.reasoningTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: {cached_tokens: r.cacheReadTokens, audio_tokens: 0},
    completion_tokens_details: {reasoning_tokens: r.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0},
    ...(r.costUsd !== null && r.costVia === 'usage' && {cost: r.costUsd}),
  };
}

export const openaiWire: WireFormat = {
  name: 'openai',
  parse(raw) {
    const body = asRecord(raw, 'request body');
    if (typeof body.model !== 'string' || body.model === '') throw new BadRequest('you must provide a model parameter');
    if (!Array.isArray(body.messages) || body.messages.length === 0) throw new BadRequest("'messages' must be a non-empty array");
    const messages = body.messages.map((m, i) => {
      const msg = asRecord(m, `messages[${i}]`);
      const role = msg.role === 'developer' ? 'system' : msg.role;
      if (role !== 'system' && role !== 'user' && role !== 'assistant') throw new BadRequest(`messages[${i}].role "${String(msg.role)}" is not supported`);
      return {role, content: textOf(msg.content, `messages[${i}].content`)} as const;
    });
    const temperature = optionalNumber(body, 'temperature');
    if (temperature !== undefined && (temperature < 0 || temperature > 2)) throw new BadRequest('temperature must be between 0 and 2');
    const stop = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop.map(String) : undefined;
    const streamOptions = body.stream_options as {include_usage?: boolean} | undefined;
    return {
      model: body.model,
      messages,
      params: {
        temperature,
        maxTokens: optionalNumber(body, 'max_completion_tokens') ?? optionalNumber(body, 'max_tokens'),
        topP: optionalNumber(body, 'top_p'),
        stop,
      },
      stream: body.stream === true,
      includeUsage: streamOptions?.include_usage === true,
    };
  },
  reply(r: SimReply) {
    return {
      id: r.id,
      object: 'chat.completion',
      created: created(),
      model: r.model,
      choices: [{index: 0, message: {role: 'assistant', content: r.text, refusal: null}, logprobs: null, finish_reason: r.finish}],
      usage: usage(r),
      system_fingerprint: 'assay-sandbox',
    };
  },
  streamHead: () => [],
  streamPiece(r, text, first) {
    return sse({
      id: r.id,
      object: 'chat.completion.chunk',
      created: created(),
      model: r.model,
      choices: [{index: 0, delta: first ? {role: 'assistant', content: text} : {content: text}, logprobs: null, finish_reason: null}],
    });
  },
  streamTail(r, includeUsage) {
    const base = {id: r.id, object: 'chat.completion.chunk', created: created(), model: r.model};
    const frames = [sse({...base, choices: [{index: 0, delta: {}, logprobs: null, finish_reason: r.finish}], ...(includeUsage && {usage: null})})];
    if (includeUsage) {
      frames.push(sse({...base, choices: [], usage: usage(r)}));
    }
    frames.push(sse('[DONE]'));
    return frames;
  },
  error(status, message) {
    const type = status === 401 ? 'invalid_request_error' : status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
    const code = status === 401 ? 'invalid_api_key' : status === 404 ? 'model_not_found' : status === 429 ? 'rate_limit_exceeded' : null;
    return {error: {message, type, param: null, code}};
  },
  models(ids) {
    return {object: 'list', data: ids.map((id) => ({id, object: 'model', created: 1_700_000_000, owned_by: 'assay-sandbox'}))};
  },
};
