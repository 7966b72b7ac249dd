import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import {join, resolve} from 'node:path';
import pLimit, {type LimitFunction} from 'p-limit';
import {loadConfig, type LoadedConfig, type LoadedModel} from '../config/load-config.ts';
import {AssayError, InputError} from '../core/errors.ts';
import type {Result} from '../core/types.ts';
import {createProviderClient} from '../providers/create-client.ts';
import type {ClientWarning, ProviderClient} from '../providers/provider-client.ts';
import {writeReports, type RunReports} from '../report/write-reports.ts';
import type {Sandbox} from '../sandbox/sandbox-server.ts';
import {sandboxFor} from '../sandbox/start-sandbox.ts';
import {executeTask} from './execute-task.ts';
import {JournalWriter, latestResults, readJournal} from './journal.ts';
import {planTasks, type PlanOptions, type Task} from './plan-tasks.ts';

export interface RunOptions extends PlanOptions {
  config?: string;
  cwd?: string;
  outDir?: string;
  concurrency?: number;
  /** A run directory to continue: only missing or errored requests are sent again. */
  resume?: string;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Recorded in run.json; secrets never appear in it because config holds only env var names. */
  argv?: string[];
  /** Overrides the config's sandbox latency scale (tests use 0). */
  sandboxLatencyScale?: number;
}

export type RunEvent =
  | {type: 'start'; runId: string; dir: string; total: number; skipped: number; models: {label: string; total: number; simulated: boolean}[]}
  | {type: 'result'; result: Result}
  | {type: 'retry'; model: string; caseId: string; reason: string; waitMs: number}
  | {type: 'warning'; message: string}
  | {type: 'end'; interrupted: boolean};

export interface RunOutcome extends RunReports {
  runId: string;
  dir: string;
  interrupted: boolean;
  /** Requests sent in this invocation (a resumed run skips finished ones). */
  executed: number;
  skipped: number;
}

interface RunMeta {
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
  models: Record<string, {provider: string; type: string; model: string; pricing: unknown; simulated: boolean}>;
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

/** Runs suites × models × repeats and writes the run directory. Everything `assay run` does. */
export async function runBenchmark(opts: RunOptions = {}): Promise<RunOutcome> {
  const cwd = opts.cwd ?? process.cwd();
  const emit = opts.onEvent ?? (() => {});
  let meta: RunMeta | null = null;
  let dir: string;
  let planOptions: PlanOptions = {suites: opts.suites, models: opts.models, repeat: opts.repeat, sample: opts.sample, seed: opts.seed};

  if (opts.resume) {
    dir = resolve(cwd, opts.resume);
    const metaFile = join(dir, 'run.json');
    if (!existsSync(metaFile)) throw new InputError('not a run directory (no run.json)', {file: opts.resume, hint: 'pass a directory written by `assay run`, e.g. reports/<runId>'});
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as RunMeta;
    planOptions = meta.options;
  }
  const loaded = await loadConfig(opts.config ?? meta?.configFile, {cwd});
  const tasks = planTasks(loaded, planOptions);

  const outDir = resolve(loaded.rootDir, opts.outDir ?? loaded.config.outDir);
  let runId: string;
  if (meta) {
    runId = meta.id;
    if (meta.configDigest !== digest(loaded)) emit({type: 'warning', message: 'the config, suites or datasets changed since this run started; finished results are kept as they are'});
    meta.resumedAt.push(new Date().toISOString());
  } else {
    mkdirSync(outDir, {recursive: true});
    runId = newRunId(outDir);
    dir = join(outDir, runId);
  }
  dir = dir!;

  const done = new Set<string>();
  if (meta) {
    for (const r of latestResults(readJournal(join(dir, 'results.jsonl')).results)) {
      if (r.status === 'ok') done.add(JSON.stringify([r.suiteId, r.caseId, r.model, r.repeat]));
    }
  }
  const pending = tasks.filter((t) => !done.has(t.key));

  const usedModels = new Map<string, LoadedModel>();
  for (const t of tasks) usedModels.set(t.model.label, t.model);
  const simulated = [...usedModels.values()].some((m) => m.provider.type === 'sandbox');
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
    simulated,
    models: Object.fromEntries(
      [...usedModels.values()].map((m) => [m.label, {provider: m.provider.id, type: m.provider.type, model: m.model, pricing: m.pricing, simulated: m.provider.type === 'sandbox'}]),
    ),
  };
  await writeFile(join(dir, 'run.json'), `${JSON.stringify(meta, null, 2)}\n`);

