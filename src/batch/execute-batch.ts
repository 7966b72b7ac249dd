import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import pLimit, {type LimitFunction} from 'p-limit';
import type {LoadedModel} from '../config/load-config.ts';
import {AssayError} from '../core/errors.ts';
import {taskKey} from '../core/task-key.ts';
import {writeJsonAtomic} from '../core/write-atomic.ts';
import {classifyError} from '../providers/classify-error.ts';
import {DEFAULT_TIMEOUT_MS, keyEnvOf} from '../providers/create-client.ts';
import type {BatchApi, BatchItemOutcome, BatchStatus, Completion, ProviderClient} from '../providers/provider-client.ts';
import {ProviderError} from '../providers/provider-error.ts';
import {readBatchState, writeBatchState, type BatchRecord, type BatchState} from '../rundir/batch-state.ts';
import {buildResult} from '../runner/build-result.ts';
import {batchPricing} from '../runner/cost.ts';
import {queuesOf, runLocalPool, runTraffic} from '../runner/execute-local.ts';
import type {ExecuteArgs, ExecutionOutcome} from '../runner/executor.ts';
import {readJournal} from '../runner/journal.ts';
import {taskParams, type Task} from '../runner/plan-tasks.ts';
import {DEFAULT_RETRY, withRetry} from '../runner/retry-policy.ts';
import {openRunSession, type RunSession} from '../runner/run-session.ts';

export {BATCH_STATE_FILE, readBatchState, type BatchRecord, type BatchState} from '../rundir/batch-state.ts';

const DEFAULT_POLL_MS = 2000;
export {batchPricing, DEFAULT_BATCH_DISCOUNT} from '../runner/cost.ts';

/** Why a model runs live in batch mode, or null when it has a batch API assay can use. */
function noBatchReason(model: LoadedModel, client: ProviderClient | undefined): string | null {
  if (client?.batch) return null;
  const p = model.provider;
  if (p.type === 'openai-compatible') return 'an OpenAI-compatible server is not assumed to have the Batch API';
  return `provider type "${p.type}" has no batch API`;
}

/**
 * `assay run --batch`: the run goes through the providers' batch APIs. Requests are grouped per model
 * into batches, submitted, and recorded in batches.json before any polling, so a run whose process
 * is gone resumes (`--resume DIR`) by polling the same batches: nothing is submitted twice and no
 * result is journaled twice. Finished batches are downloaded, graded and journaled like live
 * results, priced at the batch rate, with the batch turnaround instead of a per-request latency.
 * Models whose provider has no batch API run live beside them (with a warning).
 */
export async function executeBatch(args: ExecuteArgs): Promise<ExecutionOutcome> {
  const {opts, loaded, dir} = args;
  // Batch runs are bounded by the providers' batch sizes: the plan is listed here, once.
  const tasks = [...args.plan.tasks()];
  const pending = tasks.filter((t) => !args.done.has(t.key));
  if (!args.meta.options.batch) {
    // A run started live and resumed with --batch: later resumes must know about the batches.
    args.meta.options.batch = true;
    writeJsonAtomic(join(dir, 'run.json'), args.meta);
  }
  const state = readBatchState(dir);
  const traffic = runTraffic(args);
  const session = await openRunSession(args, {
    traffic,
    persistSandboxBatchesTo: join(dir, 'sandbox-batches.json'),
    resumeCommand: `assay run --resume ${dir} (submitted batches are downloaded, not resubmitted)`,
    abortOnJournalError: false,
  });
  try {
    const pollMs = Math.max(1, opts.batchPollMs ?? DEFAULT_POLL_MS);
    const run: BatchRun = {
      session,
      state,
      save: () => writeBatchState(dir, state),
      journaled: journaledPairs(session.journalFile),
      pendingKeys: new Set(pending.map((t) => t.key)),
      byKey: new Map(tasks.map((t) => [t.key, t])),
      grading: pLimit(opts.concurrency ?? loaded.config.concurrency),
      pollMs,
      maxPollMs: Math.max(pollMs, Math.min(60_000, pollMs * 20)),
    };
    const {live, toBatch} = splitLive(run, pending);
    session.emitStart();
    // Models without a batch API run live beside the batches, in the same session.
    await Promise.all([live.length > 0 ? runLocalPool(session, traffic, queuesOf(live)) : null, pollAll(run, toBatch)]);
    const left = state.batches.filter((b) => b.status === 'submitted');
    if (left.length > 0 && session.signals.stopScheduling.aborted) {
      session.warnOnce(`stopped polling: ${left.length} batch(es) stay submitted at the provider (${left.map((b) => b.batchId).join(', ')}); assay run --resume ${dir} downloads them without submitting again`);
    }
  } finally {
    await session.close();
  }
  return session.outcome();
}

