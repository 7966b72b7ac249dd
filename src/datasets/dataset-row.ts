import {InputError} from '../core/errors.ts';

/** One row of a dataset, with the line it came from so errors can point at it. */
export interface DatasetRow {
  values: Record<string, unknown>;
  line: number | undefined;
}

/** A CSV row's cells named by the header; a row with another number of fields is an input error on its line. */
export function csvRowValues(cells: string[], names: string[], file: string, line: number): Record<string, unknown> {
  if (cells.length !== names.length) {
    throw new InputError(`row has ${cells.length} fields, the header has ${names.length} (${names.join(', ')})`, {
      file,
      line,
      hint: 'quote fields that contain the delimiter, or fix the number of columns',
    });
  }
  const values: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) values[names[i]!] = cells[i];
  return values;
}