  // The sandbox starts in-process when a used provider is simulated and names no external baseURL.
  let sandbox: Sandbox | null = null;
  const inProcess = [...usedModels.values()].filter((m) => m.provider.type === 'sandbox' && !m.provider.baseURL);
  if (inProcess.length > 0) {
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
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  opts.signal?.addEventListener('abort', onAbort, {once: true});
  let executed = 0;

  try {
    for (const m of usedModels.values()) {
      if (clients.has(m.provider.id)) continue;
      const baseURL = sandbox && m.provider.type === 'sandbox' && !m.provider.baseURL ? sandbox.baseURLFor(m.provider.wire!) : undefined;
      clients.set(m.provider.id, await createProviderClient(m.provider, {warn, baseURL}));
    }

    const perModel = new Map<string, number>();
    for (const t of pending) perModel.set(t.model.label, (perModel.get(t.model.label) ?? 0) + 1);
    emit({
      type: 'start',
      runId,
      dir,
      total: pending.length,
      skipped: tasks.length - pending.length,
      models: [...usedModels.values()].map((m) => ({label: m.label, total: perModel.get(m.label) ?? 0, simulated: m.provider.type === 'sandbox'})),
    });

    const global = pLimit(opts.concurrency ?? loaded.config.concurrency);
    const providerLimits = new Map<string, LimitFunction>();
    const modelLimits = new Map<string, LimitFunction>();
    const limiterFor = (t: Task): ((fn: () => Promise<Result>) => Promise<Result>) => {
      const p = t.model.provider;
      let pl = providerLimits.get(p.id);
      if (!pl) providerLimits.set(p.id, (pl = pLimit(p.limits?.concurrency ?? Number.POSITIVE_INFINITY)));
      let ml = modelLimits.get(t.model.label);
      if (!ml) modelLimits.set(t.model.label, (ml = pLimit(t.model.limits?.concurrency ?? Number.POSITIVE_INFINITY)));
      // Narrowest slot first: a task waiting on its provider must not hold a global slot others could use.
      return (fn) => ml!(() => pl!(() => global(fn)));
    };

    await Promise.all(
      pending.map((task) => {
        const queuedAt = performance.now();
        return limiterFor(task)(async () => {
          if (abort.signal.aborted) return null as unknown as Result;
          const result = await executeTask(task, {
            runId,
            client: clients.get(task.model.provider.id)!,
            signal: abort.signal,
            onRetry: (t, reason, waitMs) => emit({type: 'retry', model: t.model.label, caseId: t.testCase.id, reason, waitMs}),
          }, queuedAt);
          // A request cut short by Ctrl+C is not a result: it will be sent again on --resume.
          if (abort.signal.aborted && result.status === 'error') return result;
          journal.append(result);
          executed++;
          emit({type: 'result', result});
          return result;
        });
      }),
    );
  } finally {
    journal.close();
    opts.signal?.removeEventListener('abort', onAbort);
    await sandbox?.close();
  }

  const interrupted = abort.signal.aborted;
  meta.endedAt = new Date().toISOString();
  meta.interrupted = interrupted;
  await writeFile(join(dir, 'run.json'), `${JSON.stringify(meta, null, 2)}\n`);
  const reports = await writeReports(dir, runId);
  emit({type: 'end', interrupted});
  return {...reports, runId, dir, interrupted, executed, skipped: tasks.length - pending.length};
}

export function assertSomeSucceeded(outcome: RunOutcome): void {
  const s = outcome.summary.overall;
  if (s.n > 0 && s.ok === 0 && !outcome.interrupted) {
    const [cls] = Object.entries(s.errorsByClass).sort((a, b) => b[1] - a[1])[0] ?? ['unknown'];
    const sample = outcome.results.find((r) => r.status === 'error')?.error;
    throw new AssayError('all-failed', `every request failed (mostly ${cls})${sample ? `: ${sample.message}` : ''}`, {hint: sample?.hint ?? undefined, exitCode: 3});
  }
}
