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
});
