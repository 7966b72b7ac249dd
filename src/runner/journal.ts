import {closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync} from 'node:fs';
import type {Result} from '../core/types.ts';
import {taskKey} from './plan-tasks.ts';

/**
 * results.jsonl: one result per line, written (to the OS, synchronously) the moment it completes,
 * so a crash or kill -9 loses at most the requests still in flight.
 */
export class JournalWriter {
  private fd: number;
  readonly file: string;

  constructor(file: string) {
    this.file = file;
    this.fd = openSync(file, 'a');
    // A crash mid-write leaves a last line without its newline; end it so the next record starts clean.
    const size = fstatSync(this.fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      const readFd = openSync(file, 'r');
      try {
        readSync(readFd, last, 0, 1, size - 1);
      } finally {
        closeSync(readFd);
      }
      if (last[0] !== 0x0a) writeSync(this.fd, '\n');
    }
  }

  append(result: Result): void {
    writeSync(this.fd, `${JSON.stringify(result)}\n`);
  }

  close(): void {
    if (this.fd === -1) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}

export interface JournalRead {
  results: Result[];
  /** A last line cut off mid-write (crash, full disk) is dropped and counted here, never fatal. */
  tornLines: number;
}

export function readJournal(file: string): JournalRead {
  if (!existsSync(file)) return {results: [], tornLines: 0};
  const text = readFileSync(file, 'utf8');
  const results: Result[] = [];
  let tornLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      results.push(JSON.parse(line) as Result);
    } catch {
      tornLines++;
    }
  }
  return {results, tornLines};
}

/** The latest result for each (suite, case, model, repeat): a resumed run re-tries errors by appending. */
export function latestResults(results: Result[]): Result[] {
  const byKey = new Map<string, Result>();
  for (const r of results) byKey.set(taskKey(r.suiteId, r.caseId, r.model, r.repeat), r);
  return [...byKey.values()];
}
