import {causeOf, type CauseSource} from '../core/error-cause.ts';
import type {ErrorCause, ErrorClass} from '../core/types.ts';

export interface BreakerSettings {
  /** Open when the failure share of recent attempts reaches this. */
  errorRate: number;
  /** ...over at least this many attempts in the window (so one early failure cannot open it). */
  minRequests: number;
  /** How long it stays open before a single half-open trial. */
  cooldownMs: number;
  /** Only attempts this recent count. */
  windowMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = {errorRate: 0.5, minRequests: 20, cooldownMs: 30_000, windowMs: 60_000};

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Failures that say the endpoint is unhealthy. Rate limits (the endpoint is alive, just busy) and
 * 400s (our request was wrong) never open a breaker.
 */
export function countsAsFailure(errorClass: ErrorClass): boolean {
  return errorClass === 'server' || errorClass === 'network' || errorClass === 'timeout' || errorClass === 'bad-response';
}

export interface BreakerTransition {
  from: BreakerState;
  to: BreakerState;
  at: string;
  errorRate: number;
  attempts: number;
  /** On opening: the failure that opened it (the most frequent class in the window, its latest example). */
  cause?: ErrorCause;
  /** On opening: the window's failures by class. */
  failuresByClass?: Record<string, number>;
}

export class CircuitBreaker {
  private state_: BreakerState = 'closed';
  private outcomes: Array<{t: number; failed: boolean; error?: CauseSource}> = [];
  private cause_: ErrorCause | null = null;
  private openedAt = 0;
  private trialInFlight = false;
  readonly settings: BreakerSettings;
  private readonly onChange: (t: BreakerTransition) => void;
  private readonly now: () => number;

  constructor(settings: BreakerSettings, onChange: (t: BreakerTransition) => void = () => {}, now: () => number = () => performance.now()) {
    this.settings = settings;
    this.onChange = onChange;
    this.now = now;
  }

  get state(): BreakerState {
    return this.state_;
  }

  /** May an attempt go out now? In half-open, exactly one trial is let through. */
  tryAcquire(): boolean {
    if (this.state_ === 'closed') return true;
    if (this.state_ === 'open') {
      if (this.now() - this.openedAt < this.settings.cooldownMs) return false;
      this.transition('half-open');
    }
    if (this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Why the breaker is open (or last opened): what requests it refuses report instead of a bare "circuit open". */
  get cause(): ErrorCause | null {
    return this.cause_;
  }

  /** Milliseconds until an open breaker lets a trial through. */
  get retryInMs(): number {
    return this.state_ === 'open' ? Math.max(0, this.settings.cooldownMs - (this.now() - this.openedAt)) : 0;
  }

  /** One attempt's outcome; a failure brings its error, so an opening can name its cause. */
  record(failed: boolean, error?: CauseSource): void {
    const now = this.now();
    if (this.state_ === 'half-open' && this.trialInFlight) {
      this.trialInFlight = false;
      if (failed) {
        if (error) {
          const cls = error.errorClass ?? error.class;
          this.cause_ = causeOf(error, this.cause_ && this.cause_.class === cls ? this.cause_.count + 1 : 1);
        }
        this.open(now);
      } else {
        this.outcomes = [];
        this.transition('closed');
      }
      return;
    }
    if (this.state_ !== 'closed') return;
    this.outcomes.push(failed && error ? {t: now, failed, error} : {t: now, failed});
    while (this.outcomes.length > 0 && this.outcomes[0]!.t <= now - this.settings.windowMs) this.outcomes.shift();
    const failures = this.outcomes.filter((o) => o.failed).length;
    if (this.outcomes.length >= this.settings.minRequests && failures / this.outcomes.length >= this.settings.errorRate) this.open(now);
  }

  private open(now: number): void {
    this.openedAt = now;
    if (this.state_ === 'closed') {
      const byClass = new Map<string, CauseSource[]>();
      for (const o of this.outcomes) {
        if (!o.failed || !o.error) continue;
        const cls = (o.error.errorClass ?? o.error.class)!;
        (byClass.get(cls) ?? byClass.set(cls, []).get(cls)!).push(o.error);
      }
      const [top] = [...byClass.values()].sort((a, b) => b.length - a.length);
      if (top) this.cause_ = causeOf(top.at(-1)!, top.length);
    }
    this.transition('open');
  }

  private transition(to: BreakerState): void {
    const from = this.state_;
    if (from === to) return;
    this.state_ = to;
    const failures = this.outcomes.filter((o) => o.failed);
    const t: BreakerTransition = {from, to, at: new Date().toISOString(), errorRate: this.outcomes.length ? failures.length / this.outcomes.length : 1, attempts: this.outcomes.length};
    if (to === 'open' && this.cause_) {
      t.cause = this.cause_;
      const byClass: Record<string, number> = {};
      for (const o of failures) if (o.error) byClass[(o.error.errorClass ?? o.error.class)!] = (byClass[(o.error.errorClass ?? o.error.class)!] ?? 0) + 1;
      t.failuresByClass = from === 'closed' ? byClass : {[this.cause_.class]: 1};
    }
    this.onChange(t);
  }
}
