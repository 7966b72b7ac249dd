import {describe, expect, it} from 'vitest';
import {handOn} from './hand-on.ts';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('handOn', () => {
  it('hands replies on in order, a bounded amount of work a turn, so the loop turns between them', async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 10; i++) {
        handOn(() => {
          // From inside the first, a callback for the next turn: it must not wait for all ten.
          if (i === 0) setImmediate(() => order.push('next turn'));
          busy(1);
          order.push(String(i));
          if (i === 9) resolve();
        });
      }
    });
    expect(order.filter((x) => x !== 'next turn')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    // Ten milliseconds of work against a 2 ms budget: the next turn comes before the last of them.
    expect(order.indexOf('next turn')).toBeGreaterThan(0);
    expect(order.indexOf('next turn')).toBeLessThan(order.length - 1);
  });
});
