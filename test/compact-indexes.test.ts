import {describe, expect, it} from 'vitest';
import {SmallInts} from '../src/core/growable-arrays.ts';
import {StringIds} from '../src/core/string-ids.ts';
import {FirstInCaseOrder} from '../src/report/first-in-case-order.ts';
import {RequestIds} from '../src/report/request-ids.ts';
import {seededRandom} from '../src/core/seeded-random.ts';

// The reports' journal index and the summary's case numbers are held in typed arrays (docs/performance.md#memory-at-scale);
// each must give exactly what the Maps of strings and the sort it replaced gave.
describe('compact indexes', () => {
  it('StringIds numbers (namespace, key) pairs densely in order of first appearance, exactly as a Map of strings would', () => {
    const ids = new StringIds();
    const reference = new Map<string, number>();
    const random = seededRandom(7);
    // Sequential ids, look-alikes, unicode, the empty string and lone surrogates (which UTF-8 would merge).
    const keys = ['', 'c1', 'c01', 'C1', 'é', 'e\u0301', '日本', '\ud800', '\udc00', '\ud83d\ude00', 'a'.repeat(1000)];
    for (let i = 0; i < 30_000; i++) keys.push(`c${Math.floor(random() * 20_000)}`);
    for (const key of keys) {
      for (const namespace of [0, 1, 300]) {
        const name = `${namespace}\u0000${key}`;
        if (!reference.has(name)) reference.set(name, reference.size);
        expect(ids.id(namespace, key)).toBe(reference.get(name));
      }
    }
    expect(ids.size).toBe(reference.size);
    expect(ids.id(0, '\ud800')).not.toBe(ids.id(0, '\udc00'));
  });

  it('SmallInts widens from bytes to 16 and 32 bits keeping every value, and refuses what is not an unsigned 32-bit integer', () => {
    const ints = new SmallInts();
    const values = [0, 255, 3, 256, 65535, 7, 65536, 2 ** 32 - 1, 1];
    for (let i = 0; i < 3000; i++) ints.push(i % 200);
    for (const v of values) ints.push(v);
    ints.set(5000, 70_000);
    expect([...ints.values.subarray(3000, 3000 + values.length)]).toEqual(values);
    expect(ints.values[2999]).toBe(2999 % 200);
    expect(ints.values[5000]).toBe(70_000);
    expect(ints.length).toBe(5001);
    expect(() => ints.push(-1)).toThrow(RangeError);
    expect(() => new SmallInts().push(1.5)).toThrow(RangeError);
  });

  it('RequestIds finds each (case, model, repeat) it was given and no other', () => {
    const requests = new RequestIds();
    const reference = new Map<string, number>();
    const random = seededRandom(3);
    for (let i = 0; i < 50_000; i++) {
      const key = [Math.floor(random() * 5000), Math.floor(random() * 3), Math.floor(random() * 300)] as const;
      const name = key.join(',');
      const found = requests.find(...key);
      expect(found).toBe(reference.get(name) ?? -1);
      if (found === -1) reference.set(name, requests.add(...key));
    }
    expect(requests.size).toBe(reference.size);
    expect(requests.find(5001, 0, 0)).toBe(-1);
  });

  it('FirstInCaseOrder picks what sorting every request in caseOrder and taking the first few picks, ties in order of first appearance', () => {
    const numeric = new Intl.Collator(undefined, {numeric: true});
    const random = seededRandom(11);
    // Case ids the numeric collation cannot tell apart ("c1", "c01") share a place; repeats and models repeat a case.
    const requests = Array.from({length: 3000}, (_, request) => ({
      suiteId: ['s', 't', 'S', 'a-b'][Math.floor(random() * 4)]!,
      caseId: `${random() < 0.5 ? 'c' : 'c0'}${Math.floor(random() * 400)}`,
      repeat: Math.floor(random() * 3),
      request,
    }));
    const sorted = [...requests].sort((a, b) => a.suiteId.localeCompare(b.suiteId) || numeric.compare(a.caseId, b.caseId) || a.repeat - b.repeat || a.request - b.request);
    for (const limit of [0, 1, 50, 2999, 3000, 5000]) {
      const picks = new FirstInCaseOrder(limit);
      for (const r of requests) picks.offer(r.suiteId, r.caseId, r.repeat, r.request);
      expect([...picks.requests()]).toEqual(sorted.slice(0, limit).map((r) => r.request));
    }
  });
});
