import {closeSync, fstatSync, openSync, readFileSync, readSync} from 'node:fs';
import {extname} from 'node:path';
import Papa from 'papaparse';
import {decodeUtf8} from '../config/decode-utf8.ts';
import {InputError} from '../core/errors.ts';
import {csvRowValues, type DatasetRow} from './dataset-row.ts';
import {lineAt, lineStarts} from './line-index.ts';
import {noteHeapWork} from '../core/heap-governor.ts';

/** Dataset formats read row by row (a JSON array is parsed whole: JSON has no row boundaries to stop at). */
export function isStreamedDataset(file: string): boolean {
  return ['.csv', '.tsv', '.jsonl', '.ndjson'].includes(extname(file).toLowerCase());
}

/** What a dataset file was when it was first read: a later read of a file that changed since is refused. */
export interface DatasetStamp {
  bytes: number;
  mtimeMs: number;
}

// Small enough that a batch's rows die young (a batch is held while its cases are sent), large
// enough that reading and parsing cost little per row.
const CHUNK_BYTES = 64 * 1024;

/**
 * A CSV, TSV or JSONL dataset's rows, read from disk 1 MB at a time: memory holds one chunk and the
 * rows of one batch of complete records, never the file. Synchronous, so a model queue can pull its
 * next case without waiting; a chunk read from the page cache takes microseconds. Each iteration
 * reads the file again from the start; with `stamp`, a file whose size or modification time changed
 * since is refused (the cases would no longer be the ones the run was planned and fingerprinted on).
 * Errors are those of `loadDataset`: file, line, fix, exit 2.
 */
export function* readDatasetRows(file: string, displayName = file, stamp?: DatasetStamp, chunkBytes = CHUNK_BYTES): Generator<DatasetRow> {
  const ext = extname(file).toLowerCase();
  const chunks = textChunks(file, displayName, stamp, chunkBytes);
  if (ext === '.jsonl' || ext === '.ndjson') yield* jsonlRows(chunks, displayName);
  else if (ext === '.csv' || ext === '.tsv') yield* csvRows(chunks, displayName, ext === '.tsv' ? '\t' : undefined, chunkBytes);
  else throw new InputError(`unsupported dataset format "${ext || '(none)'}"`, {file: displayName, hint: 'use .csv, .tsv, .jsonl or .json'});
}

/** The file's size and modification time now. */
export function datasetStamp(file: string, displayName = file): DatasetStamp {
  const fd = openDataset(file, displayName);
  try {
    const st = fstatSync(fd);
    return {bytes: st.size, mtimeMs: st.mtimeMs};
  } finally {
    closeSync(fd);
  }
}

function openDataset(file: string, displayName: string): number {
  try {
    return openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'dataset file not found' : `cannot read dataset: ${code ?? String(error)}`, {
      file: displayName,
      hint: 'dataset paths are relative to the suite file that names them',
    });
  }
}

/**
 * The file's text in pieces, decoded as strict UTF-8 across chunk boundaries. The file is opened for
 * each chunk (no descriptor is left open by a queue that stops pulling part-way).
 */
