import {describe, expect, it} from 'vitest';
import {BufferedResponse} from './buffered-response.ts';

const init = () => ({status: 200, statusText: 'OK', headers: new Headers({'content-type': 'application/json'})});

describe('BufferedResponse', () => {
  it('reads its bytes as fetch would: UTF-8, a byte order mark dropped, once', async () => {
    const r = new BufferedResponse(Buffer.from('\ufeff{"a":"é"}'), init());
    expect(r.ok).toBe(true);
    expect(r.bodyUsed).toBe(false);
    expect(await r.json()).toEqual({a: 'é'});
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);
  });

  it('gives the body as a stream when asked, with the same bytes', async () => {
    const r = new BufferedResponse(Buffer.from('hello'), init());
    const copy = r.clone();
    const reader = r.body!.getReader();
    const chunks: Uint8Array[] = [];
    for (let c = await reader.read(); !c.done; c = await reader.read()) chunks.push(c.value);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
    expect(r.bodyUsed).toBe(true);
    expect(await copy.text()).toBe('hello');
  });

  it('answers arrayBuffer with exactly its bytes, even from a slice of a larger buffer', async () => {
    const big = Buffer.from('xxabcxx');
    const r = new BufferedResponse(big.subarray(2, 5), init());
    expect(Buffer.from(await r.arrayBuffer()).toString()).toBe('abc');
  });
});
