import {causeOf, causeText, type CauseSource} from '../core/error-cause.ts';
import type {ErrorCause} from '../core/types.ts';

export interface FailFastSettings {
  /** Stop sending to a model after this many of the same non-retryable failure in a row. */
  after: number;
}

export const DEFAULT_FAIL_FAST: FailFastSettings = {after: 3};

/**
 * Failures that every later request to the model will get too: a rejected key, an unknown model, a
 * request the API refuses with the same words each time. Sending the rest only repeats them (and can
 * cost money or lock an account), so after a few in a row the model is stopped.
 */
function streakKey(error: CauseSource): string | null {
  const cls = error.errorClass ?? error.class;
  if (cls === 'auth') return `auth ${error.status ?? ''}`;
  if (cls === 'not-found') return 'not-found';
  // A bad request differs per case (one prompt too long) unless every case gets the same answer.
  if (cls === 'bad-request') return `bad-request ${error.message}`;
  return null;
}

/** Fail-fast for one model: counts consecutive identical non-retryable failures and stops the model. */
export class FailFast {
  readonly settings: FailFastSettings;
  private streak: {key: string; count: number} | null = null;
  private stopped_: ErrorCause | null = null;

  constructor(settings: FailFastSettings) {
    this.settings = settings;
  }

  /** Why the model was stopped, or null while it is not. */
  get stopped(): ErrorCause | null {
    return this.stopped_;
  }

  /** An answer (null) or a final failure of one request. */
  record(error: CauseSource | null): void {
    if (this.stopped_) return;
    const key = error ? streakKey(error) : null;
    if (key === null) {
      this.streak = null;
      return;
    }
    this.streak = this.streak?.key === key ? {key, count: this.streak.count + 1} : {key, count: 1};
    if (this.streak.count >= this.settings.after) this.stopped_ = causeOf(error!, this.streak.count);
  }
}

/** The message of a request fail-fast kept back. */
export function notSentMessage(label: string, cause: ErrorCause): string {
  return `not sent: ${label} was stopped after ${causeText(cause)}`;
}
