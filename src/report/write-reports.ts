import {readFileSync} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import type {Result} from '../core/types.ts';
import {latestResults, readJournal} from '../runner/journal.ts';
import {summarize, type Summary} from '../runner/summarize.ts';
import {renderReportHtml} from './report-html.ts';
import {resultsToCsv, summaryToCsv} from './results-csv.ts';

export interface RunReports {
  summary: Summary;
  results: Result[];
  tornLines: number;
  files: {summary: string; csv: string; summaryCsv: string; html: string};
}

/** Rebuilds summary.json, results.csv, summary.csv and report.html from a run directory's journal. */
export async function writeReports(dir: string, runId: string): Promise<RunReports> {
  const journal = readJournal(join(dir, 'results.jsonl'));
  const results = latestResults(journal.results);
  let transitions: Parameters<typeof summarize>[2] = [];
  try {
    transitions = (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as {breakerTransitions?: Parameters<typeof summarize>[2]}).breakerTransitions ?? [];
  } catch {
    // a journal without run.json (copied alone) still reports
  }
  const summary = summarize(runId, results, transitions);
  const files = {
    summary: join(dir, 'summary.json'),
    csv: join(dir, 'results.csv'),
    summaryCsv: join(dir, 'summary.csv'),
    html: join(dir, 'report.html'),
  };
  await Promise.all([
    writeFile(files.summary, `${JSON.stringify(summary, null, 2)}\n`),
    writeFile(files.csv, resultsToCsv(results)),
    writeFile(files.summaryCsv, summaryToCsv(summary)),
    writeFile(files.html, renderReportHtml(summary, results)),
  ]);
  return {summary, results, tornLines: journal.tornLines, files};
}
