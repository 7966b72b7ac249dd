import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync, rmSync} from 'node:fs';
import {basename, dirname, join, resolve} from 'node:path';
import {ResponseCache} from '../cache/response-cache.ts';
import {loadConfig, type LoadedConfig, type LoadedModel} from '../config/load-config.ts';
import type {GateDef} from '../config/schema.ts';
import {evaluateGate, type GateOutcome} from '../gate/evaluate-gate.ts';
import {junitXml} from '../gate/junit-xml.ts';
import {AssayError, InputError} from '../core/errors.ts';
import {asWriteError, writeFileAtomic, writeJsonAtomic, WriteError} from '../core/write-atomic.ts';
import type {ErrorCause, ModelParams, Result} from '../core/types.ts';
import {DEFAULT_TIMEOUT_MS, keyEnvOf} from '../providers/create-client.ts';
import type {ClientWarning, ProviderClient} from '../providers/provider-client.ts';
import {writeReports, type RunReports} from '../report/write-reports.ts';
import type {Sandbox} from '../sandbox/sandbox-server.ts';
import {sandboxFor} from '../sandbox/start-sandbox.ts';
import type {BreakerState, BreakerTransition} from '../traffic/circuit-breaker.ts';
import {TrafficControl} from '../traffic/traffic-control.ts';
import {withCostNotes} from './cost-notes.ts';
import {createModelCaller} from './create-model-caller.ts';
import {executeTask} from './execute-task.ts';
import {checkCredentials} from '../providers/create-client.ts';
import {JournalWriter, journalWriteError, latestResults, readJournal} from './journal.ts';
import {openClients} from './open-clients.ts';
import {startEvent} from './start-event.ts';
import {planTasks, type PlanOptions, type Task} from './plan-tasks.ts';
import {readResumeMeta} from './resume-meta.ts';
import {acquireRunLock} from './run-lock.ts';
import {taskFingerprint} from './task-fingerprint.ts';

export interface RunOptions extends PlanOptions {
  config?: string;
  cwd?: string;
  outDir?: string;
  concurrency?: number;
  /** A run directory to continue: only missing (and, by default, errored) requests are sent again. */
  resume?: string;
  /** With resume: also re-send requests whose latest result is an error (default true). */
  retryErrors?: boolean;
  /** Bypass the response cache: no reads, no writes. */
  noCache?: boolean;
  /** Aborting stops scheduling: requests in flight finish and are journaled (a first Ctrl+C). */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Recorded in run.json; secrets never appear in it because config holds only env var names. */
  argv?: string[];
  /** Overrides the config's sandbox latency scale (tests use 0). */
  sandboxLatencyScale?: number;
  /** Gate thresholds that override the config's `gate` field by field (the CLI's --min-pass-rate etc.). */
  gate?: GateDef;
  /** Write JUnit XML here (suites, cases and gate checks) for CI systems. */
  junit?: string;
  /** A config already loaded (and possibly with generated suites, as A/B has): used instead of loading `config`. */
  prepared?: LoadedConfig;
  /** With `batch` (provider batch APIs): the first poll interval in ms; polls back off from it (default 2000). */
  batchPollMs?: number;
  /** redis://HOST:PORT: enqueue every request on this Redis for `assay worker` processes (see executeQueue). */
  queue?: string;
}

export interface ModelTrafficSnapshot {
  label: string;
  inFlight: number;
  throttled: number;
  breaker: BreakerState | null;
}

export type RunEvent =
  | {type: 'start'; runId: string; dir: string; total: number; skipped: number; models: {label: string; total: number; simulated: boolean}[]}
  | {type: 'result'; result: Result}
  | {type: 'retry'; model: string; caseId: string; reason: string; waitMs: number; message?: string}
  | {type: 'breaker'; model: string; from: BreakerState; to: BreakerState; cause?: ErrorCause}
  | {type: 'traffic'; models: ModelTrafficSnapshot[]}
  | {type: 'warning'; message: string}
  /** Batch mode: a batch was submitted, moved on, or was downloaded. */
  | {type: 'batch'; model: string; batchId: string; status: string; finished: number; total: number}
  | {type: 'end'; interrupted: boolean};

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

export interface RunMeta {
  id: string;
  configFile: string;
  configDigest: string;
  options: PlanOptions;
  startedAt: string;
  endedAt: string | null;
  resumedAt: string[];
  interrupted: boolean;
  argv: string[];
  versions: Record<string, string>;
  simulated: boolean;
  models: Record<string, RunModelMeta>;
  breakerTransitions: Array<BreakerTransition & {model: string}>;
  /** Queue mode: the Redis URL (password redacted) and the run's queue id, so --resume continues there. */
  queue?: {url: string; id: string};
}