function* textChunks(file: string, displayName: string, stamp: DatasetStamp | undefined, chunkBytes: number): Generator<string> {
  const decoder = new TextDecoder('utf-8', {fatal: true});
  const buffer = Buffer.allocUnsafe(chunkBytes);
  for (let position = 0; ; ) {
    const fd = openDataset(file, displayName);
    let read: number;
    try {
      if (position === 0 && stamp) {
        const st = fstatSync(fd);
        if (st.size !== stamp.bytes || st.mtimeMs !== stamp.mtimeMs) {
          throw new InputError('the dataset changed on disk after the run loaded it', {
            file: displayName,
            hint: 'a run reads its datasets again as it sends their cases: leave them as they are until it ends, then resume with --resume',
          });
        }
      }
      read = readSync(fd, buffer, 0, chunkBytes, position);
      noteHeapWork(read >> 12);
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(`cannot read dataset: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {file: displayName});
    } finally {
      closeSync(fd);
    }
    position += read;
    let text: string;
    try {
      text = decoder.decode(buffer.subarray(0, read), {stream: read > 0});
    } catch {
      // Name the line of the first bad byte: read whole once, on this error path only.
      decodeUtf8(readFileSync(file), displayName);
      throw new InputError('the file is not valid UTF-8', {file: displayName});
    }
    if (text !== '') yield text;
    if (read === 0) return;
  }
}

function* jsonlRows(chunks: Iterable<string>, file: string): Generator<DatasetRow> {
  let carry = '';
  let lineNo = 0;
  let count = 0;
  const parseLine = (raw: string): DatasetRow | undefined => {
    lineNo++;
    const line = raw.trim();
    if (line === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InputError(`not valid JSON: ${(error as Error).message}`, {file, line: lineNo, hint: 'JSONL holds one complete JSON object per line'});
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InputError('each line must be a JSON object, e.g. {"question": "...", "expected": "..."}', {file, line: lineNo});
    }
    count++;
    return {values: value as Record<string, unknown>, line: lineNo};
  };
  for (const chunk of chunks) {
    const text = carry + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const row = parseLine(text.slice(start, end));
      start = end + 1;
      if (row) yield row;
    }
    carry = text.slice(start);
  }
  const last = parseLine(carry);
  if (last) yield last;
  if (count === 0) throw new InputError('dataset has no cases', {file});
}

/**
 * Where complete CSV records end in a stream of text: a newline outside quotes. A quote opens a
 * quoted field only at the start of a field, and a doubled quote inside one is a quote, as in RFC 4180
 * and Papa Parse; each batch of complete records is then parsed by Papa Parse exactly as the whole
 * file was. Scanning resumes where it stopped, so each character is looked at once.
 */
class RecordBoundaries {
  private inQuotes = false;
  private fieldStart = true;
  private justClosed = false;
  /** Offset in the text scanned so far. */
  scanned = 0;
  private readonly delimiter: string;
  constructor(delimiter: string) {
    this.delimiter = delimiter;
  }

  /** Scans `text` from where the last call stopped to `limit`; returns the offset just past the last record boundary (0: none). */
  lastBoundary(text: string, limit = text.length): number {
    let boundary = 0;
    const delimiter = this.delimiter;
    const end = Math.min(limit, text.length);
    for (let i = this.scanned; i < end; i++) {
      const c = text[i];
      if (this.inQuotes) {
        if (c === '"') {
          this.inQuotes = false;
          this.justClosed = true;
        }
        continue;
      }
      if (c === '"' && (this.fieldStart || this.justClosed)) {
        this.inQuotes = true;
        this.justClosed = false;
        continue;
      }
      this.justClosed = false;
      if (c === '\n') {
        boundary = i + 1;
        this.fieldStart = true;
      } else if (c === delimiter) this.fieldStart = true;
      else if (c !== '\r') this.fieldStart = false;
    }
    this.scanned = Math.max(this.scanned, end);
    return boundary;
  }
}

/** Newlines before `end`. */
function newlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function* csvRows(chunks: Iterator<string> & Iterable<string>, file: string, fixedDelimiter: string | undefined, chunkBytes: number): Generator<DatasetRow> {
  // Papa Parse guesses the delimiter from the first 10 rows and the line break from the first 1 MB:
  // guess once, from at least that much of the file (or all of it), and parse every batch with both.
  let text = '';
  let ended = false;
  while (!ended && (text.length < Math.max(chunkBytes, 1 << 20) || newlines(text, text.length) < 12)) {
    const next = chunks.next();
    if (next.done) ended = true;
    else text += next.value;
  }
  const guessed = Papa.parse<string[]>(text, {preview: 10, skipEmptyLines: 'greedy', ...(fixedDelimiter ? {delimiter: fixedDelimiter} : {})}).meta;
  const options = {delimiter: fixedDelimiter ?? guessed.delimiter, newline: guessed.linebreak as '\n' | '\r\n' | '\r'};
  const boundaries = new RecordBoundaries(options.delimiter);
  let baseLine = 0;
  let names: string[] | undefined;
  let headerLine = 1;
  let cases = 0;
  const batch = function* (part: string): Generator<DatasetRow> {
    for (const {cells, line} of parseBatch(part, file, options, baseLine)) {
      if (!names) {
        names = header(cells, file, line);
        headerLine = line;
        continue;
      }
      const values = csvRowValues(cells, names, file, line);
      cases++;
      yield {values, line};
    }
    baseLine += newlines(part, part.length);
  };
  for (;;) {
    // Batches of about one chunk: the first read (1 MB or more, for the guesses) is parsed in pieces too.
    let end = ended && boundaries.scanned >= text.length ? text.length : boundaries.lastBoundary(text, boundaries.scanned + chunkBytes);
    if (end === 0 && boundaries.scanned < text.length) end = boundaries.lastBoundary(text);
    if (end === 0 && ended) end = text.length;
    if (end > 0) {
      const part = text.slice(0, end);
      text = text.slice(end);
      boundaries.scanned = Math.max(0, boundaries.scanned - end);
      yield* batch(part);
      if (text.length > 0 || !ended) continue;
    }
    if (ended) break;
    const next = chunks.next();
    if (next.done) ended = true;
    else text += next.value;
  }
  if (!names) throw new InputError('dataset is empty: expected a header row and at least one case', {file, line: 1});
  if (cases === 0) throw new InputError('dataset has a header but no cases', {file, line: headerLine});
}

function header(cells: string[], file: string, line: number): string[] {
  const names = cells.map((c) => c.trim());
  const blank = names.findIndex((n) => n === '');
  if (blank !== -1) throw new InputError(`header column ${blank + 1} has no name`, {file, line});
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new InputError(`header names column "${dup}" twice`, {file, line});
  return names;
}

/** The records of a piece of CSV that ends at a record boundary, each with its line in the file. */
function parseBatch(text: string, file: string, options: {delimiter: string; newline: '\n' | '\r\n' | '\r'}, baseLine: number): {cells: string[]; line: number}[] {
  const starts = lineStarts(text);
  const rows: {cells: string[]; line: number}[] = [];
  let previousCursor = 0;
  let quotes: Papa.ParseError | undefined;
  Papa.parse<string[]>(text, {
    header: false,
    // Keep every value a string: dynamic typing turns ids like "007" into 7.
    dynamicTyping: false,
    skipEmptyLines: 'greedy',
    ...options,
    step(result) {
      // The cursor is the end of this row; skip blank lines to find where it began.
      let start = previousCursor;
      while (start < text.length && (text[start] === '\n' || text[start] === '\r')) start++;
      rows.push({cells: result.data, line: baseLine + lineAt(starts, start)});
      previousCursor = result.meta.cursor;
      quotes ??= result.errors.find((e) => e.type === 'Quotes');
    },
  });
  if (quotes) {
    throw new InputError(`malformed CSV: ${quotes.message}`, {
      file,
      line: rows[quotes.row ?? 0]?.line ?? rows.at(-1)?.line,
      hint: 'a field that contains a comma, quote or newline must be wrapped in double quotes, with inner quotes doubled',
    });
  }
  return rows;
}
