import {join, resolve} from 'node:path';
import type {Result} from '../core/types.ts';
import type {RunEvent} from '../runner/run-event.ts';
import {runBenchmark} from '../runner/run-benchmark.ts';
import {detectDrift} from './detect-drift.ts';
import {appendSeries, readSeries, repairSeries} from './series-file.ts';
import type {Drift, SeriesPoint} from './series-point.ts';

export interface MonitorOptions {
  config?: string;
  cwd?: string;
  suites?: string[];
  models?: string[];
  /** Time between cycles' starts, before jitter (ms). */
  intervalMs: number;
  /** Each wait is intervalMs × (1 ± jitter), so many monitors do not fire together. */
  jitter?: number;
  /** Cycles to run this time (default: until stopped). */
  cycles?: number;
  /** Where series.jsonl and the cycles' run directories go (default reports/monitor). */
  dir?: string;
  /** A model's first cycles: its baseline. */
  baselineCycles?: number;
  alpha?: number;
  /** POSTed a JSON {drifts} when a cycle finds drift. */
  webhook?: string;
  /** Stop at the first drift (the command then exits 1). */
  stopOnDrift?: boolean;
  signal?: AbortSignal;
  onCycle?: (cycle: MonitorCycle) => void;
  /** Each cycle's run events (telemetry subscribes here). */
  onEvent?: (event: RunEvent) => void;
  sandboxLatencyScale?: number;
  seed?: () => number;
}

export interface MonitorCycle {
  cycle: number;
  runDir: string;
  points: SeriesPoint[];
  drifts: Drift[];
  /** Cycles before this one in the series (a resumed monitor continues its numbering and baseline). */
  resumedFrom: number;
  webhookError?: string;
}

export interface MonitorOutcome {
  dir: string;
  series: string;
  cycles: number;
  drifts: Drift[];
}

function point(cycle: number, runId: string, model: string, results: Result[]): SeriesPoint {
  const answered = results.filter((r) => r.status === 'ok');
  const graded = answered.filter((r) => r.pass !== null);
  const latencies = answered.filter((r) => !r.cached && r.latencyMs !== null).map((r) => Math.round(r.latencyMs!));
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : null);
  const errorsByClass: Record<string, number> = {};
  for (const r of results) if (r.status === 'error') errorsByClass[r.error?.class ?? 'unknown'] = (errorsByClass[r.error?.class ?? 'unknown'] ?? 0) + 1;
  const costs = results.map((r) => r.costUsd).filter((c): c is number => c !== null);
  return {
    v: 1,
    cycle,
    at: new Date().toISOString(),
    runId,
    model,
    n: results.length,
    errors: results.length - answered.length,
    errorsByClass,
    graded: graded.length,
    passed: graded.filter((r) => r.pass).length,
    latencyP50Ms: q(0.5),
    latencyP95Ms: q(0.95),
    latenciesMs: latencies,
    costUsd: costs.length ? costs.reduce((a, b) => a + b, 0) : null,
  };
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted || ms <= 0) return done();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), done()), {once: true});
  });
}

async function notify(url: string, drifts: Drift[]): Promise<string | undefined> {
  try {
    const res = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({source: 'assay monitor', drifts})});
    return res.ok ? undefined : `webhook answered ${res.status}`;
  } catch (error) {
    return `webhook failed: ${(error as Error).message}`;
  }
}

/**
 * `assay monitor`: runs the suites against the models every interval (with jitter), appends each
 * model's measurements to series.jsonl, and checks each cycle against the model's own baseline.
 * The series survives restarts: a monitor started again continues its cycle numbers and baseline.
 */
export async function runMonitor(opts: MonitorOptions): Promise<MonitorOutcome> {
  const cwd = opts.cwd ?? process.cwd();
  const dir = resolve(cwd, opts.dir ?? join('reports', 'monitor'));
  const seriesFile = join(dir, 'series.jsonl');
  const existing = readSeries(seriesFile);
  if (existing.tornLine !== null) repairSeries(seriesFile);
  const series = [...existing.points];
  const found: Drift[] = [];
  const resumedFrom = series.reduce((n, p) => Math.max(n, p.cycle), 0);
  const random = opts.seed ?? Math.random;
  let ran = 0;
  while (!opts.signal?.aborted && (opts.cycles === undefined || ran < opts.cycles)) {
    const cycle = resumedFrom + ran + 1;
    const started = Date.now();
    // Every cycle asks the provider afresh: a cached answer would hide the drift being watched for.
    const run = await runBenchmark({config: opts.config, cwd, suites: opts.suites, models: opts.models, outDir: join(dir, 'runs'), noCache: true, signal: opts.signal, onEvent: opts.onEvent, sandboxLatencyScale: opts.sandboxLatencyScale, argv: ['monitor']});
    if (run.interrupted) break;
    const byModel = Map.groupBy(run.results, (r) => r.model);
    const points = [...byModel].map(([model, results]) => point(cycle, run.runId, model, results));
    series.push(...points);
    const drifts = detectDrift(series, cycle, {baselineCycles: opts.baselineCycles ?? 3, alpha: opts.alpha ?? 0.05});
    appendSeries(seriesFile, [...points, ...drifts]);
    found.push(...drifts);
    const webhookError = drifts.length && opts.webhook ? await notify(opts.webhook, drifts) : undefined;
    opts.onCycle?.({cycle, runDir: run.dir, points, drifts, resumedFrom, ...(webhookError && {webhookError})});
    ran++;
    if (drifts.length && opts.stopOnDrift) break;
    if (opts.cycles !== undefined && ran >= opts.cycles) break;
    const jitter = opts.jitter ?? 0.1;
    await wait(opts.intervalMs * (1 + jitter * (2 * random() - 1)) - (Date.now() - started), opts.signal);
  }
  return {dir, series: seriesFile, cycles: ran, drifts: found};
}
