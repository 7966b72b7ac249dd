import {existsSync, mkdirSync, statSync} from 'node:fs';
import {basename, dirname, join, resolve} from 'node:path';
import {InputError} from '../core/errors.ts';
import {writeFileAtomic, writeJsonAtomic} from '../core/write-atomic.ts';
import type {Summary} from '../runner/summarize.ts';
import {compareRuns, type RunComparison} from './compare-runs.ts';
import {renderComparisonHtml} from './comparison-html.ts';
import {loadRun} from './load-run.ts';
import {writeReports} from './write-reports.ts';

export type ReportOutcome =
  | {kind: 'run'; dir: string; outDir: string; files: Record<string, string>; summary: Summary; tornLines: number}
  | {kind: 'comparison'; outDir: string; files: {html: string; json: string}; comparisons: RunComparison[]};

function checkRunDir(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new InputError('no such run directory', {file: dir, hint: 'pass a directory written by `assay run`, e.g. reports/<runId>'});
  if (!existsSync(join(abs, 'results.jsonl'))) throw new InputError('not a run directory (no results.jsonl)', {file: dir, hint: 'pass a directory written by `assay run`, e.g. reports/<runId>'});
  return abs;
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);

/**
 * `assay report`: one directory rebuilds that run's summary.json, CSVs and report.html from its
 * journal; two or more write a comparison of each later run against the first (the baseline).
 */
export async function reportRuns(dirs: readonly string[], opts: {out?: string} = {}): Promise<ReportOutcome> {
  if (dirs.length === 0) throw new InputError('name at least one run directory', {hint: 'assay report reports/<runId> [reports/<otherRunId>]'});
  const abs = dirs.map(checkRunDir);
  if (abs.length === 1) {
    const dir = abs[0]!;
    const outDir = opts.out ? resolve(opts.out) : dir;
    const reports = await writeReports(dir, undefined, {outDir, keepGate: true});
    return {kind: 'run', dir, outDir, files: reports.files, summary: reports.summary, tornLines: reports.tornLines};
  }
  const runs = abs.map((d) => loadRun(d));
  const [baseline, ...candidates] = runs;
  const comparisons = candidates.map((c) => compareRuns(baseline!, c));
  const outDir = opts.out
    ? resolve(opts.out)
    : join(dirname(abs[0]!), `compare-${safeName(baseline!.runId || basename(abs[0]!))}-vs-${candidates.map((c) => safeName(c.runId)).join('+')}`);
  mkdirSync(outDir, {recursive: true});
  const files = {html: join(outDir, 'comparison.html'), json: join(outDir, 'comparison.json')};
  writeFileAtomic(files.html, renderComparisonHtml(comparisons));
  writeJsonAtomic(files.json, {generatedAt: new Date().toISOString(), comparisons});
  return {kind: 'comparison', outDir, files, comparisons};
}
