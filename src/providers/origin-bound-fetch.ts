import {ProviderError} from './provider-error.ts';

/** Same-origin redirects are followed (a few); a redirect to another origin is refused. */
const MAX_REDIRECTS = 3;

/**
 * fetch that never carries a request (and so its key) to another origin: redirects are handled by
 * hand, same-origin ones followed, any other refused with a hint to fix the baseURL.
 */
export function originBoundFetch(providerId: string): typeof fetch {
  return async (input, init) => {
    let request = input instanceof Request ? input : new Request(input, init);
    for (let hop = 0; ; hop++) {
      const response = await fetch(request.clone(), {redirect: 'manual', signal: init?.signal ?? request.signal});
      if (response.status < 300 || response.status >= 400 || response.status === 304) return response;
      const location = response.headers.get('location');
      await response.body?.cancel();
      const current = new URL(request.url);
      const next = location ? new URL(location, current) : null;
      if (!next || next.origin !== current.origin || hop >= MAX_REDIRECTS) {
        throw new ProviderError('bad-request', `${providerId} redirected to ${next ? next.origin : '(no location)'}; not followed`, {
          status: response.status,
          hint: `assay never follows a redirect to another origin, so a key cannot leak to it: point baseURL at the final address${next ? ` (${next.origin})` : ''}`,
          retryable: false,
        });
      }
      request = new Request(next, request);
    }
  };
}
