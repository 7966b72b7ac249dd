export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Server-sent events from a byte stream: handles \n, \r\n and \r line ends, comment and ping lines,
 * multi-line data, and UTF-8 characters split across chunks.
 */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const {value, done} = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, {stream: true});
      const lines = buffer.split(/\r\n|\r|\n/);
      // The last piece may be an incomplete line (or a lone \r before its \n): keep it.
      buffer = done ? '' : lines.pop()!;
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield {event: event || 'message', data: data.join('\n')};
          event = '';
          data = [];
        } else if (line.startsWith(':')) {
          continue;
        } else {
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const rest = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') data.push(rest);
          else if (field === 'event') event = rest;
        }
      }
      if (done) break;
    }
    if (data.length > 0) yield {event: event || 'message', data: data.join('\n')};
  } finally {
    reader.releaseLock();
  }
}
