import type {RunEvent} from '../runner/run-benchmark.ts';

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
  /** Requests held back by an rpm/tpm limit right now: throttled by the limit, not by latency. */
  throttled: number;
  breaker: string | null;
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

  apply(event: RunEvent): void {
    switch (event.type) {
      case 'start':
        this.runId = event.runId;
        this.dir = event.dir;
        this.total = event.total;
        this.skipped = event.skipped;
        for (const m of event.models) {
          this.models.set(m.label, {label: m.label, simulated: m.simulated, total: m.total, done: 0, errors: 0, retries: 0, passed: 0, graded: 0, costUsd: null, cached: 0, inFlight: 0, throttled: 0, breaker: null});
        }
        break;
      case 'result': {
        const r = event.result;
        this.done++;
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
          m.throttled = t.throttled;
          m.breaker = t.breaker;
        }
        break;
      case 'breaker': {
        const m = this.models.get(event.model);
        if (m) m.breaker = event.to;
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
        break;
    }
  }
}

export function formatUsd(v: number | null): string {
  if (v === null) return 'price unknown';
  return v < 0.01 ? `$${v.toFixed(5)}` : `$${v.toFixed(4)}`;
}

/** Why a model is going at the pace it is: its rate limit, an open breaker, or just its latency. */
export function pacing(m: ModelProgress): string {
  if (m.breaker === 'open') return 'circuit open: failing fast';
  if (m.breaker === 'half-open') return 'circuit half-open: one trial';
  if (m.throttled > 0) return `throttled by rate limit (${m.throttled} waiting)`;
  if (m.inFlight > 0) return `${m.inFlight} in flight (latency-bound)`;
  return '';
}

export function modelLine(m: ModelProgress): string {
  const pass = m.graded > 0 ? `${((m.passed / m.graded) * 100).toFixed(0)}% pass` : 'ungraded';
  const pace = pacing(m);
  return `${m.label}${m.simulated ? ' (simulated)' : ''}: ${m.done}/${m.total} done, ${m.errors} errors, ${m.retries} retries${m.cached ? `, ${m.cached} cached` : ''}, ${pass}, ${formatUsd(m.costUsd)}${pace ? `; ${pace}` : ''}`;
}
