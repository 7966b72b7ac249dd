import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync, rmSync} from 'node:fs';
import {basename, dirname, join, resolve} from 'node:path';
import {loadConfig, type LoadedConfig, type LoadedModel} from '../config/load-config.ts';
import {evaluateGate, type GateOutcome} from '../gate/evaluate-gate.ts';
import {junitXml} from '../gate/junit-xml.ts';
import {AssayError, InputError} from '../core/errors.ts';
import {taskKey} from '../core/task-key.ts';
import {asWriteError, writeFileAtomic, writeJsonAtomic, WriteError} from '../core/write-atomic.ts';
import {checkCredentials, DEFAULT_TIMEOUT_MS, keyEnvOf} from '../providers/create-client.ts';
import {writeReports, type RunReports} from '../report/write-reports.ts';
import type {RunMeta, RunModelMeta} from '../rundir/run-meta.ts';
import type {ExecutionMode, Executor, RunOptions} from './executor.ts';
import {withCostNotes} from './cost-notes.ts';
import {latestResults, readJournal} from './journal.ts';
import {planTasks, type PlanOptions, type Task} from './plan-tasks.ts';
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

function digest(loaded: LoadedConfig): string {
  const material = JSON.stringify({
    config: loaded.config,
    providers: loaded.providers,
    suites: loaded.suites.map((s) => ({id: s.id, graders: s.graderDefs, cases: s.cases.map((c) => [c.id, c.messages, c.expected, c.tags])})),
  });
  return `sha256:${createHash('sha256').update(material).digest('hex')}`;
}

/**
 * Refuses (exit 2) a case whose prompt is over the configured size before anything is sent, and warns
 * when a model judges its own answers (judges prefer their own output, which inflates its scores).
 */
