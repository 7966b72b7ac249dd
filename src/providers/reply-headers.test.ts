import {describe, expect, it} from 'vitest';
import {ReplyHeaders} from './reply-headers.ts';

// As node:http lists a reply's headers: names as sent, repeats kept.
const RAW = ['Content-Type', 'application/json', 'X-Request-Id', 'req_1', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'Vary', 'Origin', 'vary', 'Accept', 'x-litellm-response-cost', '0.0012'];

function real(raw: readonly string[]): Headers {
  const h = new Headers();
  for (let i = 0; i < raw.length; i += 2) h.append(raw[i]!, raw[i + 1]!);
  return h;
}

describe('ReplyHeaders', () => {
  it('reads as a fetch Headers with the same headers does', () => {
    const ours = new ReplyHeaders(RAW);
    const theirs = real(RAW);
    expect(ours).toBeInstanceOf(Headers);
    for (const name of ['content-type', 'Content-Type', 'X-REQUEST-ID', 'vary', 'set-cookie', 'x-litellm-response-cost', 'missing']) {
      expect(ours.get(name), name).toBe(theirs.get(name));
      expect(ours.has(name), name).toBe(theirs.has(name));
    }
    expect(ours.getSetCookie()).toEqual(theirs.getSetCookie());
    expect([...ours]).toEqual([...theirs]);
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    expect([...ours.values()]).toEqual([...theirs.values()]);
    const listed: string[] = [];
    ours.forEach((value, name, parent) => {
      expect(parent).toBe(ours);
      listed.push(`${name}=${value}`);
    });
    expect(listed).toEqual([...theirs].map(([n, v]) => `${n}=${v}`));
    // Copied into a real Headers (a Response made from it, a clone), nothing is lost.
    expect([...new Headers(ours)]).toEqual([...theirs]);
    expect([...new Response(null, {headers: ours}).headers]).toEqual([...theirs]);
  });

  it('keeps working as a Headers once changed', () => {
    const ours = new ReplyHeaders(RAW);
    const theirs = real(RAW);
    for (const h of [ours, theirs]) {
      h.set('content-type', 'text/plain');
      h.append('x-extra', '1');
      h.delete('vary');
    }
    expect([...ours]).toEqual([...theirs]);
    expect(ours.get('content-type')).toBe('text/plain');
    expect(ours.has('vary')).toBe(false);
  });
});
