import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {JournalWriter, latestResults, readJournal} from '../src/runner/journal.ts';
import {makeProject} from './helpers.ts';

const line = (caseId: string, status: 'ok' | 'error') => ({runId: 'r', suiteId: 's', caseId, model: 'm', repeat: 0, status}) as unknown as Result;

describe('journal', () => {
  it('drops a torn last line on read and starts the next record on a fresh line', () => {
    const file = join(makeProject({}), 'results.jsonl');
    writeFileSync(file, `${JSON.stringify(line('a', 'ok'))}\n{"runId":"r","suiteId`);
    expect(readJournal(file)).toMatchObject({tornLines: 1, results: [{caseId: 'a'}]});
    const writer = new JournalWriter(file);
    writer.append(line('b', 'ok'));
    writer.close();
    const read = readJournal(file);
    expect(read.results.map((r) => r.caseId)).toEqual(['a', 'b']);
    expect(read.tornLines).toBe(1);
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
  });

  it('keeps the latest result per key, so a retried error is replaced', () => {
    const latest = latestResults([line('a', 'error'), line('b', 'ok'), line('a', 'ok')]);
    expect(latest.map((r) => `${r.caseId}:${r.status}`).sort()).toEqual(['a:ok', 'b:ok']);
  });

  it('reads lines across chunk boundaries, lines longer than a chunk, and multi-byte text whole', () => {
    const file = join(makeProject({}), 'results.jsonl');
    // ~1 MB chunks: lines of varied size put boundaries everywhere, one line is 3 MB, and the text has
    // characters of 2, 3 and 4 bytes so a chunk boundary can fall inside one.
    const lines = Array.from({length: 4000}, (_, i) => ({...line(`c${i}`, 'ok'), output: `é€😀 ${'x'.repeat((i * 37) % 900)}`}));
    lines[1234] = {...lines[1234]!, output: 'y'.repeat(3 << 20)};
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const read = readJournal(file);
    expect(read.tornLines).toBe(0);
    expect(read.results).toHaveLength(4000);
    expect(read.results[1234]!.output).toHaveLength(3 << 20);
    expect(read.results.every((r, i) => r.caseId === `c${i}` && r.output === lines[i]!.output)).toBe(true);
  });
});
