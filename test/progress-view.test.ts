import {describe, expect, it} from 'vitest';
import {colorEnabled} from '../src/ui/ink-progress.tsx';
import {ProgressState} from '../src/ui/progress-state.ts';
import {lineText, progressLines} from '../src/ui/progress-table.ts';
import {fakeResult} from './fake-result.ts';

function started(concurrency: number | null = 2): ProgressState {
  const state = new ProgressState();
  const models = ['sim-large', 'sim-medium', 'a-model-with-a-really-long-label-indeed', 'sim-mini'].map((label) => ({label, total: 165, simulated: true}));
  state.apply({type: 'start', runId: 'r1', dir: '/tmp/reports/r1', total: 660, skipped: 0, models, ...(concurrency === null ? {} : {concurrency})});
  return state;
}

describe('the live view', () => {
  it('fits 80 columns, shows every model (also those with no result yet) and names the global cap', () => {
    const state = started();
    state.apply({type: 'traffic', models: [{label: 'sim-large', inFlight: 1, throttled: 0, breaker: null}, {label: 'sim-mini', inFlight: 1, throttled: 0, breaker: null}]});
    state.apply({type: 'result', result: fakeResult({model: 'sim-large', costUsd: 0.00053})});
    const lines = progressLines(state, 80).map(lineText);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    const text = lines.join('\n');
    expect(text).toContain('2 in flight of 2 (global cap)');
    expect(text).toMatch(/ETA/);
    expect(text).toContain('req/s');
    for (const label of ['sim-large', 'sim-medium', 'sim-mini']) expect(text).toContain(label);
    expect(text).toContain('a-model-with');
    expect(text).toContain('$0.00053');
    expect(text).not.toContain('price unknown');
  });

  it('uses the width when there is more: a bar per model', () => {
    const wide = progressLines(started(), 140).map(lineText);
    expect(wide.filter((l) => l.includes('░')).length).toBeGreaterThanOrEqual(5);
    const narrow = progressLines(started(), 80).map(lineText);
    expect(narrow.filter((l) => l.includes('░')).length).toBe(1);
  });

  it('columns line up: every model row puts its done count at the same place', () => {
    const state = started();
    state.apply({type: 'result', result: fakeResult({model: 'sim-mini'})});
    const rows = progressLines(state, 100).map(lineText).filter((l) => /\d+\/165/.test(l));
    expect(rows).toHaveLength(4);
    const ends = rows.map((r) => r.indexOf('/165') + 4);
    expect(new Set(ends).size).toBe(1);
  });

  it('the final frame is the final state: nothing in flight, every model done or counted as not run', () => {
    const state = started();
    state.apply({type: 'traffic', models: [{label: 'sim-large', inFlight: 2, throttled: 0, breaker: null}]});
    state.apply({type: 'end', interrupted: false});
    const text = progressLines(state, 100).map(lineText).join('\n');
    expect(text).not.toContain('in flight');
    expect(text).toContain('165 not run');
  });

  it('acknowledges the first Ctrl+C in the frame, and the second says what is saved and how to resume', () => {
    const state = started();
    state.apply({type: 'result', result: fakeResult({model: 'sim-mini'})});
    state.stopping = true;
    expect(progressLines(state, 80).map(lineText).join('\n')).toContain('stopping: 0 in flight finish and are saved; Ctrl+C again quits now');
    expect(state.quitMessage()).toBe('stopped: 1 result(s) saved in /tmp/reports/r1 (659 not finished); resume with: assay run --resume /tmp/reports/r1');
  });

  it('colours off with NO_COLOR or TERM=dumb', () => {
    expect(colorEnabled({NO_COLOR: '1'})).toBe(false);
    expect(colorEnabled({TERM: 'dumb'})).toBe(false);
    expect(colorEnabled({TERM: 'xterm-256color'})).toBe(true);
  });

  it('says when the global cap sets the pace, and what each model is waiting for', () => {
    const state = started(2);
    state.apply({type: 'traffic', models: [{label: 'sim-large', inFlight: 2, waiting: 6, throttled: 0, breaker: null}, {label: 'sim-mini', inFlight: 0, waiting: 8, throttled: 0, breaker: null}]} as never);
    const text = progressLines(state, 120).map(lineText).join('\n');
    expect(text).toContain('2 in flight of 2 (global cap: it sets the pace)');
    expect(text).toContain('2 in flight, 6 waiting for a slot');
    expect(text).toContain('8 waiting for a slot');
  });
});
