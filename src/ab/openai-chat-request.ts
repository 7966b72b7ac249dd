import {FILE_TYPES, IMAGE_TYPES, parseDataUrl, partsText, type ContentPart} from '../core/content-parts.ts';
import type {ChatMessage, ModelParams, ToolDef} from '../core/types.ts';

// An OpenAI chat-completions request as production logged it, back into assay's messages and params:
// tools and tool choice, structured output, tool calls and results, images and files, so a replay
// sends both arms what production sent.

export type Replayed = {ok: true; messages: ChatMessage[]; params: ModelParams} | {ok: false; reason: string};

function parts(content: unknown[]): ContentPart[] | string {
  const out: ContentPart[] = [];
  for (const part of content as Array<Record<string, unknown>>) {
    if (part?.type === 'text' || (part?.type === undefined && typeof part?.text === 'string')) out.push({type: 'text', text: String(part.text ?? '')});
    else if (part?.type === 'image_url') {
      const url = (part.image_url as {url?: unknown} | undefined)?.url;
      const inline = typeof url === 'string' ? parseDataUrl(url) : null;
      if (typeof url !== 'string' || (!inline && !/^https?:\/\//.test(url))) return 'has an image_url that is neither base64 data nor an http(s) URL, so the image cannot be replayed';
      if (inline && !Object.values(IMAGE_TYPES).includes(inline.mediaType)) return `has an image of type ${inline.mediaType}, which is not PNG, JPEG, WebP or GIF`;
      out.push(inline ? {type: 'image', mediaType: inline.mediaType, data: inline.data, name: 'image'} : {type: 'image', mediaType: IMAGE_TYPES[/\.(\w+)(?:$|\?)/.exec(url)?.[1]?.toLowerCase() ?? ''] ?? 'image/jpeg', url, name: url});
    } else if (part?.type === 'file') {
      const file = part.file as {file_data?: unknown; filename?: unknown} | undefined;
      const inline = typeof file?.file_data === 'string' ? parseDataUrl(file.file_data) : null;
      if (!inline || !Object.values(FILE_TYPES).includes(inline.mediaType)) return 'has a file part that is not PDF data (file ids cannot be replayed)';
      out.push({type: 'file', mediaType: inline.mediaType, data: inline.data, name: typeof file?.filename === 'string' ? file.filename : 'file.pdf'});
    } else return `has ${String(part?.type)} content, which cannot be replayed`;
  }
  return out;
}

function text(content: unknown): string | null {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content) && content.every((p) => p?.type === 'text' || typeof p?.text === 'string')) return content.map((p) => String(p.text ?? '')).join('');
  return null;
}

export function fromOpenAIChatRequest(body: Record<string, unknown>, rawMessages: unknown[]): Replayed {
  if (body.functions || body.function_call) return {ok: false, reason: 'uses the legacy functions field (replay takes tools)'};
  const messages: ChatMessage[] = [];
  const names = new Map<string, string>();
  for (const m of rawMessages as Array<Record<string, unknown>>) {
    const role = m?.role === 'developer' ? 'system' : m?.role;
    if (role === 'tool') {
      const content = text(m.content);
      if (content === null || typeof m.tool_call_id !== 'string') return {ok: false, reason: 'has a tool message without text content or tool_call_id'};
      messages.push({role: 'tool', content, toolCallId: m.tool_call_id, toolName: names.get(m.tool_call_id) ?? ''});
      continue;
    }
    if (role !== 'system' && role !== 'user' && role !== 'assistant') return {ok: false, reason: `has a message with role ${JSON.stringify(m?.role)}`};
    if (role === 'assistant' && Array.isArray(m.tool_calls)) {
      const toolCalls = [];
      for (const c of m.tool_calls as Array<{id?: unknown; function?: {name?: unknown; arguments?: unknown}}>) {
        if (typeof c?.id !== 'string' || typeof c.function?.name !== 'string') return {ok: false, reason: 'has a tool call without id or function name'};
        let args: Record<string, unknown> | string = typeof c.function.arguments === 'string' ? c.function.arguments : '{}';
        try {
          args = JSON.parse(args as string) as Record<string, unknown>;
        } catch {
          // kept as the text production sent
        }
        names.set(c.id, c.function.name);
        toolCalls.push({id: c.id, name: c.function.name, arguments: args});
      }
      messages.push({role, content: text(m.content) ?? '', toolCalls});
      continue;
    }
    if (Array.isArray(m.content) && role === 'user' && !m.content.every((p) => p?.type === 'text' || (p?.type === undefined && typeof p?.text === 'string'))) {
      const read = parts(m.content);
      if (typeof read === 'string') return {ok: false, reason: read};
      messages.push({role, content: partsText(read), parts: read});
      continue;
    }
    const content = text(m.content);
    if (content === null) return {ok: false, reason: 'has message content that is neither text nor a list of parts'};
    messages.push({role, content});
  }
  const params: ModelParams = {};
  if (Array.isArray(body.tools)) {
    const tools: ToolDef[] = [];
    for (const t of body.tools as Array<{type?: unknown; function?: {name?: unknown; description?: unknown; parameters?: unknown}}>) {
      if (t?.type !== 'function' || typeof t.function?.name !== 'string') return {ok: false, reason: `has an entry in tools that is not a named function (${JSON.stringify(t).slice(0, 60)}), which cannot be replayed`};
      const parameters = t.function.parameters && typeof t.function.parameters === 'object' ? (t.function.parameters as Record<string, unknown>) : {type: 'object', properties: {}};
      tools.push({name: t.function.name, ...(typeof t.function.description === 'string' && {description: t.function.description}), parameters});
    }
    if (tools.length > 0) params.tools = tools;
  }
  const choice = body.tool_choice as unknown;
  if (choice === 'auto' || choice === 'none' || choice === 'required') params.toolChoice = choice;
  else if (choice && typeof choice === 'object') {
    const name = (choice as {function?: {name?: unknown}}).function?.name;
    if (typeof name === 'string') params.toolChoice = {name};
  }
  const format = body.response_format as {type?: unknown; json_schema?: {name?: unknown; schema?: unknown; strict?: unknown}} | undefined;
  if (format?.type === 'json_object') params.responseFormat = {type: 'json_object'};
  if (format?.type === 'json_schema' && format.json_schema?.schema && typeof format.json_schema.schema === 'object') {
    params.responseFormat = {
      type: 'json_schema',
      schema: format.json_schema.schema as Record<string, unknown>,
      ...(typeof format.json_schema.name === 'string' && {name: format.json_schema.name}),
      ...(typeof format.json_schema.strict === 'boolean' && {strict: format.json_schema.strict}),
    };
  }
  return {ok: true, messages, params};
}
