import type {ChatMessage} from '../core/types.ts';

export type Converted<T> = {ok: true; value: T} | {ok: false; reason: string};

/** Text of a message's content: a string, or a list of text parts (OpenAI, Anthropic, OTel GenAI parts). */
export function contentText(content: unknown): Converted<string> {
  if (typeof content === 'string') return {ok: true, value: content};
  if (Array.isArray(content)) {
    let text = '';
    for (const part of content as Array<{type?: string; text?: string; content?: string}>) {
      if (typeof part === 'string') text += part;
      else if (part?.type === 'text' || part?.type === undefined) text += part?.text ?? part?.content ?? '';
      else return {ok: false, reason: `has ${part.type} content (${part.type === 'image_url' || part.type === 'image' ? 'an image' : 'not text'}), which these models are not sent`};
    }
    return {ok: true, value: text};
  }
  return {ok: false, reason: 'has message content that is neither text nor a list of parts'};
}

/** LangChain's serialized message classes and type names, as LangSmith and Langfuse store them. */
const LANGCHAIN_ROLES: Record<string, ChatMessage['role']> = {
  HumanMessage: 'user', human: 'user', SystemMessage: 'system', system: 'system', AIMessage: 'assistant', ai: 'assistant',
};

function roleOf(m: Record<string, unknown>): {role: unknown; content: unknown; tool: boolean} {
  // LangChain: {lc: 1, type: 'constructor', id: [..., 'HumanMessage'], kwargs: {content}} or {type: 'human', content}.
  if (Array.isArray(m.id) && m.kwargs && typeof m.kwargs === 'object') {
    const cls = String(m.id.at(-1));
    return {role: LANGCHAIN_ROLES[cls] ?? cls, content: (m.kwargs as {content?: unknown}).content, tool: cls === 'ToolMessage' || cls === 'FunctionMessage'};
  }
  const role = typeof m.role === 'string' ? m.role : typeof m.type === 'string' ? (LANGCHAIN_ROLES[m.type] ?? m.type) : m.role;
  // OTel GenAI: {role, parts: [{type: 'text', content}]}.
  const content = m.content ?? m.parts;
  return {role, content, tool: role === 'tool' || role === 'function' || m.tool_calls !== undefined || m.tool_call_id !== undefined};
}

/** A logged conversation as assay's chat messages, or why it cannot be sent as plain text. */
export function toChatMessages(raw: unknown): Converted<ChatMessage[]> {
  let list = raw;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      return {ok: false, reason: 'its messages are a string that is not JSON'};
    }
  }
  // LangChain batches: [[message, ...]].
  if (Array.isArray(list) && list.length === 1 && Array.isArray(list[0])) list = list[0];
  if (!Array.isArray(list)) return {ok: false, reason: 'has no list of messages'};
  const messages: ChatMessage[] = [];
  for (const item of list as Array<Record<string, unknown>>) {
    if (!item || typeof item !== 'object') return {ok: false, reason: 'has a message that is not an object'};
    const {role: rawRole, content, tool} = roleOf(item);
    if (tool) return {ok: false, reason: 'contains tool calls or tool messages'};
    const role = rawRole === 'developer' ? 'system' : rawRole;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') return {ok: false, reason: `has a message with role ${JSON.stringify(rawRole)}`};
    const text = contentText(content);
    if (!text.ok) return text;
    messages.push({role, content: text.value});
  }
  if (!messages.some((m) => m.role === 'user')) return {ok: false, reason: 'has no user message'};
  return {ok: true, value: messages};
}

/** The answer text of a logged response: OpenAI choices, a message, LangChain generations, or plain text. */
export function answerText(response: unknown): string | null {
  if (typeof response === 'string') return response;
  if (!response || typeof response !== 'object') return null;
  const r = response as Record<string, unknown>;
  const choice = Array.isArray(r.choices) ? (r.choices[0] as Record<string, unknown> | undefined) : undefined;
  if (choice) {
    const message = choice.message as {content?: unknown} | undefined;
    const text = message ? contentText(message.content) : typeof choice.text === 'string' ? {ok: true as const, value: choice.text} : null;
    return text?.ok ? text.value : null;
  }
  if (Array.isArray(r.generations)) {
    const first = (Array.isArray(r.generations[0]) ? r.generations[0][0] : r.generations[0]) as {text?: unknown} | undefined;
    return typeof first?.text === 'string' ? first.text : null;
  }
  if ('content' in r) {
    const text = contentText(r.content);
    return text.ok ? text.value : null;
  }
  return null;
}
