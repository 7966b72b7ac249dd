import {join} from 'node:path';
import type {LoadedModel} from '../config/load-config.ts';
import type {AssayError} from '../core/errors.ts';
import type {Result} from '../core/types.ts';
import type {ModelCaller} from '../graders/model-caller.ts';
import type {ResponseCache} from '../cache/response-cache.ts';
import type {ProviderClient, WarningSink} from '../providers/provider-client.ts';
import type {Sandbox} from '../sandbox/sandbox-server.ts';
import {cacheFor} from './cache-policy.ts';
import {createModelCaller, type CallerTraffic} from './create-model-caller.ts';
import type {ExecuteArgs, ExecutionOutcome} from './executor.ts';
import {JournalWriter, journalWriteError} from './journal.ts';
import {openClients} from './open-clients.ts';
import {judgeModelsOf, type Task} from './plan-tasks.ts';
import type {RunEvent} from './run-event.ts';
import {startSimulated} from './simulated.ts';
import {startEvent} from './start-event.ts';
import {taskFingerprint} from './task-fingerprint.ts';

/** What an executor asks of the session it opens. */
export interface SessionSetup {
  /** Models this process calls itself (default: the run's models and its judges). Queue mode's coordinator calls only judges. */
  clientModels?: LoadedModel[];
  /** Models whose simulated providers the in-process sandbox serves (default: clientModels). */
  simulatedModels?: LoadedModel[];
  /** Batch mode: the sandbox's emulated batches are kept in this file, so a resumed run finds them. */
  persistSandboxBatchesTo?: string;
  /** The limits judge calls go through: the executor's TrafficControl, or limits shared through Redis. */
  traffic: CallerTraffic;
  /** Appended to "continue with:" when a journal line cannot be written (default `assay run --resume DIR`). */
  resumeCommand?: string;
  /** On a journal write error, also abort requests in flight (default true; batch mode has none of its own). */
  abortOnJournalError?: boolean;
}

/**
 * What every executor needs for one run: the run's identity and plan, the two signals (stop
 * scheduling; abort in flight), clients (judges included, simulated ones routed to the in-process
 * sandbox), the response cache, the judge caller, events and warn-once, and the journal. Opened by
 * the executor, closed once by it.
 */
export interface RunSession extends ExecuteArgs {
  readonly signals: {readonly stopScheduling: AbortSignal; readonly abortInFlight: AbortSignal};
  readonly clients: Map<string, ProviderClient>;
  readonly sandbox: Sandbox | null;
  readonly cache: ResponseCache | null;
  readonly callModel: ModelCaller;
  readonly journalFile: string;
  /** Results journaled in this invocation. */
  readonly executed: number;
  /** The error that stopped the run (a journal write), or null. */
  readonly fatal: AssayError | null;
  /** No new requests (a first Ctrl+C, a fatal error); requests in flight finish. */
  stopScheduling(): void;
  /** Requests in flight are aborted too (and scheduling stops). */
  abortInFlight(): void;
  /** Stops the run with this error (the first one wins), and stops scheduling. */
  fail(error: AssayError): void;
  /** Each distinct message once, as a `warning` event. */
  warnOnce(message: string): void;
  /** Client warnings, as `providerId: message`, once each. */
  readonly warnClient: WarningSink;
  /** The `start` event: what is pending per model and what the journal already had. */
  emitStart(): void;
  /** Fingerprints, appends and emits a result; false (and the run stops, fatal) when the line cannot be written. */
  journal(task: Task, result: Result): boolean;
  /**
   * journal() for an executor that does nothing further with a result once it is recorded (the
   * in-process pool): the results finished in the same turn of the event loop are written in one
   * write when the turn ends (a system call per result was about 4% of the send phase's CPU), and
   * each `result` event follows its write. Until then the result is as a request in flight: a crash
   * loses it and --resume sends it again. A failed write stops the run as journal() does.
   */
  journalSoon(task: Task, result: Result): void;
  /** The executor's outcome: interrupted when scheduling was stopped without a fatal error. */
  outcome(): ExecutionOutcome;
  /** Closes the journal, detaches from the caller's signal, stops the sandbox. Once. */
  close(): Promise<void>;
}

export {judgeModelsOf} from './plan-tasks.ts';

/** journalSoon writes at once when this many results wait for the end of the turn. */
const MAX_PENDING_LINES = 256;

