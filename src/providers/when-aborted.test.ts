import {describe, expect, it} from 'vitest';
import {whenAborted} from './when-aborted.ts';

describe('whenAborted', () => {
  it('calls back, in order and once, those still waiting when the signal aborts', () => {
    const controller = new AbortController();
    const called: string[] = [];
    whenAborted(controller.signal, () => called.push('a'));
    const stopB = whenAborted(controller.signal, () => called.push('b'));
    whenAborted(controller.signal, () => called.push('c'));
    stopB();
    controller.abort();
    controller.abort();
    expect(called).toEqual(['a', 'c']);
  });

  it('waits on a signal again after an earlier one aborted, and keeps signals apart', () => {
    const first = new AbortController();
    const second = new AbortController();
    const called: string[] = [];
    whenAborted(first.signal, () => called.push('first'));
    whenAborted(second.signal, () => called.push('second'));
    first.abort();
    expect(called).toEqual(['first']);
    second.abort();
    expect(called).toEqual(['first', 'second']);
  });
});
