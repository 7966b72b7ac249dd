import {setTimeout as sleep} from 'node:timers/promises';

export interface RateLimits {
  rpm?: number;
  tpm?: number;
}

export interface Reservation {
  /** Replaces the token estimate with what the provider reported, once known. */
  reconcile(actualTokens: number | null): void;
  waitedMs: number;
}

interface Entry {
  t: number;
  tokens: number;
}

const MINUTE = 60_000;
const SECOND = 1_000;
/** How long a 429 keeps the limiter at a reduced rate. */
const PENALTY_MS = 60_000;
/**
 * Starts are spaced 5% wider than rpm implies: the provider counts arrivals, and network jitter
 * between our clock and its counter must not squeeze two starts into one of its windows.
 */
const SPACING_HEADROOM = 1.05;

/**
 * Pacing the way providers enforce limits: starts evenly spaced (60 s / rpm, plus 5% headroom), never
 * more than `rpm` starts (or `tpm` reserved tokens) in any 60-second window, and never more than
 * ceil(limit/60) in any 1-second window, so a burst cannot spend a minute's budget in one second. Tokens are reserved from the
 * prompt estimate plus maxTokens and reconciled with reported usage. A 429 pauses every start until
 * the provider's hint has passed and halves the rate for a minute.
 */
export class RateLimiter {
  private readonly entries: Entry[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private pausedUntil = 0;
  private penaltyFactor = 1;
  private penaltyUntil = 0;
  private waitingCount = 0;
  readonly limits: RateLimits;
  private readonly now: () => number;

  constructor(limits: RateLimits, now: () => number = () => performance.now()) {
    this.limits = limits;
    this.now = now;
  }

  /** Requests currently held back by this limiter (the live view's "throttled by limit"). */
  get waiting(): number {
    return this.waitingCount;
  }

  get active(): boolean {
    return this.limits.rpm !== undefined || this.limits.tpm !== undefined;
  }

  /** Slows this limiter after a 429: no start before the hint, and half the rate for a while. */
  penalize(retryAfterMs: number | null): void {
    const now = this.now();
    this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs ?? 1000));
    this.penaltyFactor = Math.max(0.125, this.penaltyFactor / 2);
    this.penaltyUntil = now + PENALTY_MS;
  }

  acquire(tokens: number, signal?: AbortSignal): Promise<Reservation> {
    const started = this.now();
    this.waitingCount++;
    // FIFO: each acquisition waits for the previous one, so pacing is fair and starts are ordered.
    const turn = this.queue.then(() => this.waitForSlot(tokens, signal));
    this.queue = turn.catch(() => undefined);
    return turn.then(
      (entry) => {
        this.waitingCount--;
        return {
          waitedMs: this.now() - started,
          reconcile: (actual) => {
            if (actual !== null && Number.isFinite(actual)) entry.tokens = actual;
          },
        };
      },
      (error: unknown) => {
        this.waitingCount--;
        throw error;
      },
    );
  }

  /** The earliest time a start of `tokens` fits every window (exposed for tests and benches). */
  earliestStart(tokens: number, now = this.now()): number {
    this.prune(now);
    if (now >= this.penaltyUntil) this.penaltyFactor = 1;
    let t = Math.max(now, this.pausedUntil);
    const {rpm, tpm} = this.limits;
    if (rpm !== undefined) {
      const perMinute = Math.max(1, Math.floor(rpm * this.penaltyFactor));
      const last = this.entries.at(-1);
      const spacing = last ? last.t + (MINUTE / perMinute) * SPACING_HEADROOM : 0;
      t = Math.max(t, spacing, this.countWindow(perMinute, MINUTE), this.countWindow(Math.ceil(perMinute / 60), SECOND));
    }
    if (tpm !== undefined) {
      const perMinute = Math.max(1, Math.floor(tpm * this.penaltyFactor));
      // Even token flow: the next start waits for the previous request's tokens to drain at tpm/60 per second.
      const last = this.entries.at(-1);
      if (last) t = Math.max(t, last.t + (Math.min(last.tokens, perMinute) / perMinute) * MINUTE * SPACING_HEADROOM);
      t = Math.max(t, this.tokenWindow(Math.min(tokens, perMinute), perMinute, MINUTE));
      const perSecond = Math.ceil(perMinute / 60);
      t = Math.max(t, this.tokenWindow(Math.min(tokens, perSecond), perSecond, SECOND));
    }
    return t;
  }

  private async waitForSlot(tokens: number, signal?: AbortSignal): Promise<Entry> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      const t = this.earliestStart(tokens, now);
      if (t <= now) {
        const entry = {t: now, tokens};
        this.entries.push(entry);
        return entry;
      }
      await sleep(Math.max(1, Math.ceil(t - now)), undefined, {signal});
    }
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.entries.length && this.entries[drop]!.t <= now - MINUTE) drop++;
    if (drop > 0) this.entries.splice(0, drop);
  }

  /** Earliest t with fewer than `limit` starts in (t - window, t]. */
  private countWindow(limit: number, window: number): number {
    const n = this.entries.length;
    if (n < limit) return 0;
    return this.entries[n - limit]!.t + window + 0.001;
  }

  /** Earliest t at which `need` more tokens fit under `limit` within (t - window, t]. */
  private tokenWindow(need: number, limit: number, window: number): number {
    let sum = 0;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (sum + e.tokens + need > limit) return e.t + window + 0.001;
      sum += e.tokens;
    }
    return 0;
  }
}
