import {closeSync, existsSync, fstatSync, fsyncSync, openSync, readSync, writeSync} from 'node:fs';
import {AssayError, InputError} from '../core/errors.ts';
import type {Result} from '../core/types.ts';
import {taskKey} from '../core/task-key.ts';
import {checkResultLine} from '../rundir/result-line.ts';
import {noteHeapWork} from '../core/heap-governor.ts';
import {FinishedTasks} from './finished-tasks.ts';

/**
 * results.jsonl: one result per line, written to the OS synchronously as results complete (one by one,
 * or those finished in the same turn of the event loop together), so a crash or kill -9 loses at most
 * the requests still in flight.
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
    this.appendLines(`${JSON.stringify(result)}\n`, 1);
  }

  /** Whole lines (each ending in a newline), `count` of them, in one synchronous write. */
  appendLines(lines: string, count: number): void {
    writeSync(this.fd, lines);
    noteHeapWork(count);
  }

  close(): void {
    if (this.fd === -1) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** A journal line that could not be written (full disk, lost mount): the run stops, exit 3, with how to go on. */
export function journalWriteError(file: string, error: unknown, saved: number, resumeCommand: string): AssayError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new AssayError('journal-write', `cannot write ${file}: ${code}. ${saved} results were saved before this`, {
    hint: `${code === 'ENOSPC' ? 'free disk space, then ' : ''}continue with: ${resumeCommand}`,
    exitCode: 3,
  });
}

export interface JournalRead {
  results: Result[];
  /** A last line cut off mid-write (crash, full disk) is dropped and counted here, never fatal. */
  tornLines: number;
}

export function readJournal(file: string): JournalRead {
  const results: Result[] = [];
  const tornLines = forEachJournalLine(file, (r) => results.push(r));
  return {results, tornLines};
}

/** Bytes read at a time: the journal is never held whole as one string (100,000 results are ~100 MB). */
const CHUNK_BYTES = 1 << 20;

/**
 * Calls `onResult` for every parsable line of a journal, reading it in chunks. Returns the number of
 * lines that did not parse (a last line torn by a crash or a full disk). A line that parses but is not
 * a result (a foreign or hand-edited file) is an InputError naming the file, line and field.
 */
export function forEachJournalLine(file: string, onResult: (result: Result, line: number) => void): number {
  const torn = {lines: 0};
  for (const {result, line} of journalEntries(file, torn)) onResult(result, line);
  return torn.lines;
}

/**
 * The journal's results with their line numbers, read in chunks as they are asked for (so a report
 * can be written while the journal is read). Lines that do not parse are counted in `torn.lines`.
 */
export function* journalEntries(file: string, torn: {lines: number} = {lines: 0}): Generator<{result: Result; line: number}> {
  if (!existsSync(file)) return;
  const fd = openSync(file, 'r');
  let lineNo = 0;
  const parse = (text: string): Result | null => {
    lineNo++;
    if (text.trim() === '') return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      torn.lines++;
      return null;
    }
    const checked = checkResultLine(value);
    if ('problem' in checked) {
      throw new InputError(`not a result line written by \`assay run\`: ${checked.problem}`, {file, line: lineNo, hint: 'results.jsonl holds one result per line as `assay run` writes it; remove or restore this line'});
    }
    return checked.result;
  };
  try {
    let buffer = Buffer.alloc(CHUNK_BYTES);
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        // One line longer than the buffer (a huge output): grow it.
        const bigger = Buffer.alloc(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, filled, buffer.length - filled, null);
      noteHeapWork(n >> 12);
      const end = filled + n;
      let start = 0;
      for (let nl = buffer.indexOf(0x0a, start); nl !== -1 && nl < end; nl = buffer.indexOf(0x0a, start)) {
        const result = parse(buffer.toString('utf8', start, nl));
        start = nl + 1;
        if (result) yield {result, line: lineNo};
      }
      if (n === 0) {
        const result = start < end ? parse(buffer.toString('utf8', start, end)) : null;
        if (result) yield {result, line: lineNo};
        break;
      }
      buffer.copy(buffer, 0, start, end);
      filled = end - start;
    }
  } finally {
    closeSync(fd);
  }
}

/** What a resume needs from a journal, read in one streaming pass (never the results themselves). */
export interface JournalIndex {
  /** The tasks whose latest result is kept (ok, or any with keepErrors), with the fingerprint each was sent with. */
  finished: FinishedTasks;
  suites: Set<string>;
  models: Set<string>;
  /** The highest repeat index seen, -1 for an empty journal. */
  maxRepeat: number;
  tornLines: number;
}

/** Indexes a journal for --resume: the latest result per task decides (a resumed run re-tries errors by appending). */
export function indexJournal(file: string, keepErrors: boolean): JournalIndex {
  const index: JournalIndex = {finished: new FinishedTasks(), suites: new Set(), models: new Set(), maxRepeat: -1, tornLines: 0};
  index.tornLines = forEachJournalLine(file, (r) => {
    const key = taskKey(r.suiteId, r.caseId, r.model, r.repeat);
    if (r.status === 'ok' || keepErrors) index.finished.set(key, r.fingerprint ?? '');
    else index.finished.delete(key);
    index.suites.add(r.suiteId);
    index.models.add(r.model);
    if (r.repeat > index.maxRepeat) index.maxRepeat = r.repeat;
  });
  return index;
}

/** The latest result for each (suite, case, model, repeat): a resumed run re-tries errors by appending. */
export function latestResults(results: Result[]): Result[] {
  const byKey = new Map<string, Result>();
  for (const r of results) byKey.set(taskKey(r.suiteId, r.caseId, r.model, r.repeat), r);
  return [...byKey.values()];
}
