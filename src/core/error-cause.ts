import type {ErrorCause, ErrorClass} from './types.ts';

/** The error behind a cause, as a ProviderError or a journaled ResultError carries it. */
export interface CauseSource {
  errorClass?: ErrorClass;
  class?: ErrorClass;
  status: number | null;
  message: string;
  hint?: string | null;
}

export function causeOf(error: CauseSource, count: number): ErrorCause {
  return {class: (error.errorClass ?? error.class)!, status: error.status, message: error.message, hint: error.hint ?? null, count};
}

/** "16 × server (HTTP 500 from p: ...)": what a user reads wherever an unsent request is shown. */
export function causeText(cause: ErrorCause, maxChars = 200): string {
  const message = cause.message.length > maxChars ? `${cause.message.slice(0, maxChars - 1)}…` : cause.message;
  return `${cause.count} × ${cause.class}${cause.status !== null && !message.includes(String(cause.status)) ? ` ${cause.status}` : ''} (${message})`;
}
