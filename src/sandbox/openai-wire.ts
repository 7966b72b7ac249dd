import type {ChatMessage, ToolChoice} from '../core/types.ts';
import {parseDataUrl} from '../core/content-parts.ts';
import {argumentsObject, asRecord, BadRequest, mediaText, optionalNumber, responseFormatOf, sse, textOf, toolDef, type SimMedia, type SimReply, type WireFormat} from './wire-format.ts';

const FINISH = {stop: 'stop', length: 'length', tool: 'tool_calls'} as const;

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

/** A user turn's content: a string, or text, image_url and file parts in order. */
function userContent(content: unknown, where: string, media: SimMedia[]): string {
  if (!Array.isArray(content)) return textOf(content, where);
  return content
    .map((part, j) => {
      const p = asRecord(part, `${where}[${j}]`);
      if (p.type === 'text') return textOf(p.text, `${where}[${j}].text`);
      if (p.type === 'image_url') {
        const url = asRecord(p.image_url, `${where}[${j}].image_url`).url;
        const inline = typeof url === 'string' ? parseDataUrl(url) : null;
        return inline ? mediaText('image', inline.mediaType, {data: inline.data}, `${where}[${j}]`, media) : mediaText('image', 'image/jpeg', {url}, `${where}[${j}]`, media);
      }
      if (p.type === 'file') {
        const file = asRecord(p.file, `${where}[${j}].file`);
        const inline = typeof file.file_data === 'string' ? parseDataUrl(file.file_data) : null;
        if (!inline) throw new BadRequest(`${where}[${j}].file needs file_data as a data: URL (file ids are not served by the sandbox)`);
        return mediaText('file', inline.mediaType, {data: inline.data}, `${where}[${j}]`, media);
      }
      throw new BadRequest(`${where}[${j}].type ${JSON.stringify(p.type)} is not supported by the sandbox (text, image_url, file)`);
    })
    .join('');
}

function wireCall(c: SimReply['toolCalls'][number]) {
  return {id: c.id, type: 'function', function: {name: c.name, arguments: JSON.stringify(c.arguments)}};
}

export const openaiWire: WireFormat = {
  name: 'openai',
  parse(raw) {
    const body = asRecord(raw, 'request body');
    if (typeof body.model !== 'string' || body.model === '') throw new BadRequest('you must provide a model parameter');
    if (!Array.isArray(body.messages) || body.messages.length === 0) throw new BadRequest("'messages' must be a non-empty array");
    const called = new Set<string>();
    const media: SimMedia[] = [];
    const messages = body.messages.map((m, i): ChatMessage => {
      const msg = asRecord(m, `messages[${i}]`);
      const role = msg.role === 'developer' ? 'system' : msg.role;
      if (role === 'tool') {
        // As the API checks it: a tool result answers a call an earlier assistant message made.
        if (typeof msg.tool_call_id !== 'string' || !called.has(msg.tool_call_id)) {
          throw new BadRequest(`messages[${i}]: a message with role 'tool' must answer a preceding message with 'tool_calls' (tool_call_id ${JSON.stringify(msg.tool_call_id)})`);
        }
        return {role: 'tool', content: textOf(msg.content, `messages[${i}].content`), toolCallId: msg.tool_call_id};
      }
      if (role !== 'system' && role !== 'user' && role !== 'assistant') throw new BadRequest(`messages[${i}].role "${String(msg.role)}" is not supported`);
      if (role === 'assistant' && Array.isArray(msg.tool_calls)) {
        const toolCalls = msg.tool_calls.map((c, j) => {
          const call = asRecord(c, `messages[${i}].tool_calls[${j}]`);
          const fn = asRecord(call.function, `messages[${i}].tool_calls[${j}].function`);
          if (call.type !== 'function' || typeof call.id !== 'string' || typeof fn.name !== 'string') throw new BadRequest(`messages[${i}].tool_calls[${j}] needs id, type "function" and function.name`);
          if (typeof fn.arguments !== 'string') throw new BadRequest(`messages[${i}].tool_calls[${j}].function.arguments must be a string of JSON`);
          called.add(call.id);
          return {id: call.id, name: fn.name, arguments: argumentsObject(fn.arguments, `messages[${i}].tool_calls[${j}].function.arguments`)};
        });
        return {role, content: msg.content === null || msg.content === undefined ? '' : textOf(msg.content, `messages[${i}].content`), toolCalls};
      }
      return {role, content: role === 'user' ? userContent(msg.content, `messages[${i}].content`, media) : textOf(msg.content, `messages[${i}].content`)};
    });
    const tools = body.tools === undefined ? [] : Array.isArray(body.tools) ? body.tools.map((t, i) => {
      const tool = asRecord(t, `tools[${i}]`);
      if (tool.type !== 'function') throw new BadRequest(`tools[${i}].type must be "function"`);
      const fn = asRecord(tool.function, `tools[${i}].function`);
      return toolDef(fn.name, fn.description, fn.parameters, `tools[${i}].function`);
    }) : [];
    if (body.tools !== undefined && !Array.isArray(body.tools)) throw new BadRequest('tools must be an array');
    let toolChoice: ToolChoice | undefined;
    if (body.tool_choice !== undefined) {
      const c = body.tool_choice;
      if (c === 'auto' || c === 'none' || c === 'required') toolChoice = c;
      else {
        const fn = (asRecord(c, 'tool_choice').function ?? {}) as {name?: unknown};
        if ((c as {type?: unknown}).type !== 'function' || typeof fn.name !== 'string') throw new BadRequest('tool_choice must be "auto", "none", "required" or {type: "function", function: {name}}');
        toolChoice = {name: fn.name};
      }
      if (tools.length === 0) throw new BadRequest("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
    }
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
      media,
      responseFormat: responseFormatOf(body.response_format, 'response_format'),
      tools,
      ...(toolChoice !== undefined && {toolChoice}),
    };
  },
  reply(r: SimReply) {
    return {
      id: r.id,
      object: 'chat.completion',
      created: created(),
      model: r.model,
      choices: [{index: 0, message: {role: 'assistant', content: r.toolCalls.length > 0 && r.text === '' ? null : r.text, refusal: null, ...(r.toolCalls.length > 0 && {tool_calls: r.toolCalls.map(wireCall)})}, logprobs: null, finish_reason: FINISH[r.finish]}],
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
    // Each call as the API streams it: index, id and name first, then its arguments in fragments.
    const frames = r.toolCalls.flatMap((c, index) => {
      const args = JSON.stringify(c.arguments);
      const third = Math.max(1, Math.ceil(args.length / 3));
      const fragments = Array.from({length: Math.ceil(args.length / third)}, (_, k) => args.slice(k * third, (k + 1) * third));
      return [
        {index, id: c.id, type: 'function', function: {name: c.name, arguments: ''}},
        ...fragments.map((arguments_) => ({index, function: {arguments: arguments_}})),
      ].map((delta) => sse({...base, choices: [{index: 0, delta: {tool_calls: [delta]}, logprobs: null, finish_reason: null}]}));
    });
    frames.push(sse({...base, choices: [{index: 0, delta: {}, logprobs: null, finish_reason: FINISH[r.finish]}], ...(includeUsage && {usage: null})}));
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
