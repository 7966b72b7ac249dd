import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {asWriteError, writeFileAtomic, writeJsonAtomic} from '../core/write-atomic.ts';
import type {Result} from '../core/types.ts';
import type {Summary} from '../runner/summarize.ts';
import {loadRun} from './load-run.ts';
import {renderReportHtml} from './report-html.ts';
import {buildRouting} from './routing-section.ts';
import {resultsCsvPieces, summaryToCsv} from './results-csv.ts';

export interface RunReports {
  summary: Summary;
  results: Result[];
  tornLines: number;
  files: {summary: string; csv: string; summaryCsv: string; html: string};
}

export interface WriteReportsOptions {
  /** Write the reports here instead of the run directory (`assay report DIR --out OUT`). */
  outDir?: string;
  /** Keep the gate verdict of an existing summary.json (rebuilding reports after the run). */
  keepGate?: boolean;
}

/**
 * Rebuilds summary.json, results.csv, summary.csv and report.html from a run directory's journal.
 * report.html also gets the A/B section when the directory has ab.json, and a routing policy
 * generated from the run's results when it has two or more graded models.
 */
export async function writeReports(dir: string, runId: string, opts: WriteReportsOptions = {}): Promise<RunReports> {
  const run = loadRun(dir, {runId, keepGate: opts.keepGate});
  const out = opts.outDir ?? dir;
  try {
    mkdirSync(out, {recursive: true});
  } catch (error) {
    throw asWriteError(out, error);
  }
  const files = {
    summary: join(out, 'summary.json'),
    csv: join(out, 'results.csv'),
    summaryCsv: join(out, 'summary.csv'),
    html: join(out, 'report.html'),
  };
  // One file at a time, the CSV in pieces: a 100,000-result run never holds two whole reports at once.
  // Each replaces its old version atomically: a full disk leaves the previous file, never a torn one.
  writeJsonAtomic(files.summary, run.summary);
  writeFileAtomic(files.summaryCsv, summaryToCsv(run.summary));
  writeFileAtomic(files.csv, resultsCsvPieces(run.results));
  writeFileAtomic(files.html, renderReportHtml(run.summary, run.results, {run: run.run, tornLines: run.tornLines, ab: run.ab, routing: buildRouting(dir, run.results), media: run.media}));
  return {summary: run.summary, results: run.results, tornLines: run.tornLines, files};
}
