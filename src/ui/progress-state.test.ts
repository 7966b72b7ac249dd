import {describe, expect, it} from 'vitest';
import {modelLine, ProgressState} from './progress-state.ts';

describe('modelLine', () => {
  it('says a resumed model has nothing left to send instead of 0/0 done, ungraded', () => {
    const state = new ProgressState();
    state.apply({type: 'start', runId: 'r', dir: 'd', total: 2, skipped: 3, models: [{label: 'a', total: 0, simulated: true}, {label: 'b', total: 2, simulated: false}]});
    const [a, b] = [...state.models.values()];
    expect(modelLine(a!)).toBe('a (simulated): nothing left to send');
    expect(modelLine(b!)).toBe('b: 0/2 done, 0 errors, 0 retries, ungraded, no cost yet');
  });
});
