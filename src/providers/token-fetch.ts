import type {TokenSource} from './token-source.ts';

/** What the SDKs get as their API key when a token source authenticates instead. */
export const TOKEN_AUTH_PLACEHOLDER = 'token-auth';

/**
 * fetch that sends the token source's current token as "Authorization: Bearer", whatever the SDK put
 * there, and on a 401 asks for a new token and sends the request once more. Only bodies that can be
 * sent twice (strings, bytes, none) are retried; the SDKs send JSON strings.
 */
export function tokenFetch(inner: typeof fetch, source: TokenSource): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    new Headers(init?.headers).forEach((value, key) => {
      // The placeholder the SDKs were given as a key (x-api-key, x-goog-api-key) is not sent: the token is the credential.
      if (value !== TOKEN_AUTH_PLACEHOLDER) headers.set(key, value);
    });
    const send = async () => {
      const token = await source.token();
      headers.set('authorization', `Bearer ${token}`);
      return {token, response: await inner(input, {...init, headers})};
    };
    const first = await send();
    const body = init?.body;
    const replayable = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof URLSearchParams;
    if (first.response.status !== 401 || !replayable || init?.signal?.aborted) return first.response;
    await first.response.body?.cancel();
    source.invalidate(first.token);
    return (await send()).response;
  };
}