/** One batch-mode run's state, shared by its steps. */
interface BatchRun {
  session: RunSession;
  state: BatchState;
  save(): void;
  /** (task key, batch id) pairs already journaled: a download cut short by a crash is not journaled twice. */
  journaled: Set<string>;
  pendingKeys: Set<string>;
  byKey: Map<string, Task>;
  grading: LimitFunction;
  pollMs: number;
  maxPollMs: number;
}

function journaledPairs(file: string): Set<string> {
  const out = new Set<string>();
  for (const r of readJournal(file).results) if (r.batchId) out.add(`${taskKey(r.suiteId, r.caseId, r.model, r.repeat)}\u0000${r.batchId}`);
  return out;
}

/** Pending tasks not already in a submitted batch: per model to batch, or live when the model has no batch API. */
function splitLive(run: BatchRun, pending: readonly Task[]): {live: Task[]; toBatch: Map<string, Task[]>} {
  const {session, state} = run;
  const inBatch = new Set(state.batches.filter((b) => b.status === 'submitted').flatMap((b) => Object.values(b.items)));
  const live: Task[] = [];
  const toBatch = new Map<string, Task[]>();
  for (const t of pending) {
    if (inBatch.has(t.key)) continue;
    if (noBatchReason(t.model, session.clients.get(t.model.provider.id))) live.push(t);
    else (toBatch.get(t.model.label) ?? toBatch.set(t.model.label, []).get(t.model.label)!).push(t);
  }
  for (const [label, list] of Map.groupBy(live, (t) => t.model.label)) {
    const model = session.usedModels.get(label)!;
    session.warnOnce(`${label}: ${noBatchReason(model, session.clients.get(model.provider.id))}; its ${list.length} requests run live at standard prices`);
  }
  return {live, toBatch};
}

function classifyFor(model: LoadedModel): (e: unknown) => ProviderError {
  const p = model.provider;
  const ctx = {providerId: p.id, model: model.model, baseURL: p.baseURL, keyEnv: keyEnvOf(p), timeoutMs: p.timeoutMs ?? DEFAULT_TIMEOUT_MS, secrets: []};
  return (e: unknown) => classifyError(e, ctx);
}

interface ItemOutcome {
  completion: Completion | null;
  error: ProviderError | null;
  batchId?: string;
  submittedAt: Date;
  endedAt: Date;
  turnaroundMs?: number;
}

/** Grades and journals one request's batch outcome at the batch price. */
function record(run: BatchRun, task: Task, outcome: ItemOutcome): Promise<void> {
  const {session} = run;
  return run.grading(async () => {
    const priced: Task = {...task, model: {...task.model, pricing: batchPricing(task.model.pricing)}};
    const result = await buildResult(priced, {
      runId: session.runId,
      callModel: session.callModel,
      startedAt: outcome.submittedAt,
      endedAt: outcome.endedAt,
      queueMs: 0,
      rateWaitMs: 0,
      attempts: 1,
      cached: false,
      completion: outcome.completion,
      error: outcome.error,
      extra: outcome.batchId ? {batchId: outcome.batchId, ...(outcome.turnaroundMs !== undefined && {batchTurnaroundMs: outcome.turnaroundMs})} : undefined,
    });
    // A batch has no per-request latency: the turnaround is on the line instead.
    result.latencyMs = null;
    result.ttftMs = null;
    if (session.journal(task, result) && outcome.batchId) run.journaled.add(`${task.key}\u0000${outcome.batchId}`);
  });
}

