import type {ChatMessage, ToolChoice} from '../core/types.ts';
import {argumentsObject, asRecord, BadRequest, mediaText, optionalNumber, responseFormatOf, sse, textOf, toolDef, type SimMedia, type SimReply, type WireFormat} from './wire-format.ts';

const STOP = {stop: 'end_turn', length: 'max_tokens', tool: 'tool_use'} as const;

/**
 * One message as the sandbox reads it: text blocks, an assistant's tool_use blocks, or a user turn's
 * tool_result blocks (each must answer a tool_use of the assistant turn just before, as the API checks).
 */
function messagesOf(msg: Record<string, unknown>, i: number, previousCalls: Set<string>, media: SimMedia[]): ChatMessage[] {
  const role = msg.role as 'user' | 'assistant';
  if (!Array.isArray(msg.content)) return [{role, content: textOf(msg.content, `messages.${i}.content`)}];
  const blocks = msg.content.map((b, j) => asRecord(b, `messages.${i}.content.${j}`));
  const results = blocks.filter((b) => b.type === 'tool_result');
  const uses = blocks.filter((b) => b.type === 'tool_use');
  // Text, images and documents in order; a media block's source is base64 bytes or a URL.
  const text = blocks
    .map((b, j) => {
      if (b.type === 'tool_result' || b.type === 'tool_use') return '';
      if (b.type !== 'image' && b.type !== 'document') return textOf([b], `messages.${i}.content.${j}`);
      if (role !== 'user') throw new BadRequest(`messages.${i}.content.${j}: ${b.type} blocks belong to a user turn`);
      const source = asRecord(b.source, `messages.${i}.content.${j}.source`);
      const kind = b.type === 'image' ? 'image' : 'file';
      if (source.type === 'base64') return mediaText(kind, source.media_type, {data: source.data}, `messages.${i}.content.${j}.source`, media);
      if (source.type === 'url') return mediaText(kind, kind === 'image' ? 'image/jpeg' : 'application/pdf', {url: source.url}, `messages.${i}.content.${j}.source`, media);
      throw new BadRequest(`messages.${i}.content.${j}.source.type: Input tag ${JSON.stringify(source.type)} does not match 'base64', 'url'`);
    })
    .join('');
  if (uses.length > 0 && role !== 'assistant') throw new BadRequest(`messages.${i}: tool_use blocks belong to an assistant turn`);
  if (uses.length > 0) {
    const toolCalls = uses.map((b, j) => {
      if (typeof b.id !== 'string' || typeof b.name !== 'string') throw new BadRequest(`messages.${i}.content.${j}: tool_use needs id and name`);
      return {id: b.id, name: b.name, arguments: argumentsObject(b.input, `messages.${i}.content.${j}.input`)};
    });
    return [{role, content: text, toolCalls}];
  }
  if (results.length > 0 && role !== 'user') throw new BadRequest(`messages.${i}: tool_result blocks belong to a user turn`);
  const answered = results.map((b, j): ChatMessage => {
    if (typeof b.tool_use_id !== 'string' || !previousCalls.has(b.tool_use_id)) {
      throw new BadRequest(`messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`);
    }
    return {role: 'tool', content: b.content === undefined ? '' : textOf(b.content, `messages.${i}.content.${j}.content`), toolCallId: b.tool_use_id};
  });
  return [...answered, ...(text !== '' || results.length === 0 ? [{role, content: text}] : [])];
}

const CHOICES = {auto: 'auto', none: 'none', any: 'required'} as const;

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
    let previousCalls = new Set<string>();
    const media: SimMedia[] = [];
    const messages = body.messages.flatMap((m, i) => {
      const msg = asRecord(m, `messages.${i}`);
      if (msg.role !== 'user' && msg.role !== 'assistant') throw new BadRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`);
      const read = messagesOf(msg, i, previousCalls, media);
      previousCalls = new Set(read.flatMap((r) => r.toolCalls ?? []).map((c) => c.id));
      return read;
    });
    if (body.tools !== undefined && !Array.isArray(body.tools)) throw new BadRequest('tools: Input should be a valid list');
    const tools = ((body.tools as unknown[] | undefined) ?? []).map((t, i) => {
      const tool = asRecord(t, `tools.${i}`);
      if (tool.input_schema === undefined) throw new BadRequest(`tools.${i}.custom.input_schema: Field required`);
      return toolDef(tool.name, tool.description, tool.input_schema, `tools.${i}`);
    });
    let toolChoice: ToolChoice | undefined;
    if (body.tool_choice !== undefined) {
      const c = asRecord(body.tool_choice, 'tool_choice');
      if (c.type === 'tool' && typeof c.name === 'string') toolChoice = {name: c.name};
      else if (c.type === 'auto' || c.type === 'none' || c.type === 'any') toolChoice = CHOICES[c.type];
      else throw new BadRequest("tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'");
      if (tools.length === 0 && c.type !== 'none') throw new BadRequest('tool_choice may only be specified while providing tools.');
    }
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
      media,
      responseFormat: responseFormatOf((body.output_config as {format?: unknown} | undefined)?.format, 'output_config.format'),
      tools,
      ...(toolChoice !== undefined && {toolChoice}),
    };
  },
  reply(r: SimReply) {
    return {
      id: r.id,
      type: 'message',
      role: 'assistant',
      model: r.model,
      content: [...(r.text !== '' || r.toolCalls.length === 0 ? [{type: 'text', text: r.text}] : []), ...r.toolCalls.map((c) => ({type: 'tool_use', id: c.id, name: c.name, input: c.arguments}))],
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
      // Each call as its own block after the text: the tool_use start, then its input as JSON in fragments.
      ...r.toolCalls.flatMap((c, i) => {
        const json = JSON.stringify(c.arguments);
        const half = Math.max(1, Math.ceil(json.length / 2));
        return [
          sse({type: 'content_block_start', index: i + 1, content_block: {type: 'tool_use', id: c.id, name: c.name, input: {}}}, 'content_block_start'),
          ...[json.slice(0, half), json.slice(half)].filter(Boolean).map((partial_json) => sse({type: 'content_block_delta', index: i + 1, delta: {type: 'input_json_delta', partial_json}}, 'content_block_delta')),
          sse({type: 'content_block_stop', index: i + 1}, 'content_block_stop'),
        ];
      }),
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
