import {getHeapStatistics} from 'node:v8';
import {describe, expect, it} from 'vitest';
import {collectAtBytes, collectBetweenPhases, enableHeapGovernor, noteHeapWork} from '../src/core/heap-governor.ts';

describe('heap governor', () => {
  it('collects garbage V8 has let pile up once the heap outgrows what was live', () => {
    expect(enableHeapGovernor()).toBe(true);
    // What an import leaves is garbage too: start from a heap that holds only what is live.
    let garbage: number[][] | null = Array.from({length: 64}, () => Array.from({length: 1_000}, (_, i) => i));
    garbage = null;
    noteHeapWork(1 << 20);
    const live = getHeapStatistics().used_heap_size;

    // Data still reachable survives a collection.
    const kept = Array.from({length: 200_000}, (_, i) => ({i}));

    // ~150 MB of garbage that old space keeps until V8 decides to collect: the governor collects it.
    let junk: string[][] | null = [];
    for (let i = 0; i < 150; i++) junk.push(Array.from({length: 10_000}, (_, j) => `row ${i} ${j} ${'x'.repeat(60)}`));
    const grown = getHeapStatistics().used_heap_size;
    expect(grown).toBeGreaterThan(live + 100 * 1024 * 1024);
    junk = null;
    noteHeapWork(1 << 20);
    const after = getHeapStatistics().used_heap_size;
    expect(after).toBeLessThan(grown - 80 * 1024 * 1024);
    expect(kept[199_999]).toEqual({i: 199_999});
    void garbage;
  });

  it('collects between phases at once, whatever the growth, and resets what it counts as live', () => {
    expect(enableHeapGovernor()).toBe(true);
    let junk: string[][] | null = [];
    for (let i = 0; i < 40; i++) junk.push(Array.from({length: 10_000}, (_, j) => `row ${i} ${j} ${'x'.repeat(60)}`));
    const grown = getHeapStatistics().used_heap_size;
    junk = null;
    collectBetweenPhases();
    expect(getHeapStatistics().used_heap_size).toBeLessThan(grown - 20 * 1024 * 1024);
    void junk;
  });

  it('lets a small heap grow by 16 MB before collecting, a large one to one and a half times what is live plus 24 MB', () => {
    const MB = 1024 * 1024;
    // The 2,000-result run: ~25 MB live; its old space grew to ~60 MB under the large-heap rule.
    expect(collectAtBytes(25 * MB)).toBe(41 * MB);
    expect(collectAtBytes(47 * MB)).toBe(63 * MB);
    // At 100,000 results and beyond: 1.5 x live + 24 MB.
    expect(collectAtBytes(48 * MB)).toBe(96 * MB);
    expect(collectAtBytes(140 * MB)).toBe(234 * MB);
  });
});
