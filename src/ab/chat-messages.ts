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
