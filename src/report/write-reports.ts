import {mkdirSync} from 'node:fs';
import {basename, join, resolve} from 'node:path';
import {asWriteError, writeFileAtomic, writeJsonAtomic} from '../core/write-atomic.ts';
import type {Result} from '../core/types.ts';
import {journalEntries, latestResults, readJournal} from '../runner/journal.ts';
import {summarize, type Summary} from '../runner/summarize.ts';
import {readAbFile} from './ab-section.ts';
import {keepPreviousGate} from './load-run.ts';
import {caseOrder, REPORT_MAX_RESULTS} from './report-data.ts';
import {renderReportHtml} from './report-html.ts';
import {buildRouting} from './routing-section.ts';
import {readRunMeta} from '../rundir/read-run-meta.ts';
import {readRunMedia} from '../rundir/read-run-media.ts';
import {graderNamesOf, resultsCsvPieces, summaryToCsv} from './results-csv.ts';
import {resultsOnLines, scanJournal, type ScannedJournal} from './scan-run.ts';

export interface RunReports {
  summary: Summary;
  /**
   * Every latest result, whole: read back from results.jsonl when first asked for (the reports
   * themselves are written without holding them, so a large run's CLI never asks).
   */
  readonly results: Result[];
  /** Every latest result without its texts (input, output, expected, grade reasons): counts, scores, errors, costs. */
  slimResults: Result[];
  tornLines: number;
  files: {summary: string; csv: string; summaryCsv: string; html: string};
}

export interface WriteReportsOptions {
  /** Write the reports here instead of the run directory (`assay report DIR --out OUT`). */
  outDir?: string;
  /** Keep the gate verdict of an existing summary.json (rebuilding reports after the run). */
  keepGate?: boolean;
}

/** The case table's results (the first REPORT_MAX_RESULTS in caseOrder), read back whole from the journal. */
function shownResults(journal: string, scanned: ScannedJournal): Result[] {
  const order = scanned.results.map((_, i) => i).sort((a, b) => caseOrder(scanned.results[a]!, scanned.results[b]!));
  const picked = order.length > REPORT_MAX_RESULTS ? order.slice(0, REPORT_MAX_RESULTS) : order;
  const wanted = new Map(picked.map((i) => [scanned.lines[i]!, i]));
  const whole = new Map<number, Result>();
  for (const {result, line} of journalEntries(journal)) if (wanted.has(line)) whole.set(line, result);
  return picked.map((i) => whole.get(scanned.lines[i]!)!);
}

/**
 * Rebuilds summary.json, results.csv, summary.csv and report.html from a run directory's journal.
 * report.html also gets the A/B section when the directory has ab.json, and a routing policy
 * generated from the run's results when it has two or more graded models.
 *
 * Streaming: one pass reads every result without its texts (what the summary, gate, charts and heat
 * map need); results.csv is written during a second pass over the journal, and the page's case table
 * (at most REPORT_MAX_RESULTS) reads its results back in a third. Memory grows with the number of
 * results only by their counts and scores, never by their texts.
 */
export async function writeReports(dir: string, runId: string | undefined, opts: WriteReportsOptions = {}): Promise<RunReports> {
  const journal = join(dir, 'results.jsonl');
  const scanned = scanJournal(journal);
  const run = readRunMeta(dir);
  const id = runId ?? (typeof run?.id === 'string' ? run.id : (scanned.results[0]?.runId ?? basename(resolve(dir))));
  const summary = summarize(id, scanned.results, Array.isArray(run?.breakerTransitions) ? run.breakerTransitions : []);
  if (opts.keepGate) keepPreviousGate(dir, summary);
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
  // One file at a time, each written as the journal is read. Each replaces its old version
  // atomically: a full disk leaves the previous file, never a torn one.
  writeJsonAtomic(files.summary, summary);
  writeFileAtomic(files.summaryCsv, summaryToCsv(summary));
  writeFileAtomic(files.csv, resultsCsvPieces(resultsOnLines(journal, new Set(scanned.lines)), graderNamesOf(scanned.results)));
  const shown = shownResults(journal, scanned);
  writeFileAtomic(files.html, renderReportHtml(summary, scanned.results, {run, tornLines: scanned.tornLines, ab: readAbFile(dir), routing: buildRouting(dir, scanned.results), media: readRunMedia(dir), shown}));
  let whole: Result[] | null = null;
  return {
    summary,
    get results() {
      return (whole ??= latestResults(readJournal(journal).results));
    },
    slimResults: scanned.results,
    tornLines: scanned.tornLines,
    files,
  };
}
