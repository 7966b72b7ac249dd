import {httpTransport, requestURL} from './http-transport.ts';
import {ProviderError} from './provider-error.ts';

/** Same-origin redirects are followed (a few); a redirect to another origin is refused. */
const MAX_REDIRECTS = 3;

/**
 * fetch that never carries a request (and so its key) to another origin: redirects are handled by
 * hand, same-origin ones followed, any other refused with a hint to fix the baseURL.
 */
export function originBoundFetch(providerId: string): typeof fetch {
  return async (input, init) => {
    // The common case costs one plain fetch: no Request object, no clone of the body, the address parsed once.
    let current = requestURL(input instanceof Request ? input.url : String(input));
    let response = await httpTransport(input instanceof Request ? input : current, {...init, redirect: 'manual'});
    for (let hop = 0; response.status >= 300 && response.status < 400 && response.status !== 304; hop++) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      const next = location ? new URL(location, current) : null;
      if (!next || next.origin !== current.origin || hop >= MAX_REDIRECTS) {
        throw new ProviderError('bad-request', `${providerId} redirected to ${next ? next.origin : '(no location)'}; not followed`, {
          status: response.status,
          hint: `assay never follows a redirect to another origin, so a key cannot leak to it: point baseURL at the final address${next ? ` (${next.origin})` : ''}`,
          retryable: false,
        });
      }
      // A redirect the SDKs would have followed: same origin, so the same request goes again.
      response = await httpTransport(next, {...init, ...(input instanceof Request ? {method: input.method, headers: input.headers} : {}), redirect: 'manual'});
      current = next;
    }
    if (response.ok && /\bjson\b/i.test(response.headers.get('content-type') ?? '') && asksForStream(current, init)) {
      // Read as a stream, a JSON body has no events: it would look like a stream cut short and be
      // retried forever. An answer is the server ignoring `stream: true`, which only configuration
      // fixes; an error object (sent with 200 by some gateways) goes on to be read as the error it is.
      const text = await response.text();
      if (isErrorBody(text)) return new Response(text, {status: response.status, statusText: response.statusText, headers: response.headers});
      throw new ProviderError('bad-request', `${providerId} answered a streaming request with one complete JSON body instead of server-sent events: this server ignores stream: true`, {
        hint: 'set `stream: false` for this model (on the model, or on the provider) so assay asks for a plain JSON reply',
        retryable: false,
      });
    }
    return response;
  };
}

function isErrorBody(text: string): boolean {
  try {
    const body = JSON.parse(text) as unknown;
    return body !== null && typeof body === 'object' && ('error' in body || (body as {type?: unknown}).type === 'error');
  } catch {
    return true; // not JSON at all: left to the SDK to report as the malformed reply it is
  }
}

/** A request for server-sent events: `"stream": true` in the body (OpenAI, Anthropic) or `alt=sse` (Gemini). */
function asksForStream(url: URL, init: RequestInit | undefined): boolean {
  if (url.search !== '' && url.searchParams.get('alt') === 'sse') return true;
  return typeof init?.body === 'string' && /"stream"\s*:\s*true/.test(init.body);
}
