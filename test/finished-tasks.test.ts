import {describe, expect, it} from 'vitest';
import {StringIds} from '../src/core/string-ids.ts';
import {taskKey} from '../src/core/task-key.ts';
import {FinishedTasks} from '../src/runner/finished-tasks.ts';

describe('FinishedTasks', () => {
  it('answers as the Map of fingerprints and the Set of plan keys it replaces, over a journal with errors, retries and odd fingerprints', () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const hex = () => Array.from({length: 16}, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');
    const keys = Array.from({length: 5_000}, (_, i) => taskKey('s', `c${i % 2_500}`, i % 2 ? 'b' : 'a', 0));
    keys.push(taskKey('s', 'caf\u00e9 \u{1F600}', 'a', 1), taskKey('s', 'lone \ud800', 'a', 0));
    const finished = new FinishedTasks();
    const reference = new Map<string, string>();
    // Journal lines in order: the latest decides; an error deletes, an ok (re)sets.
    for (let line = 0; line < 20_000; line++) {
      const key = keys[Math.floor(random() * keys.length)]!;
      const roll = random();
      if (roll < 0.2) {
        finished.delete(key);
        reference.delete(key);
      } else {
        const print = roll < 0.25 ? '' : roll < 0.3 ? 'not-hex-fingerprint' : hex();
        finished.set(key, print);
        reference.set(key, print);
      }
    }
    for (const key of keys) expect(finished.fingerprint(key)).toBe(reference.get(key));
    expect(finished.fingerprint(taskKey('s', 'never', 'a', 0))).toBeUndefined();

    // The plan: every other key; those with a kept result are done.
    const plan = keys.filter((_, i) => i % 2 === 0);
    const done = new Set(plan.filter((key) => reference.has(key)));
    for (const key of plan) finished.markDone(key);
    finished.markDone(plan[0]!); // twice: counted once
    expect(finished.size).toBe(done.size);
    for (const key of keys) expect(finished.has(key)).toBe(done.has(key));
  });

  it('keeps a fingerprint with leading zeros and the top bit set exactly', () => {
    const finished = new FinishedTasks();
    finished.set('k1', '00000000000000ff');
    finished.set('k2', 'ffffffff80000000');
    expect(finished.fingerprint('k1')).toBe('00000000000000ff');
    expect(finished.fingerprint('k2')).toBe('ffffffff80000000');
  });
});

describe('StringIds.find', () => {
  it('finds the ids id() gave and adds nothing for a key it never saw', () => {
    const ids = new StringIds();
    const a = ids.id(0, 'alpha');
    const b = ids.id(1, 'alpha');
    const c = ids.id(0, 'lone \ud800');
    expect([ids.find(0, 'alpha'), ids.find(1, 'alpha'), ids.find(0, 'lone \ud800')]).toEqual([a, b, c]);
    expect(ids.find(2, 'alpha')).toBe(-1);
    expect(ids.find(0, 'beta')).toBe(-1);
    expect(ids.size).toBe(3);
  });
});
