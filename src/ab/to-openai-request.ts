import type {Converted} from './chat-messages.ts';

// The importers' tools log conversations in four dialects: OpenAI chat messages (LiteLLM, Langfuse,
// Helicone, LangSmith's OpenAI wrapper), Anthropic content blocks (Helicone and Langfuse in front of
// Anthropic), LangChain messages (LangSmith, Langfuse's LangChain handler) and OpenTelemetry GenAI
// parts. Each is rewritten here into the OpenAI chat request that fromOpenAIChatRequest reads, so
// every importer replays tools, tool calls and results, images and files through one reader.

type Json = Record<string, unknown>;

/** What a logged record sent, in whichever dialect its tool wrote. */
export interface SourceRequest {
  messages: unknown;
  /** Anthropic's top-level system prompt (a string or text blocks). */
  system?: unknown;
  tools?: unknown;
  toolChoice?: unknown;
  responseFormat?: unknown;
}

export interface OpenAIRequest {
  messages: Json[];
  tools?: unknown[];
  tool_choice?: unknown;
  response_format?: unknown;
}

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** Logs often hold nested structures as JSON text (Langfuse's modelParameters, OTel attributes). */
function parsed(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

const dataUrl = (mediaType: unknown, data: unknown) => `data:${String(mediaType)};base64,${String(data)}`;
const imagePart = (url: string) => ({type: 'image_url', image_url: {url}});
const filePart = (mediaType: unknown, data: unknown, name: unknown) => ({type: 'file', file: {file_data: dataUrl(mediaType, data), filename: typeof name === 'string' ? name : 'file.pdf'}});
const argumentsText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v ?? {}));
const resultText = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && v.every((p) => isObject(p) && typeof (p.text ?? p.content) === 'string') ? v.map((p: Json) => String(p.text ?? p.content)).join('') : JSON.stringify(v ?? ''));

/** A media part in any dialect as an OpenAI image_url or file part; null when it is not media. */
function mediaPart(p: Json): Json | null {
  const source = isObject(p.source) ? p.source : null;
  // Anthropic: {type: 'image' | 'document', source: {type: 'base64', media_type, data} | {type: 'url', url}}.
  if ((p.type === 'image' || p.type === 'document') && source) {
    if (source.type === 'url' && typeof source.url === 'string') return p.type === 'image' ? imagePart(source.url) : null;
    if (source.type === 'base64') return p.type === 'image' ? imagePart(dataUrl(source.media_type, source.data)) : filePart(source.media_type, source.data, p.title);
  }
  // LangChain standard blocks: {type: 'image', source_type: 'base64' | 'url', data | url, mime_type}, or v1's {type: 'image', base64 | url, mime_type}.
  if (p.type === 'image' || p.type === 'file') {
    const data = p.source_type === 'base64' ? p.data : p.base64;
    const mediaType = p.mime_type ?? p.mimeType;
    if (typeof data === 'string') return p.type === 'image' ? imagePart(dataUrl(mediaType, data)) : filePart(mediaType, data, p.filename);
    if (typeof p.url === 'string' && p.type === 'image') return imagePart(p.url);
  }
  // OTel GenAI: {type: 'blob', modality, mime_type, content} (base64) and {type: 'uri', modality, mime_type, uri}.
  if (p.type === 'blob' && typeof p.content === 'string') {
    return p.modality === 'image' || String(p.mime_type).startsWith('image/') ? imagePart(dataUrl(p.mime_type, p.content)) : filePart(p.mime_type, p.content, undefined);
  }
  if (p.type === 'uri' && typeof p.uri === 'string' && (p.modality === 'image' || String(p.mime_type).startsWith('image/'))) return imagePart(p.uri);
  // LangChain lets image_url be the URL itself.
  if (p.type === 'image_url' && typeof p.image_url === 'string') return imagePart(p.image_url);
  return null;
}

interface Split {
  content: Json[];
  toolCalls: Json[];
  toolResults: Json[];
}

/** A content list split into OpenAI content parts, tool calls (Anthropic tool_use, OTel tool_call) and tool results (tool_result, tool_call_response). */
function splitParts(parts: unknown[]): Split {
  const out: Split = {content: [], toolCalls: [], toolResults: []};
  for (const raw of parts) {
    if (typeof raw === 'string') {
      out.content.push({type: 'text', text: raw});
      continue;
    }
    if (!isObject(raw)) continue;
    const p = raw;
    if (p.type === 'text' || (p.type === undefined && (typeof p.text === 'string' || typeof p.content === 'string'))) out.content.push({type: 'text', text: String(p.text ?? p.content ?? '')});
    else if (p.type === 'tool_use' || p.type === 'tool_call') {
      out.toolCalls.push({id: p.id, type: 'function', function: {name: p.name, arguments: argumentsText(p.input ?? p.arguments)}});
    } else if (p.type === 'tool_result' || p.type === 'tool_call_response') {
      out.toolResults.push({role: 'tool', tool_call_id: p.tool_use_id ?? p.id, content: resultText(p.content ?? p.response ?? p.result)});
    } else out.content.push(mediaPart(p) ?? p);
  }
  return out;
}

/** LangChain's message classes and type names, as LangSmith and Langfuse store them. */
const LANGCHAIN_ROLES: Record<string, string> = {
  HumanMessage: 'user', HumanMessageChunk: 'user', human: 'user', SystemMessage: 'system', SystemMessageChunk: 'system', system: 'system',
  AIMessage: 'assistant', AIMessageChunk: 'assistant', ai: 'assistant', ToolMessage: 'tool', ToolMessageChunk: 'tool', tool: 'tool', developer: 'system',
  FunctionMessage: 'function', function: 'function', ChatMessage: 'chat',
};