/** What run.json records per model: enough for a gateway export to call it as it was measured (never a key, only its variable's name). */
export interface RunModelMeta {
  provider: string;
  type: string;
  model: string;
  pricing: unknown;
  simulated: boolean;
  wire?: string;
  baseURL?: string;
  keyEnv?: string;
  timeoutMs?: number;
  params?: Pick<ModelParams, 'temperature' | 'maxTokens' | 'topP'>;
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

export function cacheFor(loaded: LoadedConfig, opts: RunOptions): ResponseCache | null {
  const setting = loaded.config.cache;
  if (opts.noCache || setting === false || (typeof setting === 'object' && setting.enabled === false)) return null;
  return new ResponseCache(resolve(loaded.rootDir, (typeof setting === 'object' && setting.dir) || '.assay/cache'));
}

/** The cache serves real providers at temperature 0 by default; `cache: true|false` on a provider decides outright. */
export function cacheable(task: Task): boolean {
  const p = task.model.provider;
  if (p.cache !== undefined) return p.cache;
  if (p.type === 'sandbox') return false;
  return ({...task.model.params, ...task.suite.params}).temperature === 0;
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

/** Runs suites × models × repeats and writes the run directory. Everything `assay run` does. */
export async function runBenchmark(opts: RunOptions = {}): Promise<RunOutcome> {
  const cwd = opts.cwd ?? process.cwd();
  const emit = opts.onEvent ?? (() => {});
  let meta: RunMeta | null = null;
  let dir: string;
  let planOptions: PlanOptions = {suites: opts.suites, models: opts.models, repeat: opts.repeat, sample: opts.sample, seed: opts.seed, batch: opts.batch || undefined};

  // Set when --resume finds run.json torn or missing: the metadata is rebuilt from the journal and config.
  let rebuiltBecause: string | null = null;
  let journaled: ReturnType<typeof readJournal> | null = null;
  if (opts.resume) {
    dir = resolve(cwd, opts.resume);
    const read = readResumeMeta(dir, opts.resume);
    if (read.rebuilt) {
      rebuiltBecause = read.problem;
      journaled = readJournal(join(dir, 'results.jsonl'));
      // What the run covered, as far as its journal shows; flags given now take precedence.
      const seen = journaled.results;
      planOptions = {
        ...planOptions,
        suites: opts.suites ?? [...new Set(seen.map((r) => r.suiteId))],
        models: opts.models ?? [...new Set(seen.map((r) => r.model))],
        repeat: opts.repeat ?? (seen.length > 0 ? Math.max(...seen.map((r) => r.repeat)) + 1 : undefined),
      };
    } else {
      meta = read.meta;
      meta.breakerTransitions ??= [];
      meta.resumedAt ??= [];
      planOptions = meta.options;
    }
  }
  const loaded = opts.prepared ?? (await loadConfig(opts.config ?? meta?.configFile, {cwd}));
  const tasks = planTasks(loaded, planOptions);
  checkPrompts(tasks, loaded, emit);
  // Keys are checked before anything is written: a missing key leaves no empty run directory behind.
  const judgeLabels = new Set(tasks.flatMap((t) => t.suite.graders.flatMap((g) => g.judgeModels ?? [])));
  for (const m of new Set([...tasks.map((t) => t.model), ...[...judgeLabels].map((l) => loaded.models.get(l)!).filter(Boolean)])) checkCredentials(m.provider);

  const outDir = resolve(loaded.rootDir, opts.outDir ?? loaded.config.outDir);
  let runId: string;
  const fresh = !opts.resume;
  if (!fresh) {
    runId = meta?.id ?? basename(dir!);
  } else {
    try {
      mkdirSync(outDir, {recursive: true});
      runId = newRunId(outDir);
    } catch (error) {
      throw asWriteError(outDir, error);
    }
    dir = join(outDir, runId);
  }
  dir = dir!;
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
    const done = new Set<string>();
    if (opts.resume) {
      const retryErrors = opts.retryErrors ?? true;
      const changed: string[] = [];
      for (const r of latestResults((journaled ?? readJournal(join(dir, 'results.jsonl'))).results)) {
        const key = JSON.stringify([r.suiteId, r.caseId, r.model, r.repeat]);
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
      meta?.resumedAt.push(new Date().toISOString());
    }
    const pending = tasks.filter((t) => !done.has(t.key));

    const usedModels = new Map<string, LoadedModel>();
    for (const t of tasks) usedModels.set(t.model.label, t.model);
    if (rebuiltBecause) {
      emit({
        type: 'warning',
        message: `${rebuiltBecause}: rebuilt it from results.jsonl and ${loaded.file} (suites ${planOptions.suites?.join(', ')}; models ${planOptions.models?.join(', ')}; repeat ${planOptions.repeat ?? loaded.config.repeat}${planOptions.sample ? `; sample ${planOptions.sample}` : ''}). If the run was started with other --suite/--model/--repeat/--sample flags, pass them with --resume`,
      });
    }
    meta ??= {
      id: runId,
      configFile: resolve(cwd, loaded.file),
      configDigest: digest(loaded),
      options: planOptions,
      startedAt: new Date().toISOString(),
      endedAt: null,
      resumedAt: [],
      interrupted: false,
      argv: opts.argv ?? [],
      versions: versions(),
      simulated: [...usedModels.values()].some((m) => m.provider.type === 'sandbox'),
      models: Object.fromEntries(
        [...usedModels.values()].map((m) => [m.label, runModelMeta(m)]),
      ),
      breakerTransitions: [],
    };
    if (rebuiltBecause) meta.resumedAt.push(new Date().toISOString());
    const runMeta = meta;
    writeJsonAtomic(join(dir, 'run.json'), runMeta);
    resumable = true;

    // Batch mode (provider batch APIs) when asked, or when resuming a run that was started in it.
    const run = opts.batch || runMeta.options.batch
      ? (await import('../batch/execute-batch.ts')).executeBatch
      : opts.queue || runMeta.queue
        ? (await import('../queue/execute-queue.ts')).executeQueue
        : execute;
    const execution = await run({loaded, opts, runId, dir, tasks, pending, usedModels, fingerprints, emit: withCostNotes(emit, loaded), meta: runMeta});
    runMeta.endedAt = new Date().toISOString();
    runMeta.interrupted = execution.interrupted;
    if (execution.fatal) {
      // The journal could not be written (a full disk): what can still be saved is, atomically, and the
      // journal's failure is what the user sees.
      try {
        writeJsonAtomic(join(dir, 'run.json'), runMeta);
        await writeReports(dir, runId);
      } catch {
        // the same disk refuses these too; nothing is left torn, and --resume rebuilds them
      }
      emit({type: 'end', interrupted: execution.interrupted});
      throw execution.fatal;
    }
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
    emit({type: 'end', interrupted: execution.interrupted});
    return {...reports, gate, runId, dir, interrupted: execution.interrupted, executed: execution.executed, skipped: tasks.length - pending.length};
  } catch (error) {
    const failure = asWriteError(dir, error);
    if (!(failure instanceof WriteError)) throw failure;
    if (!resumable) {
      releaseLock();
      rmSync(dir, {recursive: true, force: true});
      throw new WriteError(failure.path, failure.errno, {hint: `${failure.hint}, then run again (nothing was sent; the run directory was removed)`, cause: failure});
    }
    throw failure.withResume(`assay run --resume ${dir}`);
  } finally {
    releaseLock();
  }
}

/** What an executor (in-process pool, provider batch APIs, a Redis queue) gets: tasks to send and where results go. */
export interface ExecuteArgs {
  loaded: LoadedConfig;
  opts: RunOptions;
  runId: string;
  dir: string;
  tasks: Task[];
  /** Tasks without a finished result in the journal yet. */
  pending: Task[];
  usedModels: Map<string, LoadedModel>;
  fingerprints: Map<string, string>;
  emit: (e: RunEvent) => void;
  meta: RunMeta;
}

export interface ExecutionOutcome {
  interrupted: boolean;
  executed: number;
  fatal: AssayError | null;
}

export type Executor = (args: ExecuteArgs) => Promise<ExecutionOutcome>;

/** The in-process executor (the default); batch mode also uses it for models without a batch API. */
export async function execute(args: ExecuteArgs): Promise<ExecutionOutcome> {
  const {loaded, opts, runId, dir, tasks, pending, usedModels, emit} = args;
  // Judge models need clients too, though they answer no suite themselves.
  const judgeLabels = new Set(tasks.flatMap((t) => t.suite.graders.flatMap((g) => g.judgeModels ?? [])));
  const clientModels = [...usedModels.values(), ...[...judgeLabels].map((l) => loaded.models.get(l)!).filter(Boolean)];
  // The sandbox starts in-process when a used provider is simulated and names no external baseURL.
  let sandbox: Sandbox | null = null;
  if (clientModels.some((m) => m.provider.type === 'sandbox' && !m.provider.baseURL)) {
    sandbox = sandboxFor(loaded, {latencyScale: opts.sandboxLatencyScale});
    await sandbox.listen();
  }

  const warned = new Set<string>();
  const warn = (w: ClientWarning) => {
    const message = `${w.providerId}: ${w.message}`;
    if (!warned.has(message)) {
      warned.add(message);
      emit({type: 'warning', message});
    }
  };
  const clients = new Map<string, ProviderClient>();
  const journal = new JournalWriter(join(dir, 'results.jsonl'));
  // `stop`: no new requests (first Ctrl+C, or a fatal error). `hard`: abort requests in flight too.
  const stop = new AbortController();
  const hard = new AbortController();
  const onStop = () => stop.abort();
  opts.signal?.addEventListener('abort', onStop, {once: true});
  const traffic = new TrafficControl(opts.concurrency ?? loaded.config.concurrency, (t) => {
    args.meta.breakerTransitions.push(t);
    emit({type: 'breaker', model: t.model, from: t.from, to: t.to, ...(t.cause && {cause: t.cause})});
  });
  const cache = cacheFor(loaded, opts);
  const callModel = createModelCaller(loaded, clients, traffic, hard.signal);
  const inFlight = new Map<string, number>();
  let executed = 0;
  let fatal: AssayError | null = null;
  let ticker: NodeJS.Timeout | null = null;

  try {
    await openClients(clientModels, sandbox, warn, clients);
    emit(startEvent(args));
    ticker = setInterval(() => {
      emit({
        type: 'traffic',
        models: [...usedModels.values()].map((m) => ({label: m.label, inFlight: inFlight.get(m.label) ?? 0, throttled: traffic.throttled(m), breaker: traffic.for(m).breaker?.state ?? null})),
      });
    }, 250);
    ticker.unref();

    const runOne = async (task: Task) => {
      const queuedAt = performance.now();
      inFlight.set(task.model.label, (inFlight.get(task.model.label) ?? 0) + 1);
      let result: Result | null;
      try {
        result = await executeTask(
          task,
          {
            runId,
            client: clients.get(task.model.provider.id)!,
            signal: hard.signal,
            stop: stop.signal,
            traffic: traffic.for(task.model),
            global: traffic.global,
            cache: cacheable(task) ? cache : null,
            callModel,
            onRetry: (t, reason, waitMs, message) => emit({type: 'retry', model: t.model.label, caseId: t.testCase.id, reason, waitMs, message}),
          },
          queuedAt,
        );
      } finally {
        inFlight.set(task.model.label, (inFlight.get(task.model.label) ?? 1) - 1);
      }
      if (result === null || fatal) return;
      // A request cut short by a hard abort is not a result: --resume sends it again.
      if (hard.signal.aborted && result.status === 'error') return;
      result.fingerprint = args.fingerprints.get(task.key);
      try {
        journal.append(result);
      } catch (error) {
        fatal = journalWriteError(journal.file, error, executed, `assay run --resume ${dir}`);
        stop.abort();
        hard.abort();
        return;
      }
      executed++;
      emit({type: 'result', result});
    };

    // Per model, a pool of workers as wide as the model can go, pulling tasks in order: live tasks stay
    // bounded by concurrency (memory stays flat at 100,000 cases), and each model moves at its own pace.
    const globalConcurrency = opts.concurrency ?? loaded.config.concurrency;
    const queues = new Map<string, Task[]>();
    for (const t of pending) (queues.get(t.model.label) ?? queues.set(t.model.label, []).get(t.model.label)!).push(t);
    await Promise.all(
      [...queues.values()].flatMap((queue) => {
        const model = queue[0]!.model;
        const width = Math.min(queue.length, model.limits?.concurrency ?? model.provider.limits?.concurrency ?? globalConcurrency);
        let next = 0;
        return Array.from({length: width}, async () => {
          while (next < queue.length && !stop.signal.aborted) await runOne(queue[next++]!);
        });
      }),
    );
  } finally {
    if (ticker) clearInterval(ticker);
    try {
      journal.close();
    } catch {
      // the write error already stopped the run; closing a full disk's file may fail too
    }
    opts.signal?.removeEventListener('abort', onStop);
    await sandbox?.close();
  }
  return {interrupted: stop.signal.aborted && !fatal, executed, fatal};
}

export function assertSomeSucceeded(outcome: RunOutcome): void {
  const s = outcome.summary.overall;
  if (s.n > 0 && s.ok === 0 && !outcome.interrupted) {
    const [cls] = Object.entries(s.errorsByClass).sort((a, b) => b[1] - a[1])[0] ?? ['unknown'];
    const sample = outcome.results.find((r) => r.status === 'error')?.error;
    throw new AssayError('all-failed', `every request failed (mostly ${cls})${sample ? `: ${sample.message}` : ''}`, {hint: sample?.hint ?? undefined, exitCode: 3});
  }
}
