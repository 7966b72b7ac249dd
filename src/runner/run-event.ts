import type {ErrorCause, Result} from '../core/types.ts';
import type {BreakerState} from '../traffic/circuit-breaker.ts';

export interface ModelTrafficSnapshot {
  label: string;
  /** Requests sent and not yet answered: holding a slot of the run's global cap. */
  inFlight: number;
  /** Tasks started but waiting for a slot (the global cap, or the model's or provider's concurrency). */
  waiting?: number;
  throttled: number;
  breaker: BreakerState | null;
}

/** What a run reports while it goes: the CLI's progress display, A/B and library callers subscribe to these. */
export type RunEvent =
  | {type: 'start'; runId: string; dir: string; total: number; skipped: number; models: {label: string; total: number; simulated: boolean; model?: string; providerType?: string}[]; concurrency?: number}
  | {type: 'result'; result: Result}
  | {type: 'retry'; model: string; caseId: string; reason: string; waitMs: number; message?: string}
  | {type: 'breaker'; model: string; from: BreakerState; to: BreakerState; cause?: ErrorCause}
  | {type: 'traffic'; models: ModelTrafficSnapshot[]}
  | {type: 'warning'; message: string}
  /** Batch mode: a batch was submitted, moved on, or was downloaded. */
  | {type: 'batch'; model: string; batchId: string; status: string; finished: number; total: number}
  | {type: 'end'; interrupted: boolean};
