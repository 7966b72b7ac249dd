import {mkdirSync, readFileSync, rmSync} from 'node:fs';
import {basename, dirname, join, resolve} from 'node:path';
import {configDigest} from '../config/config-digest.ts';
import {loadConfig, type LoadedConfig, type LoadedModel} from '../config/load-config.ts';
import {evaluateGate, type GateOutcome} from '../gate/evaluate-gate.ts';
import {junitXml} from '../gate/junit-xml.ts';
import {AssayError, InputError} from '../core/errors.ts';
import {asWriteError, writeFileAtomic, writeJsonAtomic, WriteError} from '../core/write-atomic.ts';
import {checkCredentials, DEFAULT_TIMEOUT_MS, keyEnvOf} from '../providers/create-client.ts';
import {writeReports, type RunReports} from '../report/write-reports.ts';
import {collectBetweenPhases} from '../core/heap-governor.ts';
import type {RunMeta, RunModelMeta} from '../rundir/run-meta.ts';
import type {ExecutionMode, Executor, RunOptions} from './executor.ts';
import {withCostNotes} from './cost-notes.ts';
import {indexJournal, type JournalIndex} from './journal.ts';
import {judgeModelsOf, planRun, type PlanOptions, type RunPlan, type TaskKeys} from './plan-tasks.ts';
import {readResumeMeta} from './resume-meta.ts';
import type {RunEvent} from './run-event.ts';
import {acquireRunLock} from './run-lock.ts';
import {taskFingerprint} from './task-fingerprint.ts';
import {writeRunMedia} from './write-run-media.ts';

// The contract types used to live here; importers of this module still find them.
export type {ExecuteArgs, ExecutionMode, ExecutionOutcome, Executor, RunOptions} from './executor.ts';
export type {ModelTrafficSnapshot, RunEvent} from './run-event.ts';
export type {RunMeta, RunModelMeta} from '../rundir/run-meta.ts';

/** Executors by mode, imported only when a run uses them: none of them imports this module. */
const EXECUTORS: Record<ExecutionMode, () => Promise<Executor>> = {
  local: async () => (await import('./execute-local.ts')).executeLocal,
  batch: async () => (await import('../batch/execute-batch.ts')).executeBatch,
  queue: async () => (await import('../queue/execute-queue.ts')).executeQueue,
};

export interface RunOutcome extends RunReports {
  /** The gate's verdict, when the config, a suite or the caller set thresholds. */
  gate: GateOutcome | null;
  runId: string;
  dir: string;
  interrupted: boolean;
  /** Requests finished in this invocation (a resumed run skips finished ones). */
  executed: number;
  skipped: number;
}

function runModelMeta(m: LoadedModel): RunModelMeta {
  const params = Object.fromEntries(Object.entries({temperature: m.params.temperature, maxTokens: m.params.maxTokens, topP: m.params.topP}).filter(([, v]) => v !== undefined));
  return {
    provider: m.provider.id,
    type: m.provider.type,
    model: m.model,
    pricing: m.pricing,
    simulated: m.provider.type === 'sandbox',
    ...(m.provider.wire ? {wire: m.provider.wire} : {}),
    ...(m.provider.baseURL ? {baseURL: m.provider.baseURL} : {}),
    ...(keyEnvOf(m.provider) ? {keyEnv: keyEnvOf(m.provider)} : {}),
    timeoutMs: m.provider.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(Object.keys(params).length > 0 ? {params} : {}),
  };
}

