import {AssayError} from '../core/errors.ts';
import type {ErrorCause, ErrorClass} from '../core/types.ts';

const RETRYABLE: ReadonlySet<ErrorClass> = new Set(['rate-limit', 'timeout', 'server', 'network', 'bad-response']);

/** A provider failure, classified once where it happens. */
export class ProviderError extends AssayError {
  readonly errorClass: ErrorClass;
  readonly status: number | null;
  /** The provider's own wait hint (Retry-After, retry-after-ms, or Gemini's RetryInfo), in ms. */
  readonly retryAfterMs: number | null;
  /** For requests not sent (open breaker, fail-fast): the real failure that stopped them. */
  readonly rootCause: ErrorCause | null;
  readonly notSent: boolean;

  constructor(
    errorClass: ErrorClass,
    message: string,
    opts: {status?: number | null; hint?: string; retryAfterMs?: number | null; retryable?: boolean; cause?: unknown; rootCause?: ErrorCause | null; notSent?: boolean} = {},
  ) {
    super(errorClass, message, {hint: opts.hint, retryable: opts.retryable ?? RETRYABLE.has(errorClass), cause: opts.cause});
    this.name = 'ProviderError';
    this.errorClass = errorClass;
    this.status = opts.status ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.rootCause = opts.rootCause ?? null;
    this.notSent = opts.notSent ?? false;
  }
}