/** A LangChain message ({lc: 1, id: [..., 'AIMessage'], kwargs} or {type: 'ai', ...}) as role and fields. */
function unwrapLangchain(m: Json): Json {
  if (Array.isArray(m.id) && isObject(m.kwargs)) {
    const cls = String(m.id.at(-1));
    return {...m.kwargs, role: m.kwargs.role ?? LANGCHAIN_ROLES[cls] ?? cls};
  }
  if (typeof m.role !== 'string' && typeof m.type === 'string') return {...m, role: LANGCHAIN_ROLES[m.type] ?? m.type};
  return m;
}

/** LangChain's tool calls ({name, args, id}) as OpenAI's; OpenAI ones (in additional_kwargs) as they are. */
function langchainToolCalls(m: Json): Json[] | undefined {
  if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
    return (m.tool_calls as Json[]).map((c) => (isObject(c.function) ? c : {id: c.id, type: 'function', function: {name: c.name, arguments: argumentsText(c.args ?? c.arguments)}}));
  }
  const extra = isObject(m.additional_kwargs) ? m.additional_kwargs.tool_calls : undefined;
  return Array.isArray(extra) && extra.length > 0 ? (extra as Json[]) : undefined;
}

/** One logged message as the OpenAI messages it stands for (a user turn of Anthropic tool results is several). */
function toOpenAIMessages(item: unknown): Json[] | string {
  if (!isObject(item)) return 'has a message that is not an object';
  const m = unwrapLangchain(item);
  const role = m.role;
  const content = m.content ?? m.parts;
  const calls = langchainToolCalls(m);
  if (!Array.isArray(content)) {
    const message: Json = {role, content: content ?? null};
    if (calls) message.tool_calls = calls;
    if (m.tool_call_id !== undefined) message.tool_call_id = m.tool_call_id;
    return [message];
  }
  const split = splitParts(content);
  // LangChain's Anthropic messages hold each call twice: a tool_use block and an entry of tool_calls.
  const known = new Set((calls ?? []).map((c) => c.id));
  const toolCalls = [...(calls ?? []), ...split.toolCalls.filter((c) => !known.has(c.id))];
  // An OTel tool message, or an Anthropic user turn, carries its results as parts: one OpenAI tool message each, first.
  const before = split.toolResults;
  if (role === 'tool' && before.length === 0 && m.tool_call_id !== undefined) return [{role, tool_call_id: m.tool_call_id, content: split.content}];
  const rest: Json[] = [];
  if (split.content.length > 0 || toolCalls.length > 0 || (before.length === 0 && role !== 'tool')) {
    const only = split.content.length === 1 && split.content[0]!.type === 'text' ? split.content[0]!.text : undefined;
    rest.push({role, content: split.content.length === 0 ? null : (only ?? split.content), ...(toolCalls.length > 0 && {tool_calls: toolCalls})});
  }
  return [...before, ...rest];
}

/** Tool definitions as OpenAI function tools: OpenAI's own, flat ones (OTel's gen_ai.tool.definitions, the Responses API) and Anthropic's input_schema. */
function toOpenAITools(tools: unknown): unknown[] | undefined {
  const list = parsed(tools);
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list.map((t) => {
    if (!isObject(t) || isObject(t.function)) return t;
    const parameters = t.parameters ?? t.input_schema;
    if (typeof t.name === 'string' && (t.type === undefined || t.type === 'function' || t.type === 'custom' || parameters !== undefined)) {
      return {type: 'function', function: {name: t.name, ...(typeof t.description === 'string' && {description: t.description}), ...(isObject(parameters) && {parameters})}};
    }
    return t;
  });
}

/** Anthropic's tool_choice ({type: 'auto' | 'any' | 'none' | 'tool', name}) as OpenAI's; OpenAI's as it is. */
function toOpenAIToolChoice(choice: unknown): unknown {
  const c = parsed(choice);
  if (!isObject(c) || isObject(c.function)) return c;
  if (c.type === 'any') return 'required';
  if (c.type === 'auto' || c.type === 'none') return c.type;
  if ((c.type === 'tool' || c.type === 'function') && typeof c.name === 'string') return {type: 'function', function: {name: c.name}};
  return c;
}

/** A logged request in its tool's dialect as an OpenAI chat request, or why its messages cannot be read. */
export function toOpenAIRequest(source: SourceRequest): Converted<OpenAIRequest> {
  let list = parsed(source.messages);
  // LangChain batches: [[message, ...]].
  if (Array.isArray(list) && list.length === 1 && Array.isArray(list[0])) list = list[0];
  if (typeof source.messages === 'string' && !Array.isArray(list)) return {ok: false, reason: 'its messages are a string that is not JSON'};
  if (!Array.isArray(list)) return {ok: false, reason: 'has no list of messages'};
  const messages: Json[] = [];
  const system = parsed(source.system);
  if (typeof system === 'string' && system !== '') messages.push({role: 'system', content: system});
  else if (Array.isArray(system) && system.length > 0) messages.push({role: 'system', content: splitParts(system).content});
  for (const item of list) {
    const converted = toOpenAIMessages(item);
    if (typeof converted === 'string') return {ok: false, reason: converted};
    messages.push(...converted);
  }
  const tools = toOpenAITools(source.tools);
  const choice = toOpenAIToolChoice(source.toolChoice);
  const format = parsed(source.responseFormat);
  return {ok: true, value: {messages, ...(tools && {tools}), ...(choice !== undefined && choice !== null && {tool_choice: choice}), ...(isObject(format) && {response_format: format})}};
}
