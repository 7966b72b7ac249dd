import type {Result} from '../core/types.ts';
import type {LoadEvent} from '../load/run-load.ts';
import type {RunEvent} from '../runner/run-event.ts';
import type {RequestSample} from './request-sample.ts';
import type {Telemetry, TelemetryScope} from './start-telemetry.ts';

interface ModelIds {
  model: string;
  providerType: string;
}

/** A run's result as a telemetry sample; null for what sent no request (a cache hit, a request an open breaker refused). */
export function sampleFromResult(result: Result, ids: ModelIds | undefined, command: RequestSample['command']): RequestSample | null {
  if (result.cached || result.error?.notSent) return null;
  const endEpochMs = Date.parse(result.endedAt);
  // latencyMs is the answering attempt alone (no queueing, no earlier attempts): the operation's duration.
  const startEpochMs = result.latencyMs !== null ? endEpochMs - result.latencyMs : Date.parse(result.startedAt);
  return {
    command,
    label: result.model,
    model: ids?.model ?? result.model,
    providerType: ids?.providerType ?? result.provider,
    startEpochMs,
    endEpochMs,
    ttftMs: result.ttftMs,
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
    errorType: result.status === 'error' ? (result.error?.class ?? 'unknown') : null,
    httpStatus: result.error?.status ?? null,
    costUsd: result.costUsd,
    pass: result.pass,
    runId: result.runId,
    responseModel: result.servedModel ?? null,
    finishReason: result.finishReason,
    suiteId: result.suiteId,
    caseId: result.caseId,
  };
}

export interface TelemetryListener<E> {
  onEvent(event: E): void;
  /** Ends a scope the events left open (a load test has no end event; an interrupted run may not send one). */
  close(): void;
}

/** Subscribes telemetry to a run's events (`assay run`, each `assay monitor` cycle): a parent span per run, a child span and metric points per request. */
export function runEventTelemetry(telemetry: Telemetry, command: 'run' | 'monitor'): TelemetryListener<RunEvent> {
  const ids = new Map<string, ModelIds>();
  let scope: TelemetryScope | null = null;
  return {
    onEvent(event) {
      if (event.type === 'start') {
        for (const m of event.models) if (m.model && m.providerType) ids.set(m.label, {model: m.model, providerType: m.providerType});
        scope?.end();
        scope = telemetry.startScope(command === 'run' ? 'assay run' : 'assay monitor cycle', {'assay.run.id': event.runId, 'assay.requests.planned': event.total});
      } else if (event.type === 'result') {
        const sample = sampleFromResult(event.result, ids.get(event.result.model), command);
        if (sample) telemetry.recordRequest(sample, scope ?? undefined);
      } else if (event.type === 'end') {
        scope?.end({'assay.interrupted': event.interrupted});
        scope = null;
      }
    },
    close() {
      scope?.end();
      scope = null;
    },
  };
}

/** Subscribes telemetry to `assay load`'s events; warm-up requests are left out, as they are from load.json. */
export function loadEventTelemetry(telemetry: Telemetry): TelemetryListener<LoadEvent> {
  const ids = new Map<string, ModelIds>();
  let scope: TelemetryScope | null = null;
  let runId = '';
  return {
    onEvent(event) {
      if (event.type === 'start') {
        runId = event.runId;
        for (const t of event.targets ?? []) ids.set(t.label, {model: t.model, providerType: t.providerType});
        scope = telemetry.startScope('assay load', {'assay.run.id': event.runId});
      } else if (event.type === 'request' && !event.record.warmup) {
        const r = event.record;
        const m = ids.get(r.model);
        telemetry.recordRequest(
          {
            command: 'load',
            label: r.model,
            model: m?.model ?? r.model,
            providerType: m?.providerType ?? 'unknown',
            startEpochMs: event.stepStartedAtEpochMs + r.sentMs,
            endEpochMs: event.stepStartedAtEpochMs + r.endMs,
            ttftMs: r.ttftMs,
            inputTokens: r.inputTokens,
            outputTokens: r.outputTokens,
            errorType: r.status === 'error' ? (r.errorClass ?? 'unknown') : null,
            httpStatus: r.httpStatus,
            costUsd: null,
            pass: null,
            runId,
          },
          scope ?? undefined,
        );
      }
    },
    close() {
      scope?.end();
      scope = null;
    },
  };
}
