import {asRecord, BadRequest, optionalNumber, sse, textOf, type SimReply, type WireFormat} from './wire-format.ts';

const STOP = {stop: 'end_turn', length: 'max_tokens'} as const;

/** Messages usage: input_tokens without cache reads and writes; thinking counted in output_tokens. */
function usage(r: SimReply, outputTokens = r.outputTokens + r.reasoningTokens) {
  return {
    input_tokens: r.inputTokens,
    cache_creation_input_tokens: r.cacheWriteTokens,
    cache_read_input_tokens: r.cacheReadTokens,
    cache_creation: {ephemeral_5m_input_tokens: r.cacheWriteTtl === '5m' ? r.cacheWriteTokens : 0, ephemeral_1h_input_tokens: r.cacheWriteTtl === '1h' ? r.cacheWriteTokens : 0},
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

export const anthropicWire: WireFormat = {
  name: 'anthropic',
  parse(raw) {
    const body = asRecord(raw, 'request body');
    if (typeof body.model !== 'string' || body.model === '') throw new BadRequest('model: Field required');
    if (typeof body.max_tokens !== 'number') throw new BadRequest('max_tokens: Field required');
    if (!Array.isArray(body.messages) || body.messages.length === 0) throw new BadRequest('messages: at least one message is required');
    const messages = body.messages.map((m, i) => {
      const msg = asRecord(m, `messages.${i}`);
      if (msg.role !== 'user' && msg.role !== 'assistant') throw new BadRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`);
      return {role: msg.role, content: textOf(msg.content, `messages.${i}.content`)} as const;
    });
    const system = body.system === undefined ? undefined : textOf(body.system, 'system');
    const temperature = optionalNumber(body, 'temperature');
    if (temperature !== undefined && (temperature < 0 || temperature > 1)) throw new BadRequest('temperature: range: 0..1');
    return {
      model: body.model,
      messages: system ? [{role: 'system' as const, content: system}, ...messages] : messages,
      params: {
        temperature,
        maxTokens: body.max_tokens,
        topP: optionalNumber(body, 'top_p'),
        topK: optionalNumber(body, 'top_k'),
        stop: Array.isArray(body.stop_sequences) ? body.stop_sequences.map(String) : undefined,
      },
      stream: body.stream === true,
      includeUsage: true,
    };
  },
  reply(r: SimReply) {
    return {
      id: r.id,
      type: 'message',
      role: 'assistant',
      model: r.model,
      content: [{type: 'text', text: r.text}],
      stop_reason: STOP[r.finish],
      stop_sequence: null,
      usage: usage(r),
    };
  },
  streamHead(r) {
    return [
      sse(
        {
          type: 'message_start',
          message: {id: r.id, type: 'message', role: 'assistant', model: r.model, content: [], stop_reason: null, stop_sequence: null, usage: usage(r, 1)},
        },
        'message_start',
      ),
      sse({type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}}, 'content_block_start'),
      sse({type: 'ping'}, 'ping'),
    ];
  },
  streamPiece(_r, text) {
    return sse({type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text}}, 'content_block_delta');
  },
  streamTail(r) {
    return [
      sse({type: 'content_block_stop', index: 0}, 'content_block_stop'),
      sse({type: 'message_delta', delta: {stop_reason: STOP[r.finish], stop_sequence: null}, usage: {output_tokens: r.outputTokens + r.reasoningTokens}}, 'message_delta'),
      sse({type: 'message_stop'}, 'message_stop'),
    ];
  },
  error(status, message) {
    const type =
      status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : status === 404 ? 'not_found_error' : status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
    return {type: 'error', error: {type, message}};
  },
  models(ids) {
    return {data: ids.map((id) => ({type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z'})), has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null};
  },
};
