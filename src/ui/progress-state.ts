import {formatUsd} from '../report/format-usd.ts';
import type {RunEvent} from '../runner/run-event.ts';

export interface ModelProgress {
  label: string;
  simulated: boolean;
  total: number;
  done: number;
  errors: number;
  retries: number;
  passed: number;
  graded: number;
  costUsd: number | null;
  cached: number;
  inFlight: number;
  /** Started tasks waiting for a slot (the global cap, or the model's or provider's concurrency). */
  waiting: number;
  /** Requests held back by an rpm/tpm limit right now: throttled by the limit, not by latency. */
  throttled: number;
  breaker: string | null;
  /** What opened the breaker ("16 × server 500"). */
  breakerCause?: string;
}

/** What the live views show, folded from run events; views only render it. */
export class ProgressState {
  runId = '';
  dir = '';
  total = 0;
  done = 0;
  skipped = 0;
  readonly models = new Map<string, ModelProgress>();
  readonly warnings: string[] = [];
  readonly startedAt = Date.now();
  /** The run's global cap on requests in flight, when the executor said it. */
  concurrency: number | null = null;
  /** The first Ctrl+C: no new requests; those in flight finish. */
  stopping = false;
  ended = false;
  endedAt: number | null = null;
  /** When recent results arrived (ms), for the pace and ETA. */
  private readonly recent: number[] = [];

  /** Results per second over the last 10 s (or since the start, if sooner). */
  ratePerSecond(now = Date.now()): number {
    const windowMs = 10_000;
    while (this.recent.length > 0 && this.recent[0]! < now - windowMs) this.recent.shift();
    // At least a second: two results in the first millisecond are not 2,000 requests a second.
    const spanMs = Math.max(1000, Math.min(windowMs, now - this.startedAt));
    return (this.recent.length * 1000) / spanMs;
  }

  /** What a second Ctrl+C leaves behind: how much is saved and how to go on. */
  quitMessage(): string {
    const saved = this.done + this.skipped;
    if (!this.dir) return 'stopped before the run started: nothing was sent';
    return `stopped: ${saved} result(s) saved in ${this.dir} (${this.total - this.done} not finished); resume with: assay run --resume ${this.dir}`;
  }

  elapsedSeconds(now = Date.now()): number {
    return ((this.endedAt ?? now) - this.startedAt) / 1000;
  }

  apply(event: RunEvent): void {
    switch (event.type) {
      case 'start':
        this.runId = event.runId;
        this.dir = event.dir;
        this.total = event.total;
        this.skipped = event.skipped;
        if ('concurrency' in event && typeof event.concurrency === 'number') this.concurrency = event.concurrency;
        for (const m of event.models) {
          this.models.set(m.label, {label: m.label, simulated: m.simulated, total: m.total, done: 0, errors: 0, retries: 0, passed: 0, graded: 0, costUsd: null, cached: 0, inFlight: 0, waiting: 0, throttled: 0, breaker: null});
        }
        break;
      case 'result': {
        const r = event.result;
        this.done++;
        this.recent.push(Date.now());
        const m = this.models.get(r.model);
        if (!m) break;
        m.done++;
        if (r.status === 'error') m.errors++;
        if (r.pass !== null) {
          m.graded++;
          if (r.pass) m.passed++;
        }
        if (r.costUsd !== null) m.costUsd = (m.costUsd ?? 0) + r.costUsd;
        if (r.cached) m.cached++;
        break;
      }
      case 'traffic':
        for (const t of event.models) {
          const m = this.models.get(t.label);
          if (!m) continue;
          m.inFlight = t.inFlight;
          m.waiting = t.waiting ?? 0;
          m.throttled = t.throttled;
          m.breaker = t.breaker;
        }
        break;
      case 'breaker': {
        const m = this.models.get(event.model);
        if (m) {
          m.breaker = event.to;
          if (event.cause) m.breakerCause = `${event.cause.count} × ${event.cause.class}${event.cause.status !== null ? ` ${event.cause.status}` : ''}`;
        }
        break;
      }
      case 'retry': {
        const m = this.models.get(event.model);
        if (m) m.retries++;
        break;
      }
      case 'warning':
        this.warnings.push(event.message);
        break;
      case 'end':
        // The final frame is the final state: nothing is in flight or waiting any more.
        this.ended = true;
        this.endedAt = Date.now();
        for (const m of this.models.values()) {
          m.inFlight = 0;
          m.waiting = 0;
          m.throttled = 0;
        }
        break;
    }
  }
}


/** Why a model is going at the pace it is: its rate limit, an open breaker, or just its latency. */
export function pacing(m: ModelProgress): string {
  if (m.breaker === 'open') return m.breakerCause ? `circuit open after ${m.breakerCause}: failing fast` : 'circuit open: failing fast';
  if (m.breaker === 'half-open') return 'circuit half-open: one trial';
  if (m.throttled > 0) return `throttled by rate limit (${m.throttled} waiting)`;
  if (m.waiting > 0) return m.inFlight > 0 ? `${m.inFlight} in flight, ${m.waiting} waiting for a slot` : `${m.waiting} waiting for a slot`;
  if (m.inFlight > 0) return `${m.inFlight} in flight`;
  return '';
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function modelLine(m: ModelProgress): string {
  const name = `${m.label}${m.simulated ? ' (simulated)' : ''}`;
  // A resumed run whose requests for this model were all journaled earlier: no counts to show.
  if (m.total === 0) return `${name}: nothing left to send`;
  const pass = m.graded > 0 ? `${((m.passed / m.graded) * 100).toFixed(0)}% pass` : 'ungraded';
  const pace = pacing(m);
  const cost = m.done === 0 ? 'no cost yet' : formatUsd(m.costUsd, 'price unknown');
  return `${name}: ${m.done}/${m.total} done, ${plural(m.errors, 'error', 'errors')}, ${plural(m.retries, 'retry', 'retries')}${m.cached ? `, ${m.cached} cached` : ''}, ${pass}, ${cost}${pace ? `; ${pace}` : ''}`;
}
