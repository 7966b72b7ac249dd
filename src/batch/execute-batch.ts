import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import pLimit from 'p-limit';
import type {LoadedModel} from '../config/load-config.ts';
import {AssayError} from '../core/errors.ts';
import {writeJsonAtomic} from '../core/write-atomic.ts';
import type {Result} from '../core/types.ts';
import {batchPricing} from '../runner/cost.ts';
import {classifyError} from '../providers/classify-error.ts';
import {DEFAULT_TIMEOUT_MS, keyEnvOf} from '../providers/create-client.ts';
import type {BatchApi, BatchItemOutcome, BatchStatus, ClientWarning, Completion, ProviderClient} from '../providers/provider-client.ts';
import {ProviderError} from '../providers/provider-error.ts';
import type {Sandbox} from '../sandbox/sandbox-server.ts';
import {sandboxFor} from '../sandbox/start-sandbox.ts';
import {TrafficControl} from '../traffic/traffic-control.ts';
import {buildResult} from '../runner/build-result.ts';
import {createModelCaller} from '../runner/create-model-caller.ts';
import {JournalWriter, journalWriteError, readJournal} from '../runner/journal.ts';
import {openClients} from '../runner/open-clients.ts';
import {startEvent} from '../runner/start-event.ts';
import {taskKey, type Task} from '../runner/plan-tasks.ts';
import {DEFAULT_RETRY, withRetry} from '../runner/retry-policy.ts';
import {execute, type ExecuteArgs, type ExecutionOutcome, type RunEvent} from '../runner/run-benchmark.ts';

/** batches.json in the run directory: every batch this run submitted, written before it is polled. */
export interface BatchRecord {
  provider: string;
  /** The model label. */
  model: string;
  batchId: string;
  submittedAt: string;
  /** `submitted` until its results are in the journal (`downloaded`); `lost` when the provider no longer knows it. */
  status: 'submitted' | 'downloaded' | 'lost';
  /** The provider's last status word (in_progress, completed, expired, ended, JOB_STATE_SUCCEEDED...). */
  providerStatus?: string;
  endedAt?: string;
  turnaroundMs?: number;
  /** custom_id → task key ([suite, case, model, repeat] as JSON). */
  items: Record<string, string>;
}

export interface BatchState {
  version: 1;
  batches: BatchRecord[];
}

export const BATCH_STATE_FILE = 'batches.json';
const DEFAULT_POLL_MS = 2000;
export {batchPricing, DEFAULT_BATCH_DISCOUNT} from '../runner/cost.ts';

export function readBatchState(dir: string): BatchState {
  const file = join(dir, BATCH_STATE_FILE);
  if (!existsSync(file)) return {version: 1, batches: []};
  return JSON.parse(readFileSync(file, 'utf8')) as BatchState;
}