/** Submits one model's tasks in batches of at most maxRequests, recording each batch before it is polled. */
async function submit(run: BatchRun, model: LoadedModel, list: Task[]): Promise<void> {
  const {session, state} = run;
  const {stopScheduling, abortInFlight} = session.signals;
  const api = session.clients.get(model.provider.id)!.batch!;
  const policy = {...DEFAULT_RETRY, ...model.provider.retry};
  for (let from = 0; from < list.length && !stopScheduling.aborted; from += api.maxRequests) {
    const chunk = list.slice(from, from + api.maxRequests);
    const items = chunk.map((t, i) => ({customId: `t${i}`, model: t.model.model, messages: t.testCase.messages, params: taskParams(t)}));
    const submittedAt = new Date();
    const outcome = await withRetry(policy, () => api.submit(items, abortInFlight), {signal: stopScheduling, classify: classifyFor(model)});
    if (outcome.error) {
      // Not submitted: every request of the chunk ends as this error; --resume submits them again.
      await Promise.all(chunk.map((t) => record(run, t, {completion: null, error: outcome.error!, submittedAt, endedAt: new Date()})));
      continue;
    }
    const batchId = outcome.value!;
    state.batches.push({provider: model.provider.id, model: model.label, batchId, submittedAt: submittedAt.toISOString(), status: 'submitted', items: Object.fromEntries(items.map((it, i) => [it.customId, chunk[i]!.key]))});
    run.save();
    session.emit({type: 'batch', model: model.label, batchId, status: 'submitted', finished: 0, total: chunk.length});
  }
}

/** When the batch ended: the provider's own end time when plausible, else when assay saw it ended. */
function batchEndMs(st: BatchStatus, submitted: number, observed: number): number {
  // OpenAI's end time has whole seconds: the true end is within the second after it, so a prompt
  // observation inside that second wins.
  const providerEnd = st.endedAtMs !== null && st.endedAtMs <= observed && st.endedAtMs >= submitted - 1000 ? st.endedAtMs : null;
  return providerEnd === null ? observed : providerEnd % 1000 === 0 ? Math.min(observed, providerEnd + 1000) : Math.max(providerEnd, submitted);
}

/** The answer or error of one request of a finished batch. */
function itemOutcome(b: BatchRecord, st: BatchStatus, o: BatchItemOutcome | undefined, turnaroundMs: number, dir: string): {completion: Completion | null; error: ProviderError | null} {
  const resume = `assay run --resume ${dir} submits it again in a new batch`;
  if (o && 'completion' in o) return {completion: {...o.completion, latencyMs: turnaroundMs}, error: null};
  if (o && 'error' in o) return {completion: null, error: o.error};
  if (st.failure) return {completion: null, error: new ProviderError('bad-request', `batch ${b.batchId} failed: ${st.failure}`, {hint: `the provider refused the batch as a whole; fix the cause, then ${resume}`, retryable: false})};
  const unfinished = o && 'unfinished' in o ? o.unfinished : st.unfinished;
  const why = unfinished ? (unfinished === 'expired' ? 'expired before this request was processed' : 'was canceled before this request was processed') : `ended (${st.raw}) without a result for this request`;
  return {completion: null, error: new ProviderError('timeout', `batch ${b.batchId} ${why}`, {hint: resume})};
}

/** Journals a finished batch's outcomes (skipping anything already journaled), then marks it downloaded. */
async function download(run: BatchRun, b: BatchRecord, api: BatchApi, st: BatchStatus, model: LoadedModel): Promise<void> {
  const {session} = run;
  const submitted = Date.parse(b.submittedAt);
  const end = batchEndMs(st, submitted, Date.now());
  const turnaroundMs = Math.max(0, end - submitted);
  let outcomes: BatchItemOutcome[] = [];
  if (!st.failure) {
    const got = await withRetry({...DEFAULT_RETRY, ...model.provider.retry}, () => api.results(b.batchId, session.signals.abortInFlight), {
      signal: session.signals.stopScheduling,
      classify: classifyFor(model),
    });
    if (got.error) {
      session.warnOnce(`${b.model}: could not download the results of batch ${b.batchId} (${got.error.message}); polling goes on, or --resume fetches them later`);
      return;
    }
    outcomes = got.value!;
  }
  const byId = new Map(outcomes.map((o) => [o.customId, o]));
  await Promise.all(
    Object.entries(b.items).map(([customId, key]) => {
      const task = run.byKey.get(key);
      if (!task || !run.pendingKeys.has(key) || run.journaled.has(`${key}\u0000${b.batchId}`)) return undefined;
      const {completion, error} = itemOutcome(b, st, byId.get(customId), turnaroundMs, session.dir);
      return record(run, task, {completion, error, batchId: b.batchId, submittedAt: new Date(submitted), endedAt: new Date(end), turnaroundMs});
    }),
  );
  if (session.fatal) return;
  b.status = 'downloaded';
  b.providerStatus = st.raw;
  b.endedAt = new Date(end).toISOString();
  b.turnaroundMs = turnaroundMs;
  run.save();
  session.emit({type: 'batch', model: b.model, batchId: b.batchId, status: `${st.raw}, downloaded`, finished: st.finished, total: st.total});
}