export async function openRunSession(args: ExecuteArgs, setup: SessionSetup): Promise<RunSession> {
  const {loaded, opts, dir, usedModels, emit} = args;
  const clientModels = setup.clientModels ?? [...usedModels.values(), ...judgeModelsOf(args)];
  const simulatedModels = setup.simulatedModels ?? clientModels;

  const stop = new AbortController();
  const hard = new AbortController();
  const onStop = () => stop.abort();
  if (opts.signal?.aborted) stop.abort();
  opts.signal?.addEventListener('abort', onStop, {once: true});

  const warned = new Set<string>();
  const warnOnce = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    emit({type: 'warning', message});
  };
  const clients = new Map<string, ProviderClient>();
  const journalFile = join(dir, 'results.jsonl');
  const resumeCommand = setup.resumeCommand ?? `assay run --resume ${dir}`;
  let sandbox: Sandbox | null = null;
  let writer: JournalWriter | null = null;
  let executed = 0;
  let fatal: AssayError | null = null;
  let closed = false;
  // journalSoon's lines not yet written, and their results (for the events after the write).
  let pendingLines = '';
  let pendingResults: Result[] = [];
  let flushScheduled = false;
  const flush = (events = true) => {
    flushScheduled = false;
    if (pendingResults.length === 0) return;
    const lines = pendingLines;
    const results = pendingResults;
    pendingLines = '';
    pendingResults = [];
    if (fatal) return;
    try {
      writer!.appendLines(lines, results.length);
    } catch (error) {
      session.fail(journalWriteError(journalFile, error, executed, resumeCommand));
      if (setup.abortOnJournalError ?? true) hard.abort();
      return;
    }
    executed += results.length;
    if (events) for (const result of results) emit({type: 'result', result} satisfies RunEvent);
  };
  // A hard quit (a second Ctrl+C exits at once) still writes what had finished; the view is gone by then.
  const flushOnExit = () => flush(false);
  process.on('exit', flushOnExit);

  const session: RunSession = {
    ...args,
    signals: {stopScheduling: stop.signal, abortInFlight: hard.signal},
    clients,
    get sandbox() {
      return sandbox;
    },
    cache: cacheFor(loaded, opts),
    callModel: createModelCaller(loaded, clients, setup.traffic, hard.signal),
    journalFile,
    get executed() {
      return executed;
    },
    get fatal() {
      return fatal;
    },
    stopScheduling: () => stop.abort(),
    abortInFlight: () => {
      stop.abort();
      hard.abort();
    },
    fail: (error) => {
      fatal ??= error;
      stop.abort();
    },
    warnOnce,
    warnClient: (w) => warnOnce(`${w.providerId}: ${w.message}`),
    emitStart: () => emit(startEvent(args)),
    journal: (task, result) => {
      flush(); // journalSoon's lines first: the journal keeps the order results were recorded in
      if (fatal) return false;
      // Fingerprinted here, not planned ahead: the plan holds no per-task state.
      result.fingerprint = taskFingerprint(task);
      try {
        writer!.append(result);
      } catch (error) {
        session.fail(journalWriteError(journalFile, error, executed, resumeCommand));
        if (setup.abortOnJournalError ?? true) hard.abort();
        return false;
      }
      executed++;
      emit({type: 'result', result} satisfies RunEvent);
      return true;
    },
    journalSoon: (task, result) => {
      if (fatal) return;
      result.fingerprint = taskFingerprint(task);
      pendingLines += `${JSON.stringify(result)}\n`;
      pendingResults.push(result);
      // Results that need no network (cache hits) can finish many to a turn: written in bounded pieces.
      if (pendingResults.length >= MAX_PENDING_LINES) flush();
      else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush, true);
      }
    },
    outcome: () => ({interrupted: stop.signal.aborted && !fatal, executed, fatal}),
    close: async () => {
      if (closed) return;
      closed = true;
      flush();
      process.off('exit', flushOnExit);
      try {
        writer?.close();
      } catch {
        // the write error already stopped the run; closing a full disk's file may fail too
      }
      opts.signal?.removeEventListener('abort', onStop);
      await sandbox?.close();
    },
  };

  try {
    sandbox = await startSimulated(loaded, simulatedModels.map((m) => m.provider), {latencyScale: opts.sandboxLatencyScale, persistBatchesTo: setup.persistSandboxBatchesTo});
    writer = new JournalWriter(journalFile);
    await openClients(clientModels, sandbox, session.warnClient, clients);
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}
