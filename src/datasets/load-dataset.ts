import {readFile} from 'node:fs/promises';
import {extname} from 'node:path';
import Papa from 'papaparse';
import {decodeUtf8} from '../config/decode-utf8.ts';
import {InputError} from '../core/errors.ts';
import {isStreamedDataset, readDatasetRows} from './read-dataset-rows.ts';

import {csvRowValues, type DatasetRow} from './dataset-row.ts';
import {lineAt, lineStarts} from './line-index.ts';

export type {DatasetRow};

/**
 * A dataset's rows, all in memory (the library's entry point; a run's suites read CSV, TSV and JSONL
 * datasets row by row with `readDatasetRows` instead).
 */
export async function loadDataset(file: string, displayName = file): Promise<DatasetRow[]> {
  if (isStreamedDataset(file)) return [...readDatasetRows(file, displayName)];
  let text: string;
  try {
    text = decodeUtf8(await readFile(file), displayName);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'dataset file not found' : `cannot read dataset: ${code ?? String(error)}`, {
      file: displayName,
      hint: 'dataset paths are relative to the suite file that names them',
    });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const ext = extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return parseCsv(text, displayName, ext === '.tsv' ? '\t' : undefined);
  if (ext === '.jsonl' || ext === '.ndjson') return parseJsonl(text, displayName);
  if (ext === '.json') return parseJson(text, displayName);
  throw new InputError(`unsupported dataset format "${ext || '(none)'}"`, {
    file: displayName,
    hint: 'use .csv, .tsv, .jsonl or .json',
  });
}

export function parseCsv(text: string, file: string, delimiter?: string): DatasetRow[] {
  const starts = lineStarts(text);
  const rows: {cells: string[]; line: number}[] = [];
  let previousCursor = 0;
  const errors: Papa.ParseError[] = [];
  Papa.parse<string[]>(text, {
    header: false,
    // Keep every value a string: dynamic typing turns ids like "007" into 7.
    dynamicTyping: false,
    skipEmptyLines: 'greedy',
    ...(delimiter ? {delimiter} : {}),
    step(result) {
      // The cursor is the end of this row; skip blank lines to find where it began.
      let start = previousCursor;
      while (start < text.length && (text[start] === '\n' || text[start] === '\r')) start++;
      rows.push({cells: result.data, line: lineAt(starts, start)});
      previousCursor = result.meta.cursor;
      errors.push(...result.errors);
    },
  });
  const parseError = errors.find((e) => e.type === 'Quotes');
  if (parseError) {
    throw new InputError(`malformed CSV: ${parseError.message}`, {
      file,
      line: rows[parseError.row ?? 0]?.line,
      hint: 'a field that contains a comma, quote or newline must be wrapped in double quotes, with inner quotes doubled',
    });
  }
  const header = rows.shift();
  if (!header) throw new InputError('dataset is empty: expected a header row and at least one case', {file, line: 1});
  const names = header.cells.map((c) => c.trim());
  const blank = names.findIndex((n) => n === '');
  if (blank !== -1) throw new InputError(`header column ${blank + 1} has no name`, {file, line: header.line});
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new InputError(`header names column "${dup}" twice`, {file, line: header.line});
  if (rows.length === 0) throw new InputError('dataset has a header but no cases', {file, line: header.line});
  return rows.map(({cells, line}) => ({values: csvRowValues(cells, names, file, line), line}));
}

export function parseJsonl(text: string, file: string): DatasetRow[] {
  const rows: DatasetRow[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InputError(`not valid JSON: ${(error as Error).message}`, {
        file,
        line: index + 1,
        hint: 'JSONL holds one complete JSON object per line',
      });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InputError('each line must be a JSON object, e.g. {"question": "...", "expected": "..."}', {file, line: index + 1});
    }
    rows.push({values: value as Record<string, unknown>, line: index + 1});
  });
  if (rows.length === 0) throw new InputError('dataset has no cases', {file});
  return rows;
}

export function parseJson(text: string, file: string): DatasetRow[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    throw new InputError(`not valid JSON: ${message}`, {
      file,
      line: position === undefined ? undefined : lineAt(lineStarts(text), Number(position)),
    });
  }
  const list = Array.isArray(value) ? value : (value as {cases?: unknown} | null)?.cases;
  if (!Array.isArray(list)) {
    throw new InputError('expected a JSON array of case objects (or {"cases": [...]})', {file, line: 1});
  }
  if (list.length === 0) throw new InputError('dataset has no cases', {file});
  return list.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new InputError(`item [${i}] must be an object`, {file, field: `[${i}]`});
    }
    return {values: item as Record<string, unknown>, line: undefined};
  });
}
