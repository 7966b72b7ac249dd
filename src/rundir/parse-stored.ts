import type {z} from 'zod';
import {InputError} from '../core/errors.ts';

/** Where a stored value came from, for the error: the file, the line for JSONL, what the file should be, how to fix it. */
export interface StoredSource {
  file: string;
  line?: number;
  /** e.g. "run.json written by assay run" */
  what: string;
  hint: string;
}

function fieldOf(path: PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(top level)';
}

/** The first few problems zod found, each as `field "a.b[2]": message`. */
export function describeProblems(error: z.ZodError, max = 3): string {
  const shown = error.issues.slice(0, max).map((i) => `field "${fieldOf(i.path)}": ${i.message}`);
  const more = error.issues.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}

/**
 * Checks a value read back from disk or Redis against the schema of what assay wrote there. A foreign,
 * hand-edited or older file fails here, naming the file and field, instead of crashing a step later.
 */
export function parseStoredValue<T extends z.ZodType>(schema: T, value: unknown, from: StoredSource): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InputError(`not a ${from.what}: ${describeProblems(parsed.error)}`, {file: from.file, line: from.line, hint: from.hint});
}

/** JSON.parse, then parseStoredValue: a torn write (cut off mid-file) is named as such. */
export function parseStored<T extends z.ZodType>(schema: T, text: string, from: StoredSource): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message}): the file was cut off mid-write or edited by hand`, {file: from.file, line: from.line, hint: from.hint});
  }
  return parseStoredValue(schema, value, from);
}
