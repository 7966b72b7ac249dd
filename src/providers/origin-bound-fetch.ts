import {httpTransport} from './http-transport.ts';
import {ProviderError} from './provider-error.ts';

/** Same-origin redirects are followed (a few); a redirect to another origin is refused. */
const MAX_REDIRECTS = 3;

/**
 * fetch that never carries a request (and so its key) to another origin: redirects are handled by
 * hand, same-origin ones followed, any other refused with a hint to fix the baseURL.
 */
export function originBoundFetch(providerId: string): typeof fetch {
  return async (input, init) => {
    // The common case costs one plain fetch: no Request object, no clone of the body.
    let response = await httpTransport(input, {...init, redirect: 'manual'});
    let current = new URL(input instanceof Request ? input.url : String(input));
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
    return response;
  };
}