function newRunId(outDir: string): string {
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  for (let i = 1; ; i++) {
    const id = i === 1 ? stamp : `${stamp}-${i}`;
    try {
      mkdirSync(join(outDir, id), {recursive: false});
      return id;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function versions(): Record<string, string> {
  const out: Record<string, string> = {node: process.version};
  for (const name of ['assay', 'openai', '@anthropic-ai/sdk', '@google/genai']) {
    try {
      const url = name === 'assay' ? new URL('../../package.json', import.meta.url) : new URL(`../../node_modules/${name}/package.json`, import.meta.url);
      out[name] = (JSON.parse(readFileSync(url, 'utf8')) as {version: string}).version;
    } catch {
      // a bundled or relocated install; the version is informative only
    }
  }
  return out;
}

/**
 * Refuses (exit 2) a case whose prompt is over the configured size before anything is sent, and warns
 * when a model judges its own answers (judges prefer their own output, which inflates its scores).
 */
function checkPrompts(plan: RunPlan, loaded: LoadedConfig, emit: (e: RunEvent) => void): void {
  const max = loaded.config.maxPromptChars;
  const planned = plan.suites.filter((p) => p.labels.length > 0 && p.cases.length > 0);
  for (const {suite, cases} of planned) {
    // A streamed dataset knows its longest prompt from loading: read its cases only to name the one over.
    const longest = suite.cases.longestPromptChars;
    if (longest !== undefined && longest <= max) continue;
    for (const c of cases) {
      const chars = c.messages.reduce((n, m) => n + m.content.length, 0);
      if (chars > max) {
        throw new InputError(`case "${c.id}" of suite "${suite.id}" has a prompt of ${chars.toLocaleString('en-US')} characters, over maxPromptChars (${max.toLocaleString('en-US')})`, {
          file: c.source.file,
          line: c.source.line,
          hint: 'shorten the case, or raise maxPromptChars in the config if the model really takes prompts this long',
        });
      }
    }
  }
  const selfJudged = new Set<string>();
  for (const {suite, labels} of planned) {
    for (const label of labels) {
      if (!suite.graders.some((g) => g.judgeModels?.includes(label))) continue;
      const key = `${label} in suite "${suite.id}"`;
      if (selfJudged.has(key)) continue;
      selfJudged.add(key);
      emit({type: 'warning', message: `${label} judges its own answers in suite "${suite.id}": judges favour their own output, so its scores are inflated; use another model as judge`});
    }
  }
}

/** Where a run starts from: nothing (fresh), run.json (--resume), or the journal when run.json is torn or missing. */
interface StartingPoint {
  meta: RunMeta | null;
  planOptions: PlanOptions;
  /** Why run.json had to be rebuilt from the journal and config (null when it was read, or the run is fresh). */
  rebuiltBecause: string | null;
  journaled: JournalIndex | null;
}

function startingPoint(opts: RunOptions, dir: string | null): StartingPoint {
  const planOptions: PlanOptions = {suites: opts.suites, models: opts.models, repeat: opts.repeat, sample: opts.sample, seed: opts.seed, batch: opts.batch || undefined};
  if (!dir) return {meta: null, planOptions, rebuiltBecause: null, journaled: null};
  const read = readResumeMeta(dir, opts.resume!);
  if (!read.rebuilt) {
    const meta = read.meta;
    meta.breakerTransitions ??= [];
    meta.resumedAt ??= [];
    return {meta, planOptions: meta.options, rebuiltBecause: null, journaled: null};
  }
  const journaled = indexJournal(join(dir, 'results.jsonl'), !(opts.retryErrors ?? true));
  // What the run covered, as far as its journal shows; flags given now take precedence.
  return {
    meta: null,
    planOptions: {
      ...planOptions,
      suites: opts.suites ?? [...journaled.suites],
      models: opts.models ?? [...journaled.models],
      repeat: opts.repeat ?? (journaled.maxRepeat >= 0 ? journaled.maxRepeat + 1 : undefined),
    },
    rebuiltBecause: read.problem,
    journaled,
  };
}

/** Keys are checked before anything is written: a missing key leaves no empty run directory behind. */
function checkKeys(plan: RunPlan, loaded: LoadedConfig): void {
  for (const m of new Set([...plan.models.values(), ...judgeModelsOf({loaded, plan})])) checkCredentials(m.provider);
}

/** A fresh run's directory under outDir, named by the time it started. */
function createRunDir(outDir: string): {runId: string; dir: string} {
  try {
    mkdirSync(outDir, {recursive: true});
    const runId = newRunId(outDir);
    return {runId, dir: join(outDir, runId)};
  } catch (error) {
    throw asWriteError(outDir, error);
  }
}

/**
 * On --resume, the tasks already finished (errors too with --no-retry-errors), and what is left per
 * model. One streaming pass over the journal (indexJournal) and one over the plan; refuses (exit 2)
 * when a finished task would now be sent differently (its fingerprint changed).
 */
function finishedKeys(opts: RunOptions, dir: string, journaled: JournalIndex | null, plan: RunPlan): {done: TaskKeys; pendingSizes: Map<string, number>} {
  // Errors are sent again, so a config fixed after them (a param a model refused) is no conflict.
  const finished = (journaled ?? indexJournal(join(dir, 'results.jsonl'), !(opts.retryErrors ?? true))).finished;
  const sizes = new Map<string, number>();
  const changed: string[] = [];
  let changedCount = 0;
  for (const task of plan.tasks()) {
    const stored = finished.markDone(task.key);
    if (stored === undefined) {
      sizes.set(task.model.label, (sizes.get(task.model.label) ?? 0) + 1);
      continue;
    }
    if (stored && stored !== taskFingerprint(task) && changedCount++ < 3) changed.push(`${task.suite.id}/${task.testCase.id} on ${task.model.label}`);
  }
  if (changedCount > 0) {
    throw new InputError(
      `cannot resume: ${changedCount} finished request(s) would now be sent differently (prompt, params, model id or graders changed), e.g. ${changed.join(', ')}`,
      {file: opts.resume, hint: 'restore the config, suites and datasets the run started with, or start a new run'},
    );
  }
  return {done: finished, pendingSizes: new Map([...plan.models.keys()].map((label) => [label, sizes.get(label) ?? 0]))};
}

function rebuiltWarning(rebuiltBecause: string, loaded: LoadedConfig, planOptions: PlanOptions): RunEvent {
  return {
    type: 'warning',
    message: `${rebuiltBecause}: rebuilt it from results.jsonl and ${loaded.file} (suites ${planOptions.suites?.join(', ')}; models ${planOptions.models?.join(', ')}; repeat ${planOptions.repeat ?? loaded.config.repeat}${planOptions.sample ? `; sample ${planOptions.sample}` : ''}). If the run was started with other --suite/--model/--repeat/--sample flags, pass them with --resume`,
  };
}

function newRunMeta(runId: string, cwd: string, loaded: LoadedConfig, planOptions: PlanOptions, usedModels: Map<string, LoadedModel>, argv: string[] | undefined): RunMeta {
  return {
    id: runId,
    configFile: resolve(cwd, loaded.file),
    configDigest: configDigest(loaded),
    options: planOptions,
    startedAt: new Date().toISOString(),
    endedAt: null,
    resumedAt: [],
    interrupted: false,
    argv: argv ?? [],
    versions: versions(),
    simulated: [...usedModels.values()].some((m) => m.provider.type === 'sandbox'),
    models: Object.fromEntries([...usedModels.values()].map((m) => [m.label, runModelMeta(m)])),
    breakerTransitions: [],
  };
}

/** The journal could not be written (a full disk): what can still be saved is, atomically, and the journal's failure is what the user sees. */
async function saveWhatCan(dir: string, runId: string, runMeta: RunMeta): Promise<void> {
  try {
    writeJsonAtomic(join(dir, 'run.json'), runMeta);
    await writeReports(dir, runId);
  } catch {
    // the same disk refuses these too; nothing is left torn, and --resume rebuilds them
  }
}

/** run.json, the reports, the gate's verdict (written into summary.json and the page) and the JUnit file. */
async function finishRun(dir: string, runId: string, runMeta: RunMeta, loaded: LoadedConfig, opts: RunOptions, cwd: string): Promise<RunReports & {gate: GateOutcome | null}> {
  writeJsonAtomic(join(dir, 'run.json'), runMeta);
  const runGate = loaded.config.gate || opts.gate ? {...loaded.config.gate, ...opts.gate} : undefined;
  const suiteGates = Object.fromEntries(loaded.suites.map((s) => [s.id, s.gate]));
  // Judged from the reports' accumulators as they are written, so summary.json and the page carry the verdict.
  let gate: GateOutcome | null = null;
  const reports = await writeReports(dir, runId, {gate: (source) => (gate = evaluateGate(source, runGate, suiteGates))});
  if (opts.junit) {
    const junitFile = resolve(cwd, opts.junit);
    try {
      mkdirSync(dirname(junitFile), {recursive: true});
    } catch (error) {
      throw asWriteError(dirname(junitFile), error);
    }
    writeFileAtomic(junitFile, junitXml(runId, reports.results, gate));
  }
  // Not a spread: `results` is read from the journal only if the caller asks for it.
  return Object.defineProperties({gate}, Object.getOwnPropertyDescriptors(reports)) as RunReports & {gate: GateOutcome | null};
}

/**
 * A write failure ends the run with the path and the fix. Before the first run.json is down a fresh
 * run has nothing to resume, so its directory is removed; after, the message names --resume.
 */
function writeFailure(error: unknown, dir: string, resumable: boolean, releaseLock: () => void): unknown {
  const failure = asWriteError(dir, error);
  if (!(failure instanceof WriteError)) return failure;
  if (!resumable) {
    releaseLock();
    rmSync(dir, {recursive: true, force: true});
    return new WriteError(failure.path, failure.errno, {hint: `${failure.hint}, then run again (nothing was sent; the run directory was removed)`, cause: failure});
  }
  return failure.withResume(`assay run --resume ${dir}`);
}

/** Runs suites × models × repeats and writes the run directory. Everything `assay run` does. */
export async function runBenchmark(opts: RunOptions = {}): Promise<RunOutcome> {
  const cwd = opts.cwd ?? process.cwd();
  const emit = opts.onEvent ?? (() => {});
  const fresh = !opts.resume;
  const start = startingPoint(opts, opts.resume ? resolve(cwd, opts.resume) : null);
  const {rebuiltBecause, planOptions} = start;
  const loaded = opts.prepared ?? (await loadConfig(opts.config ?? start.meta?.configFile, {cwd}));
  const plan = planRun(loaded, planOptions);
  checkPrompts(plan, loaded, emit);
  checkKeys(plan, loaded);

  const {runId, dir} = fresh
    ? createRunDir(resolve(loaded.rootDir, opts.outDir ?? loaded.config.outDir))
    : {runId: start.meta?.id ?? basename(resolve(cwd, opts.resume!)), dir: resolve(cwd, opts.resume!)};
  let releaseLock: () => void;
  try {
    releaseLock = acquireRunLock(dir);
  } catch (error) {
    // A fresh run that could not even lock its directory (a full disk) leaves nothing behind.
    if (fresh) rmSync(dir, {recursive: true, force: true});
    throw error;
  }
  // Until the first run.json is down, a fresh run has nothing to resume: a write failure removes it.
  let resumable = !fresh;

  try {
    const {done, pendingSizes} = fresh ? {done: new Set<string>(), pendingSizes: plan.sizes} : finishedKeys(opts, dir, start.journaled, plan);
    start.journaled = null;
    start.meta?.resumedAt.push(new Date().toISOString());
    const usedModels = new Map(plan.models);
    if (rebuiltBecause) emit(rebuiltWarning(rebuiltBecause, loaded, planOptions));
    const runMeta = start.meta ?? newRunMeta(runId, cwd, loaded, planOptions, usedModels, opts.argv);
    if (rebuiltBecause) runMeta.resumedAt.push(new Date().toISOString());
    writeJsonAtomic(join(dir, 'run.json'), runMeta);
    resumable = true;
    // Streamed datasets say whether any case has media; only those that might are read again here.
    writeRunMedia(dir, (function* () {
      for (const s of plan.suites) if (s.labels.length > 0 && s.suite.cases.hasMedia !== false) yield* s.cases;
    })());

    // Batch mode (provider batch APIs) when asked, or when resuming a run that was started in it.
    const mode: ExecutionMode = opts.batch || runMeta.options.batch ? 'batch' : opts.queue || runMeta.queue ? 'queue' : 'local';
    const run = await EXECUTORS[mode]();
    const execution = await run({loaded, opts, runId, dir, plan, done, pendingSizes, usedModels, emit: withCostNotes(emit, loaded), meta: runMeta});
    runMeta.endedAt = new Date().toISOString();
    runMeta.interrupted = execution.interrupted;
    if (execution.fatal) {
      await saveWhatCan(dir, runId, runMeta);
      emit({type: 'end', interrupted: execution.interrupted});
      throw execution.fatal;
    }
    collectBetweenPhases();
    const finished = await finishRun(dir, runId, runMeta, loaded, opts, cwd);
    emit({type: 'end', interrupted: execution.interrupted});
    return Object.defineProperties(
      {runId, dir, interrupted: execution.interrupted, executed: execution.executed, skipped: done.size},
      Object.getOwnPropertyDescriptors(finished),
    ) as RunOutcome;
  } catch (error) {
    throw writeFailure(error, dir, resumable, releaseLock);
  } finally {
    releaseLock();
  }
}

export function assertSomeSucceeded(outcome: RunOutcome): void {
  const s = outcome.summary.overall;
  if (s.n > 0 && s.ok === 0 && !outcome.interrupted) {
    const [cls] = Object.entries(s.errorsByClass).sort((a, b) => b[1] - a[1])[0] ?? ['unknown'];
    const sample = outcome.errorSamples?.first ?? (outcome.slimResults ?? outcome.results).find((r) => r.status === 'error')?.error;
    throw new AssayError('all-failed', `every request failed (mostly ${cls})${sample ? `: ${sample.message}` : ''}`, {hint: sample?.hint ?? undefined, exitCode: 3});
  }
}
