import {parseDataUrl} from '../core/content-parts.ts';
import type {ChatMessage, ToolChoice} from '../core/types.ts';
import {openaiWire} from './openai-wire.ts';
import {argumentsObject, asRecord, BadRequest, mediaText, optionalNumber, responseFormatOf, sse, textOf, toolDef, type SimMedia, type SimReply, type WireFormat} from './wire-format.ts';

// OpenAI's Responses API (POST /v1/responses) as the sandbox speaks it: input items in (messages
// with input_text/input_image/input_file parts, function_call and function_call_output items),
// a response object out, and its semantic SSE events (response.output_text.delta,
// response.function_call_arguments.delta, response.completed).

const created = () => Math.floor(Date.now() / 1000);

function content(value: unknown, where: string, media: SimMedia[]): string {
  if (!Array.isArray(value)) return textOf(value, where);
  return value
    .map((part, j) => {
      const p = asRecord(part, `${where}[${j}]`);
      if (p.type === 'input_text' || p.type === 'output_text') return textOf(p.text, `${where}[${j}].text`);
      if (p.type === 'input_image') {
        const inline = typeof p.image_url === 'string' ? parseDataUrl(p.image_url) : null;
        return inline ? mediaText('image', inline.mediaType, {data: inline.data}, `${where}[${j}]`, media) : mediaText('image', 'image/jpeg', {url: p.image_url}, `${where}[${j}]`, media);
      }
      if (p.type === 'input_file') {
        const inline = typeof p.file_data === 'string' ? parseDataUrl(p.file_data) : null;
        return inline ? mediaText('file', inline.mediaType, {data: inline.data}, `${where}[${j}]`, media) : mediaText('file', 'application/pdf', {url: p.file_url}, `${where}[${j}]`, media);
      }
      throw new BadRequest(`${where}[${j}].type ${JSON.stringify(p.type)} is not supported by the sandbox (input_text, input_image, input_file)`);
    })
    .join('');
}

function usage(r: SimReply) {
  const input = r.inputTokens + r.cacheWriteTokens + r.cacheReadTokens;
  const output = r.outputTokens + r.reasoningTokens;
  return {input_tokens: input, input_tokens_details: {cached_tokens: r.cacheReadTokens}, output_tokens: output, output_tokens_details: {reasoning_tokens: r.reasoningTokens}, total_tokens: input + output};
}

const messageId = (r: SimReply) => `msg_${r.id}`;

function messageItem(r: SimReply, text: string, status: string) {
  return {type: 'message', id: messageId(r), status, role: 'assistant', content: status === 'in_progress' ? [] : [{type: 'output_text', text, annotations: []}]};
}

function callItem(c: SimReply['toolCalls'][number], args: string, status: string) {
  return {type: 'function_call', id: `fc_${c.id}`, call_id: c.id, name: c.name, arguments: args, status};
}

function response(r: SimReply, status: 'in_progress' | 'completed' | 'incomplete') {
  const done = status !== 'in_progress';
  const output = !done ? [] : [...(r.text !== '' || r.toolCalls.length === 0 ? [messageItem(r, r.text, 'completed')] : []), ...r.toolCalls.map((c) => callItem(c, JSON.stringify(c.arguments), 'completed'))];
  return {
    id: r.id,
    object: 'response',
    created_at: created(),
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? {reason: 'max_output_tokens'} : null,
    model: r.model,
    output,
    parallel_tool_calls: true,
    usage: done ? usage(r) : null,
  };
}

const ev = (type: string, data: Record<string, unknown>) => sse({type, ...data}, type);