function checkPrompts(tasks: Task[], loaded: LoadedConfig, emit: (e: RunEvent) => void): void {
  const max = loaded.config.maxPromptChars;
  const seen = new Set<string>();
  for (const t of tasks) {
    const key = `${t.suite.id}\u0000${t.testCase.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const chars = t.testCase.messages.reduce((n, m) => n + m.content.length, 0);
    if (chars > max) {
      throw new InputError(`case "${t.testCase.id}" of suite "${t.suite.id}" has a prompt of ${chars.toLocaleString('en-US')} characters, over maxPromptChars (${max.toLocaleString('en-US')})`, {
        file: t.testCase.source.file,
        line: t.testCase.source.line,
        hint: 'shorten the case, or raise maxPromptChars in the config if the model really takes prompts this long',
      });
    }
  }
  const selfJudged = new Set<string>();
  for (const t of tasks) {
    if (!t.suite.graders.some((g) => g.judgeModels?.includes(t.model.label))) continue;
    const key = `${t.model.label} in suite "${t.suite.id}"`;
    if (selfJudged.has(key)) continue;
    selfJudged.add(key);
    emit({type: 'warning', message: `${t.model.label} judges its own answers in suite "${t.suite.id}": judges favour their own output, so its scores are inflated; use another model as judge`});
  }
}

/** Where a run starts from: nothing (fresh), run.json (--resume), or the journal when run.json is torn or missing. */
interface StartingPoint {
  meta: RunMeta | null;
  planOptions: PlanOptions;
  /** Why run.json had to be rebuilt from the journal and config (null when it was read, or the run is fresh). */
  rebuiltBecause: string | null;
  journaled: ReturnType<typeof readJournal> | null;
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
  const journaled = readJournal(join(dir, 'results.jsonl'));
  // What the run covered, as far as its journal shows; flags given now take precedence.
  const seen = journaled.results;
  return {
    meta: null,
    planOptions: {
      ...planOptions,
      suites: opts.suites ?? [...new Set(seen.map((r) => r.suiteId))],
      models: opts.models ?? [...new Set(seen.map((r) => r.model))],
      repeat: opts.repeat ?? (seen.length > 0 ? Math.max(...seen.map((r) => r.repeat)) + 1 : undefined),
    },
    rebuiltBecause: read.problem,
    journaled,
  };
}

/** Keys are checked before anything is written: a missing key leaves no empty run directory behind. */
function checkKeys(tasks: Task[], loaded: LoadedConfig): void {
  const judgeLabels = new Set(tasks.flatMap((t) => t.suite.graders.flatMap((g) => g.judgeModels ?? [])));
  for (const m of new Set([...tasks.map((t) => t.model), ...[...judgeLabels].map((l) => loaded.models.get(l)!).filter(Boolean)])) checkCredentials(m.provider);
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
 * On --resume, the tasks already finished (errors too with --no-retry-errors). Refuses (exit 2) when a
 * finished one would now be sent differently.
 */
function finishedKeys(opts: RunOptions, dir: string, journaled: StartingPoint['journaled'], fingerprints: Map<string, string>): Set<string> {
  const done = new Set<string>();
  const retryErrors = opts.retryErrors ?? true;
  const changed: string[] = [];
  for (const r of latestResults((journaled ?? readJournal(join(dir, 'results.jsonl'))).results)) {
    const key = taskKey(r.suiteId, r.caseId, r.model, r.repeat);
    const now = fingerprints.get(key);
    const keep = r.status === 'ok' || !retryErrors;
    // Errors are sent again, so a config fixed after them (a param a model refused) is no conflict.
    if (keep && now && r.fingerprint && r.fingerprint !== now) changed.push(`${r.suiteId}/${r.caseId} on ${r.model}`);
    if (keep) done.add(key);
  }
  if (changed.length > 0) {
    throw new InputError(
      `cannot resume: ${changed.length} finished request(s) would now be sent differently (prompt, params, model id or graders changed), e.g. ${changed.slice(0, 3).join(', ')}`,
      {file: opts.resume, hint: 'restore the config, suites and datasets the run started with, or start a new run'},
    );
  }
  return done;
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
    configDigest: digest(loaded),
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
  const reports = await writeReports(dir, runId);
  const runGate = loaded.config.gate || opts.gate ? {...loaded.config.gate, ...opts.gate} : undefined;
  const gate = evaluateGate(reports.results, runGate, Object.fromEntries(loaded.suites.map((s) => [s.id, s.gate])));
  if (gate) {
    reports.summary.gate = gate;
    writeJsonAtomic(reports.files.summary, reports.summary);
    // The report page shows the gate too: rebuild it now that summary.json carries the verdict.
    Object.assign(reports, await writeReports(dir, runId, {keepGate: true}));
  }
  if (opts.junit) {
    const junitFile = resolve(cwd, opts.junit);
    try {
      mkdirSync(dirname(junitFile), {recursive: true});
    } catch (error) {
      throw asWriteError(dirname(junitFile), error);
    }
    writeFileAtomic(junitFile, junitXml(runId, reports.results, gate));
  }
  return {...reports, gate};
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
  const tasks = planTasks(loaded, planOptions);
  checkPrompts(tasks, loaded, emit);
  checkKeys(tasks, loaded);

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
    const fingerprints = new Map(tasks.map((t) => [t.key, taskFingerprint(t)]));
    const done = fresh ? new Set<string>() : finishedKeys(opts, dir, start.journaled, fingerprints);
    start.meta?.resumedAt.push(new Date().toISOString());
    const pending = tasks.filter((t) => !done.has(t.key));
    const usedModels = new Map<string, LoadedModel>();
    for (const t of tasks) usedModels.set(t.model.label, t.model);
    if (rebuiltBecause) emit(rebuiltWarning(rebuiltBecause, loaded, planOptions));
    const runMeta = start.meta ?? newRunMeta(runId, cwd, loaded, planOptions, usedModels, opts.argv);
    if (rebuiltBecause) runMeta.resumedAt.push(new Date().toISOString());
    writeJsonAtomic(join(dir, 'run.json'), runMeta);
    resumable = true;
    writeRunMedia(dir, tasks.map((t) => t.testCase));

    // Batch mode (provider batch APIs) when asked, or when resuming a run that was started in it.
    const mode: ExecutionMode = opts.batch || runMeta.options.batch ? 'batch' : opts.queue || runMeta.queue ? 'queue' : 'local';
    const run = await EXECUTORS[mode]();
    const execution = await run({loaded, opts, runId, dir, tasks, pending, usedModels, fingerprints, emit: withCostNotes(emit, loaded), meta: runMeta});
    runMeta.endedAt = new Date().toISOString();
    runMeta.interrupted = execution.interrupted;
    if (execution.fatal) {
      await saveWhatCan(dir, runId, runMeta);
      emit({type: 'end', interrupted: execution.interrupted});
      throw execution.fatal;
    }
    const finished = await finishRun(dir, runId, runMeta, loaded, opts, cwd);
    emit({type: 'end', interrupted: execution.interrupted});
    return {...finished, runId, dir, interrupted: execution.interrupted, executed: execution.executed, skipped: tasks.length - pending.length};
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
    const sample = outcome.results.find((r) => r.status === 'error')?.error;
    throw new AssayError('all-failed', `every request failed (mostly ${cls})${sample ? `: ${sample.message}` : ''}`, {hint: sample?.hint ?? undefined, exitCode: 3});
  }
}
