import {processAlive} from '../runner/run-lock.ts';
import {existsSync, lstatSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {loadRun} from '../report/load-run.ts';
import {readRunMeta} from '../rundir/read-run-meta.ts';
import type {Summary} from '../runner/summarize.ts';

export type RunStatus = 'running' | 'finished' | 'interrupted' | 'incomplete';

export interface RunListing {
  /** The run directory's name: the only handle the viewer accepts for a run. */
  id: string;
  dir: string;
  runId: string;
  status: RunStatus;
  startedAt: string | null;
  endedAt: string | null;
  simulated: boolean;
  n: number;
  models: number;
  best: {model: string; passRate: number} | null;
  /** Models and judges together: what the run cost, as the --max-cost-usd gate counts it. */
  costUsd: number | null;
  errorRate: number;
  /** What kind of run: an A/B test (ab.json), a sampled run (--sample), both, or a plain run. */
  kind: string[];
}


/** A run.lock held by a live process means the journal is still growing. */
export function runStatus(dir: string): RunStatus {
  const meta = readRunMeta(dir);
  try {
    const pid = Number(readFileSync(join(dir, 'run.lock'), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) return 'running';
  } catch {
    // no lock: nobody is writing
  }
  if (meta?.interrupted) return 'interrupted';
  return meta && meta.endedAt ? 'finished' : 'incomplete';
}

function readSummary(dir: string): Summary | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
  } catch {
    return null;
  }
}

function runKind(dir: string, options: unknown): string[] {
  const kind: string[] = [];
  if (existsSync(join(dir, 'ab.json'))) kind.push('A/B');
  const sample = options && typeof options === 'object' ? (options as {sample?: unknown}).sample : undefined;
  if (typeof sample === 'number') kind.push(`sample ${sample}`);
  return kind;
}

/** Comparisons written by `assay report A B` into the reports directory (real directories with a comparison.html). */
export function listComparisons(reportsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(reportsDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => {
      try {
        return lstatSync(join(reportsDir, name)).isDirectory() && existsSync(join(reportsDir, name, 'comparison.html'));
      } catch {
        return false;
      }
    })
    .sort();
}

/** The reports directory's runs, newest first, each with its headline numbers. */
export function listRuns(reportsDir: string): RunListing[] {
  let names: string[];
  try {
    names = readdirSync(reportsDir);
  } catch {
    return [];
  }
  const runs: Array<RunListing & {sortKey: number}> = [];
  for (const id of names) {
    const dir = join(reportsDir, id);
    // Real directories only: a symlink could lead the server outside the reports directory.
    let st;
    try {
      st = lstatSync(dir);
    } catch {
      continue;
    }
    if (!st.isDirectory() || !existsSync(join(dir, 'results.jsonl'))) continue;
    const status = runStatus(dir);
    const meta = readRunMeta(dir);
    // A running run's summary.json is missing or stale: its journal is the truth.
    const summary = (status !== 'running' ? readSummary(dir) : null) ?? loadRun(dir).summary;
    let best: RunListing['best'] = null;
    for (const [model, s] of Object.entries(summary.models ?? {})) {
      if (s.passRate !== null && (best === null || s.passRate > best.passRate)) best = {model, passRate: s.passRate};
    }
    const startedAt = typeof meta?.startedAt === 'string' ? meta.startedAt : null;
    const parsed = startedAt ? Date.parse(startedAt) : Number.NaN;
    runs.push({
      id,
      dir,
      runId: summary.runId ?? id,
      status,
      startedAt,
      endedAt: typeof meta?.endedAt === 'string' ? meta.endedAt : null,
      simulated: Boolean(summary.simulated),
      n: summary.n ?? 0,
      models: Object.keys(summary.models ?? {}).length,
      best,
      costUsd: summary.overall?.costUsd == null && summary.overall?.judgeCostUsd == null ? null : (summary.overall?.costUsd ?? 0) + (summary.overall?.judgeCostUsd ?? 0),
      kind: runKind(dir, meta?.options),
      errorRate: summary.overall?.errorRate ?? 0,
      sortKey: Number.isNaN(parsed) ? statSync(dir).mtimeMs : parsed,
    });
  }
  return runs.sort((a, b) => b.sortKey - a.sortKey || b.id.localeCompare(a.id)).map(({sortKey: _, ...r}) => r);
}
