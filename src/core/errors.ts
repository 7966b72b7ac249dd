/** Every failure assay reports is a typed value: a machine-readable code, a human fix, and whether retrying can help. */
export class AssayError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  /** Process exit code a command should end with when this error reaches it. */
  readonly exitCode: number;

  constructor(code: string, message: string, opts: {hint?: string; retryable?: boolean; exitCode?: number; cause?: unknown} = {}) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause});
    this.name = 'AssayError';
    this.code = code;
    this.hint = opts.hint;
    this.retryable = opts.retryable ?? false;
    this.exitCode = opts.exitCode ?? 3;
  }
}

/** A mistake in something the user wrote: config, provider, suite or dataset file. Exit code 2, never a stack trace. */
export class InputError extends AssayError {
  readonly file: string | undefined;
  readonly field: string | undefined;
  readonly line: number | undefined;

  constructor(message: string, opts: {file?: string; field?: string; line?: number; hint?: string; cause?: unknown} = {}) {
    super('bad-input', InputError.format(message, opts), {hint: opts.hint, exitCode: 2, cause: opts.cause});
    this.name = 'InputError';
    this.file = opts.file;
    this.field = opts.field;
    this.line = opts.line;
  }

  private static format(message: string, opts: {file?: string; field?: string; line?: number}): string {
    const where = [opts.file ? (opts.line ? `${opts.file}:${opts.line}` : opts.file) : undefined, opts.field ? `field "${opts.field}"` : undefined]
      .filter(Boolean)
      .join(' ');
    return where ? `${where}: ${message}` : message;
  }
}

export function isAssayError(error: unknown): error is AssayError {
  return error instanceof AssayError;
}