/** Polls one submitted batch and downloads it when done. False when the run must stop (a poll that cannot succeed). */
async function pollOne(run: BatchRun, b: BatchRecord, lastSeen: Map<string, string>): Promise<boolean> {
  const {session} = run;
  const model = session.usedModels.get(b.model);
  const api = model ? session.clients.get(model.provider.id)?.batch : undefined;
  if (!model || !api) {
    session.warnOnce(`batch ${b.batchId} is for ${b.model}, which this run no longer uses with a batch API; it is left as it is`);
    b.status = 'lost';
    run.save();
    return true;
  }
  let st: BatchStatus;
  try {
    st = await api.status(b.batchId, session.signals.abortInFlight);
  } catch (raw) {
    const error = classifyFor(model)(raw);
    if (error.errorClass === 'not-found') {
      // The provider no longer knows the batch (e.g. a sandbox restarted without its state): submit its requests again.
      session.warnOnce(`${b.model}: batch ${b.batchId} is unknown to ${b.provider} (404); its unfinished requests are submitted again`);
      b.status = 'lost';
      run.save();
      const again = Object.values(b.items)
        .filter((k) => run.pendingKeys.has(k) && !run.journaled.has(`${k}\u0000${b.batchId}`))
        .map((k) => run.byKey.get(k)!)
        .filter(Boolean);
      if (again.length > 0) await submit(run, model, again);
      return true;
    }
    if (!error.retryable) {
      session.fail(
        new AssayError('batch-poll', `cannot poll batch ${b.batchId} of ${b.model}: ${error.message}`, {
          hint: `${error.hint ?? ''}${error.hint ? '; ' : ''}the batches stay submitted: continue with assay run --resume ${session.dir}`,
          exitCode: 3,
        }),
      );
      return false;
    }
    session.warnOnce(`${b.model}: polling batch ${b.batchId} failed (${error.errorClass}); it is polled again`);
    return true;
  }
  const seen = `${st.raw} ${st.finished}/${st.total}`;
  if (lastSeen.get(b.batchId) !== seen) {
    lastSeen.set(b.batchId, seen);
    if (!st.done) session.emit({type: 'batch', model: b.model, batchId: b.batchId, status: st.raw, finished: st.finished, total: st.total});
  }
  if (st.done) await download(run, b, api, st, model);
  return true;
}

/** Submits every model's batches, then polls until none is left submitted (or the run stops), backing off. */
async function pollAll(run: BatchRun, toBatch: Map<string, Task[]>): Promise<void> {
  const {session, state} = run;
  const stop = session.signals.stopScheduling;
  for (const [label, list] of toBatch) {
    if (stop.aborted) break;
    await submit(run, session.usedModels.get(label)!, list);
  }
  let interval = run.pollMs;
  const lastSeen = new Map<string, string>();
  while (!stop.aborted) {
    const open = state.batches.filter((b) => b.status === 'submitted');
    if (open.length === 0) break;
    for (const b of open) {
      if (stop.aborted || !(await pollOne(run, b, lastSeen))) break;
    }
    if (stop.aborted || state.batches.every((b) => b.status !== 'submitted')) break;
    await sleep(interval, undefined, {signal: stop}).catch(() => {});
    interval = Math.min(run.maxPollMs, Math.round(interval * 1.5));
  }
}