export const responsesWire: WireFormat = {
  name: 'openai-responses',
  parse(raw) {
    const body = asRecord(raw, 'request body');
    if (typeof body.model !== 'string' || body.model === '') throw new BadRequest("Missing required parameter: 'model'.");
    const media: SimMedia[] = [];
    const called = new Set<string>();
    const items = typeof body.input === 'string' ? [{role: 'user', content: body.input}] : body.input;
    if (!Array.isArray(items) || items.length === 0) throw new BadRequest("Missing required parameter: 'input'.");
    const messages: ChatMessage[] = [];
    items.forEach((it, i) => {
      const item = asRecord(it, `input[${i}]`);
      if (item.type === 'function_call') {
        if (typeof item.call_id !== 'string' || typeof item.name !== 'string' || typeof item.arguments !== 'string') throw new BadRequest(`input[${i}]: a function_call needs call_id, name and arguments (a string of JSON)`);
        called.add(item.call_id);
        const call = {id: item.call_id, name: item.name, arguments: argumentsObject(item.arguments, `input[${i}].arguments`)};
        // Consecutive calls belong to one assistant turn.
        const last = messages.at(-1);
        if (last?.role === 'assistant' && last.toolCalls) last.toolCalls.push(call);
        else messages.push({role: 'assistant', content: '', toolCalls: [call]});
        return;
      }
      if (item.type === 'function_call_output') {
        if (typeof item.call_id !== 'string' || !called.has(item.call_id)) throw new BadRequest(`input[${i}]: No tool call found for function call output with call_id ${String(item.call_id)}.`);
        messages.push({role: 'tool', content: textOf(item.output, `input[${i}].output`), toolCallId: item.call_id});
        return;
      }
      if (item.type !== undefined && item.type !== 'message') throw new BadRequest(`input[${i}].type ${JSON.stringify(item.type)} is not supported by the sandbox`);
      const role = item.role === 'developer' ? 'system' : item.role;
      if (role !== 'user' && role !== 'assistant' && role !== 'system') throw new BadRequest(`input[${i}].role ${JSON.stringify(item.role)} is not supported`);
      messages.push({role, content: content(item.content, `input[${i}].content`, media)});
    });
    if (body.instructions !== undefined && body.instructions !== null) messages.unshift({role: 'system', content: textOf(body.instructions, 'instructions')});
    if (body.tools !== undefined && !Array.isArray(body.tools)) throw new BadRequest('tools must be an array');
    const tools = ((body.tools as unknown[] | undefined) ?? []).map((t, i) => {
      const tool = asRecord(t, `tools[${i}]`);
      if (tool.type !== 'function') throw new BadRequest(`tools[${i}].type ${JSON.stringify(tool.type)}: the sandbox serves function tools only`);
      return toolDef(tool.name, tool.description, tool.parameters, `tools[${i}]`);
    });
    let toolChoice: ToolChoice | undefined;
    const c = body.tool_choice;
    if (c === 'auto' || c === 'none' || c === 'required') toolChoice = c;
    else if (c !== undefined) {
      const named = asRecord(c, 'tool_choice');
      if (named.type !== 'function' || typeof named.name !== 'string') throw new BadRequest('tool_choice must be "auto", "none", "required" or {type: "function", name}');
      toolChoice = {name: named.name};
    }
    const temperature = optionalNumber(body, 'temperature');
    if (temperature !== undefined && (temperature < 0 || temperature > 2)) throw new BadRequest('temperature must be between 0 and 2');
    return {
      model: body.model,
      messages,
      params: {temperature, maxTokens: optionalNumber(body, 'max_output_tokens'), topP: optionalNumber(body, 'top_p')},
      stream: body.stream === true,
      includeUsage: true,
      media,
      responseFormat: responseFormatOf((body.text as {format?: unknown} | undefined)?.format, 'text.format'),
      tools,
      ...(toolChoice !== undefined && {toolChoice}),
    };
  },
  reply: (r) => response(r, r.finish === 'length' ? 'incomplete' : 'completed'),
  streamHead(r) {
    return [
      ev('response.created', {response: response(r, 'in_progress')}),
      ev('response.in_progress', {response: response(r, 'in_progress')}),
      ev('response.output_item.added', {output_index: 0, item: messageItem(r, '', 'in_progress')}),
      ev('response.content_part.added', {item_id: messageId(r), output_index: 0, content_index: 0, part: {type: 'output_text', text: '', annotations: []}}),
    ];
  },
  streamPiece(r, text) {
    return ev('response.output_text.delta', {item_id: messageId(r), output_index: 0, content_index: 0, delta: text, logprobs: []});
  },
  streamTail(r) {
    const frames = [
      ev('response.output_text.done', {item_id: messageId(r), output_index: 0, content_index: 0, text: r.text, logprobs: []}),
      ev('response.content_part.done', {item_id: messageId(r), output_index: 0, content_index: 0, part: {type: 'output_text', text: r.text, annotations: []}}),
      ev('response.output_item.done', {output_index: 0, item: messageItem(r, r.text, 'completed')}),
    ];
    // Each call as its own output item: added, its arguments in fragments, done.
    r.toolCalls.forEach((c, i) => {
      const args = JSON.stringify(c.arguments);
      const half = Math.max(1, Math.ceil(args.length / 2));
      const item_id = `fc_${c.id}`;
      frames.push(
        ev('response.output_item.added', {output_index: i + 1, item: callItem(c, '', 'in_progress')}),
        ...[args.slice(0, half), args.slice(half)].filter(Boolean).map((delta) => ev('response.function_call_arguments.delta', {item_id, output_index: i + 1, delta})),
        ev('response.function_call_arguments.done', {item_id, output_index: i + 1, arguments: args}),
        ev('response.output_item.done', {output_index: i + 1, item: callItem(c, args, 'completed')}),
      );
    });
    const status = r.finish === 'length' ? 'incomplete' : 'completed';
    frames.push(ev(`response.${status}`, {response: response(r, status)}));
    return frames;
  },
  error: openaiWire.error,
  models: openaiWire.models,
};
