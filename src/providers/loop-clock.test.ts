import {describe, expect, it} from 'vitest';
import {openLoopClock} from './loop-clock.ts';

describe('loop clock', () => {
  it('leaves a blocked stretch out of the time a deadline counts', async () => {
    const clock = openLoopClock();
    try {
      await new Promise((r) => setTimeout(r, 50));
      const before = clock.responsiveMs();
      const until = performance.now() + 400;
      while (performance.now() < until);
      // The 400 ms block is not counted, however busy the machine (it can only add blocked time).
      expect(clock.responsiveMs() - before).toBeLessThan(400);
      expect(clock.responsiveMs()).toBeGreaterThanOrEqual(0);
    } finally {
      clock.close();
    }
  });
});
