import type {z} from 'zod';
import {InputError} from '../core/errors.ts';
import type {FieldPath} from './structured-file.ts';

/** A message written for one kind of mistake, and how to fix it. */
export interface IssueHelp {
  message: string;
  hint?: string;
}

export function formatPath(path: FieldPath): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(top level)';
}

/**
 * Validates `value` and returns the parsed data, or throws one InputError that lists every problem
 * with its field path and line, so a user fixes the whole file in one pass.
 */
export function validate<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: {
    file: string;
    lineOf?: (path: FieldPath) => number | undefined;
    prefix?: FieldPath;
    what: string;
    /** A clearer message (and fix) for an issue than the schema's own, when there is one. */
    explain?: (issue: z.core.$ZodIssue, value: unknown) => IssueHelp | undefined;
  },
): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const prefix = where.prefix ?? [];
  const problems = parsed.error.issues.slice(0, 8).map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = [...prefix, ...issue.path, ...(keys.length === 1 ? keys : [])];
    const line = where.lineOf?.(path);
    const help = where.explain?.(issue, value);
    const message =
      help?.message ??
      (issue.code === 'unrecognized_keys' ? `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see docs/config.md)` : issue.message);
    return {path, line, message, hint: help?.hint};
  });
  const [first] = problems;
  const more = parsed.error.issues.length - problems.length;
  const detail =
    problems.length === 1
      ? first!.message
      : `${problems.length + more} problems in this ${where.what}:\n` +
        problems.map((p) => `  - ${p.line ? `line ${p.line}, ` : ''}field "${formatPath(p.path)}": ${p.message}`).join('\n') +
        (more > 0 ? `\n  - ...and ${more} more` : '');
  throw new InputError(detail, {
    file: where.file,
    field: problems.length === 1 ? formatPath(first!.path) : undefined,
    line: first!.line,
    hint: (problems.length === 1 ? first!.hint : undefined) ?? `fix the ${where.what} and run again`,
  });
}
