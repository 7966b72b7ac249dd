import {mkdirSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {loadTraffic} from '../ab/load-traffic.ts';
import {closestIds} from '../check/closest-ids.ts';
import {loadConfig, type LoadedModel} from '../config/load-config.ts';
import {InputError} from '../core/errors.ts';
import {createProviderClient, DEFAULT_TIMEOUT_MS} from '../providers/create-client.ts';
import type {ClientWarning} from '../providers/provider-client.ts';
import {startSandboxProcess, type SandboxProcess} from '../sandbox/sandbox-process.ts';
import {DEFAULT_RETRY} from '../runner/retry-policy.ts';
import {resolveSimModel} from '../sandbox/sim-model.ts';
import {Semaphore} from '../traffic/semaphore.ts';
import {TrafficControl} from '../traffic/traffic-control.ts';
import type {ArrivalProcess} from './arrivals.ts';
import {describeLength, parseLengthDist, type LengthDist} from './length-dist.ts';
import type {LoadReport, ModelLoad, RequestRecord, Slo, StepBounds, StepPlan, StepResult} from './load-types.ts';
import {parseSlo} from './parse-slo.ts';
import {runStep, type LoadTarget} from './run-step.ts';
import {saturationRps, stepStats} from './step-stats.ts';
import type {WorkloadSpec} from './workload.ts';
import {writeLoadRun} from './write-load.ts';

export type LoadProfile = 'concurrency' | 'rate' | 'sweep';

export interface LoadOptions {
  config?: string;
  cwd?: string;
  /** Model labels; default every chat model of the config. */
  models?: string[];
  profile: LoadProfile;
  /** concurrency: requests in flight; sweep: the throughput probe's concurrency (default 32). */
  concurrency?: number;
  /** rate: requests per second offered. */
  rateRps?: number;
  /** Arrival process of open-loop steps (default poisson for `rate`, constant for `sweep`). */
  arrivals?: ArrivalProcess;
  /** Gamma shape of poisson arrivals (1 = Poisson; lower = burstier). */
  burstiness?: number;
  /** Each step's measured window, in seconds. */
  durationS?: number;
  /** Each step's measured requests (default 50 when no duration is given). */
  requests?: number;
  /** Requests sent first and left out of every number (default: the concurrency, or one second of the rate, at most 20). */
  warmup?: number;
  /** sweep: open-loop steps between the synchronous and the maximum rate (default 5). */
  sweepSteps?: number;
  inputTokens?: string | LengthDist;
  outputTokens?: string | LengthDist;
  /** Cycle through this suite's cases instead of synthetic prompts. */
  suite?: string;
  /** Cycle through a traffic sample's requests (JSONL of chat requests, or CSV with a prompt column), as `assay ab` reads them. */
  sample?: string;
  slo?: string | Slo;
  stream?: boolean;
  allowCache?: boolean;
  ignoreLimits?: boolean;
  /** Retry failed requests inside a step with the provider's retry policy (off by default: retries hide saturation). */
  retry?: boolean;
  seed?: number;
  /** Reports directory (default the config's outDir). */
  outDir?: string;
  sandboxLatencyScale?: number;
  signal?: AbortSignal;
  onEvent?: (event: LoadEvent) => void;
  argv?: string[];
}

export type LoadEvent =
  | {type: 'start'; runId: string; dir: string; models: string[]; targets?: {label: string; model: string; providerType: string}[]}
  | {type: 'step-start'; model: string; index: number; plan: StepPlan}
  | {type: 'step'; model: string; step: StepResult}
  /** One request ended; its times are ms after stepStartedAtEpochMs. */
  | {type: 'request'; record: RequestRecord; stepStartedAtEpochMs: number}
  | {type: 'warning'; message: string};

export interface LoadOutcome {
  dir: string;
  report: LoadReport;
  records: RequestRecord[];
  interrupted: boolean;
}

/** The generator's own ceiling on requests in flight, whatever the config says: an open loop against a hung server must not grow without bound. */
export const MAX_IN_FLIGHT = 2048;

export const DEFINITIONS: Record<string, string> = {
  ttftMs: 'first streamed text chunk − request sent (after any client-side limit wait)',
  itlMs: 'gaps between consecutive streamed text chunks, pooled over every request (vLLM ITL)',
  tpotMs: 'per request (last chunk − first chunk) / (output tokens − 1) (vLLM TPOT; guidellm ITL)',
  e2eMs: 'stream or response complete − request sent',
  ttftFromScheduledMs: 'first chunk − scheduled send time: includes generator lag and limit waits (no coordinated omission)',
  e2eFromScheduledMs: 'complete − scheduled send time',
  achievedRps: 'successful completions per second over the first-to-last completion span',
  goodputRps: 'successful requests meeting every SLO per second (same span); TTFT and E2E SLOs count from the scheduled send',
  saturationRps: 'highest valid open-loop step, walking up from the lowest rate, whose goodput was at least 90% of its schedule\'s realized rate (scheduledRps)',
  valid: 'false when the generator dispatched under 90% of the rate its schedule asked for (scheduledRps) or its p95 lag exceeded 100 ms',
};

/** Runs a load test: each model in turn, each step in turn; writes load.json, load.csv and load.html. */
export async function runLoad(opts: LoadOptions): Promise<LoadOutcome> {
  const cwd = opts.cwd ?? process.cwd();
  const loaded = await loadConfig(opts.config, {cwd});
  const models = pickModels([...loaded.models.values()], opts.models);
  const inputTokens = typeof opts.inputTokens === 'string' ? parseLengthDist(opts.inputTokens, 'input-tokens') : (opts.inputTokens ?? {kind: 'fixed', value: 128});
  const outputTokens = typeof opts.outputTokens === 'string' ? parseLengthDist(opts.outputTokens, 'output-tokens') : (opts.outputTokens ?? {kind: 'fixed', value: 64});
  const slo = typeof opts.slo === 'string' ? parseSlo(opts.slo) : (opts.slo ?? {});
  const seed = opts.seed ?? loaded.config.seed ?? 1;
  const stream = opts.stream ?? true;
  const allowCache = opts.allowCache ?? false;
  checkPlan(opts);

  let cases: WorkloadSpec['cases'];
  if (opts.suite) {
    const suite = loaded.suites.find((s) => s.id === opts.suite);
    if (!suite) throw new InputError(`--suite: no suite "${opts.suite}" in the config`, {hint: `known suites: ${loaded.suites.map((s) => s.id).join(', ') || 'none'}`});
    cases = Array.from(suite.cases, (c) => c.messages);
  }
  if (opts.sample) {
    if (opts.suite) throw new InputError('--suite and --sample both name a workload', {hint: 'pass one of them'});
    const traffic = await loadTraffic(resolve(cwd, opts.sample), opts.sample);
    if (traffic.requests.length === 0) throw new InputError('the traffic sample has no usable requests', {file: opts.sample, hint: 'each line needs messages with a user turn (see docs/load.md)'});
    cases = traffic.requests.map((r) => r.messages);
  }
  const workload: WorkloadSpec = {inputTokens, outputTokens, allowCache, cases};
  const outDir = resolve(cwd, opts.outDir ?? loaded.config.outDir ?? 'reports');
  const {runId, dir} = newLoadDir(outDir);
  const startedAt = new Date().toISOString();
  opts.onEvent?.({type: 'start', runId, dir, models: models.map((m) => m.label), targets: models.map((m) => ({label: m.label, model: m.model, providerType: m.provider.type}))});
  const warn = (w: ClientWarning) => opts.onEvent?.({type: 'warning', message: `${w.providerId}: ${w.message}`});

  // Simulated providers with no address of their own get a sandbox in a child process.
  let sandbox: SandboxProcess | null = null;
  const records: RequestRecord[] = [];
  const results: Record<string, ModelLoad> = {};
  try {
    if (models.some((m) => m.provider.type === 'sandbox' && !m.provider.baseURL)) {
      const simulated = [...loaded.models.values()].filter((m) => m.provider.type === 'sandbox');
      sandbox = await startSandboxProcess({
        models: simulated.map((m) => resolveSimModel(m.model, m.sim)),
        seed: loaded.config.sandbox?.seed ?? seed,
        latencyScale: opts.sandboxLatencyScale ?? loaded.config.sandbox?.latencyScale ?? 1,
      });
    }
    const clients = new Map<string, Awaited<ReturnType<typeof createProviderClient>>>();
    for (const m of models) {
      if (opts.signal?.aborted) break;
      let client = clients.get(m.provider.id);
      if (!client) {
        const baseURL = sandbox && m.provider.type === 'sandbox' && !m.provider.baseURL ? sandbox.baseURLFor(m.provider.wire) : undefined;
        clients.set(m.provider.id, (client = await createProviderClient(m.provider, {warn, baseURL})));
      }
      const timeoutMs = m.provider.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const target = (traffic: TrafficControl | null): LoadTarget => {
        const t = traffic?.for(m);
        const slots = [new Semaphore(MAX_IN_FLIGHT), traffic?.global, t?.providerSlots, t?.modelSlots].filter((s): s is Semaphore => Boolean(s));
        return {
          label: m.label,
          model: m.model,
          client: client!,
          stream: stream && m.stream,
          params: m.params,
          timeoutMs,
          stallTimeoutMs: m.provider.stallTimeoutMs ?? Math.min(timeoutMs, 30_000),
          slots,
          limiters: t?.limiters ?? [],
          retry: opts.retry ? {...DEFAULT_RETRY, ...m.provider.retry} : null,
        };
      };
      const steps: StepResult[] = [];
      const run = async (role: StepResult['role'], plan: StepPlan) => {
        const index = steps.length;
        opts.onEvent?.({type: 'step-start', model: m.label, index, plan});
        // Fresh limits per step: a penalty from one step's 429s must not slow the next step's schedule.
        const traffic = opts.ignoreLimits ? null : new TrafficControl(loaded.config.concurrency ?? MAX_IN_FLIGHT);
        const ran = await runStep(target(traffic), plan, bounds(opts, plan), {
          seed,
          runTag: runId,
          stepIndex: index,
          workload,
          signal: opts.signal,
          onRecord: (record, stepStartedAtEpochMs) => opts.onEvent?.({type: 'request', record, stepStartedAtEpochMs}),
        });
        records.push(...ran.records);
        const result = stepStats(index, role, plan, ran.records, slo, ran.startedAtEpochMs);
        steps.push(result);
        opts.onEvent?.({type: 'step', model: m.label, step: result});
        return result;
      };
      let synchronousRps: number | null = null;
      let maxThroughputRps: number | null = null;
      if (opts.profile === 'concurrency') await run('concurrency', {kind: 'concurrency', concurrency: opts.concurrency ?? 8});
      else if (opts.profile === 'rate') await run('rate', {kind: 'rate', rateRps: opts.rateRps!, arrivals: opts.arrivals ?? 'poisson', burstiness: opts.burstiness ?? 1});
      else {
        synchronousRps = (await run('synchronous', {kind: 'concurrency', concurrency: 1})).achievedRps;
        if (!opts.signal?.aborted) maxThroughputRps = (await run('throughput', {kind: 'concurrency', concurrency: opts.concurrency ?? 32})).achievedRps;
        if (maxThroughputRps !== null) {
          for (const rate of sweepRates(synchronousRps, maxThroughputRps, opts.sweepSteps ?? 5)) {
            if (opts.signal?.aborted) break;
            await run('rate', {kind: 'rate', rateRps: rate, arrivals: opts.arrivals ?? 'constant', burstiness: opts.burstiness ?? 1});
          }
        }
      }
      results[m.label] = {
        label: m.label,
        provider: m.provider.id,
        model: m.model,
        simulated: m.provider.type === 'sandbox',
        steps,
        saturationRps: saturationRps(steps),
        synchronousRps,
        maxThroughputRps,
      };
    }
  } finally {
    await sandbox?.close();
  }

  const report: LoadReport = {
    kind: 'load',
    runId,
    startedAt,
    endedAt: new Date().toISOString(),
    profile: opts.profile,
    simulated: models.some((m) => m.provider.type === 'sandbox'),
    workload: {inputTokens: opts.suite ? `suite ${opts.suite}` : opts.sample ? `sample ${opts.sample}` : describeLength(inputTokens), outputTokens: describeLength(outputTokens), stream, allowCache, suite: opts.suite ?? null, sample: opts.sample ?? null, seed},
    slo,
    limits: opts.ignoreLimits ? 'ignored' : 'config',
    retries: Boolean(opts.retry),
    definitions: DEFINITIONS,
    models: results,
  };
  writeLoadRun(dir, report, records, {argv: opts.argv ?? [], configFile: loaded.file});
  return {dir, report, records, interrupted: Boolean(opts.signal?.aborted)};
}

/** guidellm's sweep: rates evenly spaced from the synchronous rate up to the measured maximum, the maximum included. */
export function sweepRates(synchronousRps: number, maxRps: number, count: number): number[] {
  const low = Math.max(synchronousRps, 1e-3);
  const high = Math.max(maxRps, low);
  return Array.from({length: count}, (_, i) => round3(low + ((high - low) * (i + 1)) / count));
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function bounds(opts: LoadOptions, plan: StepPlan): StepBounds {
  const defaultWarmup = plan.kind === 'concurrency' ? plan.concurrency : Math.ceil(plan.rateRps);
  return {
    durationMs: opts.durationS !== undefined ? opts.durationS * 1000 : undefined,
    requests: opts.requests ?? (opts.durationS === undefined ? 50 : undefined),
    warmupRequests: opts.warmup ?? Math.min(20, defaultWarmup),
  };
}

function checkPlan(opts: LoadOptions): void {
  if (opts.profile === 'rate' && !(opts.rateRps !== undefined && opts.rateRps > 0)) {
    throw new InputError('--profile rate needs --rate R (requests per second, above 0)', {hint: 'e.g. assay load --profile rate --rate 5 --duration 30'});
  }
  if (opts.burstiness !== undefined && !(opts.burstiness > 0)) throw new InputError('--burstiness must be above 0', {hint: '1 is a Poisson process; 0.5 burstier; 4 more even'});
  if (opts.durationS !== undefined && !(opts.durationS > 0)) throw new InputError('--duration must be above 0 seconds', {hint: 'e.g. --duration 30'});
  if (opts.requests !== undefined && !(Number.isInteger(opts.requests) && opts.requests > 0)) throw new InputError('--requests must be a whole number above 0', {hint: 'e.g. --requests 100'});
}

function pickModels(all: LoadedModel[], labels: string[] | undefined): LoadedModel[] {
  const chat = all.filter((m) => m.type === 'chat');
  if (!labels || labels.length === 0) {
    if (chat.length === 0) throw new InputError('the config has no chat models to load', {hint: 'add a provider with a chat model, or pass --model LABEL'});
    return chat;
  }
  return labels.map((label) => {
    const m = all.find((x) => x.label === label);
    if (!m) {
      const near = closestIds(label, all.map((x) => x.label));
      throw new InputError(`--model: no model labelled "${label}" in the config`, {hint: near.length > 0 ? `did you mean ${near.join(', ')}?` : `known models: ${all.map((x) => x.label).join(', ')}`});
    }
    if (m.type !== 'chat') throw new InputError(`--model: "${label}" is ${m.type}, not a chat model`, {hint: 'load tests send chat completions'});
    return m;
  });
}

function newLoadDir(outDir: string): {runId: string; dir: string} {
  const stamp = `load-${new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}`;
  mkdirSync(outDir, {recursive: true});
  for (let i = 1; ; i++) {
    const runId = i === 1 ? stamp : `${stamp}-${i}`;
    try {
      mkdirSync(join(outDir, runId));
      return {runId, dir: join(outDir, runId)};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