function writeBatchState(dir: string, state: BatchState): void {
  const file = join(dir, BATCH_STATE_FILE);
  writeJsonAtomic(file, state);
}

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
  const {loaded, opts, runId, dir, tasks, pending, usedModels, emit} = args;
  if (!args.meta.options.batch) {
    // A run started live and resumed with --batch: later resumes must know about the batches.
    args.meta.options.batch = true;
    writeJsonAtomic(join(dir, 'run.json'), args.meta);
  }
  const state = readBatchState(dir);
  const save = () => writeBatchState(dir, state);
  const pollMs = Math.max(1, opts.batchPollMs ?? DEFAULT_POLL_MS);
  const maxPollMs = Math.max(pollMs, Math.min(60_000, pollMs * 20));

  const judgeLabels = new Set(tasks.flatMap((t) => t.suite.graders.flatMap((g) => g.judgeModels ?? [])));
  const clientModels = [...usedModels.values(), ...[...judgeLabels].map((l) => loaded.models.get(l)!).filter(Boolean)];
  let sandbox: Sandbox | null = null;
  if (clientModels.some((m) => m.provider.type === 'sandbox' && !m.provider.baseURL)) {
    sandbox = sandboxFor(loaded, {latencyScale: opts.sandboxLatencyScale});
    // The in-process sandbox keeps its batches beside the run, so a resumed run finds them again.
    sandbox.batches.persistTo(join(dir, 'sandbox-batches.json'));
    await sandbox.listen();
  }

  const warned = new Set<string>();
  const warnText = (message: string) => {
    if (!warned.has(message)) {
      warned.add(message);
      emit({type: 'warning', message});
    }
  };
  const warn = (w: ClientWarning) => warnText(`${w.providerId}: ${w.message}`);
  const clients = new Map<string, ProviderClient>();
  const stop = new AbortController();
  const onStop = () => stop.abort();
  if (opts.signal?.aborted) stop.abort();
  opts.signal?.addEventListener('abort', onStop, {once: true});
  const traffic = new TrafficControl(opts.concurrency ?? loaded.config.concurrency);
  const hard = new AbortController();
  const callModel = createModelCaller(loaded, clients, traffic, hard.signal);
  const grading = pLimit(opts.concurrency ?? loaded.config.concurrency);
  let journal: JournalWriter | null = null;
  let executed = 0;
  let fatal: AssayError | null = null;

  try {
    await openClients(clientModels, sandbox, warn, clients);
    journal = new JournalWriter(join(dir, 'results.jsonl'));

    // (task, batch) pairs already journaled: a download cut short by a crash is not journaled twice.
    const journaled = new Set<string>();
    for (const r of readJournal(journal.file).results) if (r.batchId) journaled.add(`${taskKey(r.suiteId, r.caseId, r.model, r.repeat)}\u0000${r.batchId}`);
    const pendingKeys = new Set(pending.map((t) => t.key));
    const byKey = new Map(tasks.map((t) => [t.key, t]));
    const inBatch = new Set(state.batches.filter((b) => b.status === 'submitted').flatMap((b) => Object.values(b.items)));

    const live: Task[] = [];
    const toBatch = new Map<string, Task[]>();
    for (const t of pending) {
      if (inBatch.has(t.key)) continue;
      const reason = noBatchReason(t.model, clients.get(t.model.provider.id));
      if (reason) {
        live.push(t);
        continue;
      }
      (toBatch.get(t.model.label) ?? toBatch.set(t.model.label, []).get(t.model.label)!).push(t);
    }
    for (const label of new Set(live.map((t) => t.model.label))) {
      const model = usedModels.get(label)!;
      warnText(`${label}: ${noBatchReason(model, clients.get(model.provider.id))}; its ${live.filter((t) => t.model.label === label).length} requests run live at standard prices`);
    }

    emit(startEvent(args));

    const append = (result: Result): boolean => {
      if (fatal) return false;
      try {
        journal!.append(result);
      } catch (error) {
        fatal = journalWriteError(journal!.file, error, executed, `assay run --resume ${dir} (submitted batches are downloaded, not resubmitted)`);
        stop.abort();
        return false;
      }
      executed++;
      emit({type: 'result', result});
      return true;
    };

    const classifyFor = (model: LoadedModel) => {
      const p = model.provider;
      const ctx = {providerId: p.id, model: model.model, baseURL: p.baseURL, keyEnv: keyEnvOf(p), timeoutMs: p.timeoutMs ?? DEFAULT_TIMEOUT_MS, secrets: []};
      return (e: unknown) => classifyError(e, ctx);
    };

    const record = (task: Task, outcome: {completion: Completion | null; error: ProviderError | null; batchId?: string; submittedAt: Date; endedAt: Date; turnaroundMs?: number}) =>
      grading(async () => {
        const priced: Task = {...task, model: {...task.model, pricing: batchPricing(task.model.pricing)}};
        const result = await buildResult(priced, {
          runId,
          callModel,
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
        result.fingerprint = args.fingerprints.get(task.key);
        if (append(result) && outcome.batchId) journaled.add(`${task.key}\u0000${outcome.batchId}`);
      });

    /** Submits one model's tasks in batches of at most maxRequests, recording each batch before it is polled. */
    const submit = async (model: LoadedModel, list: Task[]) => {
      const api = clients.get(model.provider.id)!.batch!;
      const policy = {...DEFAULT_RETRY, ...model.provider.retry};
      for (let from = 0; from < list.length && !stop.signal.aborted; from += api.maxRequests) {
        const chunk = list.slice(from, from + api.maxRequests);
        const items = chunk.map((t, i) => ({customId: `t${i}`, model: t.model.model, messages: t.testCase.messages, params: {...t.model.params, ...t.suite.params}}));
        const submittedAt = new Date();
        const outcome = await withRetry(policy, () => api.submit(items, hard.signal), {signal: stop.signal, classify: classifyFor(model)});
        if (outcome.error) {
          // Not submitted: every request of the chunk ends as this error; --resume submits them again.
          await Promise.all(chunk.map((t) => record(t, {completion: null, error: outcome.error!, submittedAt, endedAt: new Date()})));
          continue;
        }
        const batchId = outcome.value!;
        state.batches.push({provider: model.provider.id, model: model.label, batchId, submittedAt: submittedAt.toISOString(), status: 'submitted', items: Object.fromEntries(items.map((it, i) => [it.customId, chunk[i]!.key]))});
        save();
        emit({type: 'batch', model: model.label, batchId, status: 'submitted', finished: 0, total: chunk.length});
      }
    };

    /** Journals a finished batch's outcomes (skipping anything already journaled), then marks it downloaded. */
    const download = async (b: BatchRecord, api: BatchApi, st: BatchStatus, model: LoadedModel) => {
      const observed = Date.now();
      const submitted = Date.parse(b.submittedAt);
      // The provider's own end time when it gives a plausible one, else when assay saw the batch ended. OpenAI's has
      // whole seconds: the true end is within the second after it, so a prompt observation inside that second wins.
      const providerEnd = st.endedAtMs !== null && st.endedAtMs <= observed && st.endedAtMs >= submitted - 1000 ? st.endedAtMs : null;
      const end = providerEnd === null ? observed : providerEnd % 1000 === 0 ? Math.min(observed, providerEnd + 1000) : Math.max(providerEnd, submitted);
      const turnaroundMs = Math.max(0, end - submitted);
      let outcomes: BatchItemOutcome[] = [];
      if (!st.failure) {
        const got = await withRetry({...DEFAULT_RETRY, ...model.provider.retry}, () => api.results(b.batchId, hard.signal), {signal: stop.signal, classify: classifyFor(model)});
        if (got.error) {
          warnText(`${b.model}: could not download the results of batch ${b.batchId} (${got.error.message}); polling goes on, or --resume fetches them later`);
          return;
        }
        outcomes = got.value!;
      }
      const byId = new Map(outcomes.map((o) => [o.customId, o]));
      const resume = `assay run --resume ${dir} submits it again in a new batch`;
      await Promise.all(
        Object.entries(b.items).map(([customId, key]) => {
          const task = byKey.get(key);
          if (!task || !pendingKeys.has(key) || journaled.has(`${key}\u0000${b.batchId}`)) return undefined;
          const o = byId.get(customId);
          let completion: Completion | null = null;
          let error: ProviderError | null = null;
          if (o && 'completion' in o) completion = {...o.completion, latencyMs: turnaroundMs};
          else if (o && 'error' in o) error = o.error;
          else if (st.failure) error = new ProviderError('bad-request', `batch ${b.batchId} failed: ${st.failure}`, {hint: `the provider refused the batch as a whole; fix the cause, then ${resume}`, retryable: false});
          else {
            const unfinished = o && 'unfinished' in o ? o.unfinished : st.unfinished;
            const why = unfinished ? (unfinished === 'expired' ? 'expired before this request was processed' : 'was canceled before this request was processed') : `ended (${st.raw}) without a result for this request`;
            error = new ProviderError('timeout', `batch ${b.batchId} ${why}`, {hint: resume});
          }
          return record(task, {completion, error, batchId: b.batchId, submittedAt: new Date(submitted), endedAt: new Date(end), turnaroundMs});
        }),
      );
      if (fatal) return;
      b.status = 'downloaded';
      b.providerStatus = st.raw;
      b.endedAt = new Date(end).toISOString();
      b.turnaroundMs = turnaroundMs;
      save();
      emit({type: 'batch', model: b.model, batchId: b.batchId, status: `${st.raw}, downloaded`, finished: st.finished, total: st.total});
    };

    const pollAll = async () => {
      for (const [label, list] of toBatch) {
        if (stop.signal.aborted) break;
        await submit(usedModels.get(label)!, list);
      }
      let interval = pollMs;
      const lastSeen = new Map<string, string>();
      while (!stop.signal.aborted) {
        const open = state.batches.filter((b) => b.status === 'submitted');
        if (open.length === 0) break;
        for (const b of open) {
          if (stop.signal.aborted) break;
          const model = usedModels.get(b.model);
          const api = model ? clients.get(model.provider.id)?.batch : undefined;
          if (!model || !api) {
            warnText(`batch ${b.batchId} is for ${b.model}, which this run no longer uses with a batch API; it is left as it is`);
            b.status = 'lost';
            save();
            continue;
          }
          let st: BatchStatus;
          try {
            st = await api.status(b.batchId, hard.signal);
          } catch (raw) {
            const error = classifyFor(model)(raw);
            if (error.errorClass === 'not-found') {
              // The provider no longer knows the batch (e.g. a sandbox restarted without its state): submit its requests again.
              warnText(`${b.model}: batch ${b.batchId} is unknown to ${b.provider} (404); its unfinished requests are submitted again`);
              b.status = 'lost';
              save();
              const again = Object.values(b.items).filter((k) => pendingKeys.has(k) && !journaled.has(`${k}\u0000${b.batchId}`)).map((k) => byKey.get(k)!).filter(Boolean);
              if (again.length > 0) await submit(model, again);
              continue;
            }
            if (!error.retryable) {
              fatal = new AssayError('batch-poll', `cannot poll batch ${b.batchId} of ${b.model}: ${error.message}`, {
                hint: `${error.hint ?? ''}${error.hint ? '; ' : ''}the batches stay submitted: continue with assay run --resume ${dir}`,
                exitCode: 3,
              });
              stop.abort();
              break;
            }
            warnText(`${b.model}: polling batch ${b.batchId} failed (${error.errorClass}); it is polled again`);
            continue;
          }
          const seen = `${st.raw} ${st.finished}/${st.total}`;
          if (lastSeen.get(b.batchId) !== seen) {
            lastSeen.set(b.batchId, seen);
            if (!st.done) emit({type: 'batch', model: b.model, batchId: b.batchId, status: st.raw, finished: st.finished, total: st.total});
          }
          if (st.done) await download(b, api, st, model);
        }
        if (stop.signal.aborted || state.batches.every((b) => b.status !== 'submitted')) break;
        await sleep(interval, undefined, {signal: stop.signal}).catch(() => {});
        interval = Math.min(maxPollMs, Math.round(interval * 1.5));
      }
    };

    // Models without a batch API run live beside the batches; the live pool reports its own progress.
    const liveArgs: ExecuteArgs = {...args, pending: live, emit: (e: RunEvent) => e.type !== 'start' && emit(e)};
    const [liveOutcome] = await Promise.all([live.length > 0 ? execute(liveArgs) : null, pollAll()]);
    if (liveOutcome) {
      executed += liveOutcome.executed;
      fatal ??= liveOutcome.fatal;
    }
    const left = state.batches.filter((b) => b.status === 'submitted');
    if (left.length > 0 && stop.signal.aborted) {
      warnText(`stopped polling: ${left.length} batch(es) stay submitted at the provider (${left.map((b) => b.batchId).join(', ')}); assay run --resume ${dir} downloads them without submitting again`);
    }
    return {interrupted: (stop.signal.aborted || (liveOutcome?.interrupted ?? false)) && !fatal, executed, fatal};
  } finally {
    opts.signal?.removeEventListener('abort', onStop);
    try {
      journal?.close();
    } catch {
      // a full disk already stopped the run
    }
    await sandbox?.close();
  }
}
