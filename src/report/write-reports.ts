import {mkdirSync} from 'node:fs';
import {basename, join, resolve} from 'node:path';
import {asWriteError, writeFileAtomic, writeJsonAtomic} from '../core/write-atomic.ts';
import type {Result} from '../core/types.ts';
import {GateCosts, type GateOutcome, type GateSource} from '../gate/evaluate-gate.ts';
import {journalEntries, latestResults, readJournal} from '../runner/journal.ts';
import {SummaryAccumulator, type Summary} from '../runner/summarize.ts';
import {readAbFile} from './ab-section.ts';
import {keepPreviousGate} from './load-run.ts';
import {REPORT_MAX_RESULTS} from './report-data.ts';
import {reportHtmlPieces} from './report-html.ts';
import {buildRouting, RoutingFacts} from './routing-section.ts';
import {readRunMeta} from '../rundir/read-run-meta.ts';
import {readRunMedia} from '../rundir/read-run-media.ts';
import {resultsCsvPieces, summaryToCsv} from './results-csv.ts';
import {indexJournal, scanJournal, type JournalIndex} from './scan-run.ts';
import {ServedAccumulator} from './served-models.ts';

export interface RunReports {
  summary: Summary;
  /**
   * Every latest result, whole: read back from results.jsonl when first asked for (the reports
   * themselves are written without holding them, so a large run's CLI never asks).
   */
  readonly results: Result[];
  /**
   * Every latest result without its texts (input, output, expected, grade reasons): counts, scores,
   * errors, costs. Read from the journal when first asked for: writing the reports does not hold them.
   */
  readonly slimResults: Result[];
  /** The error of the first failed result, and of the first one never sent (not for an open circuit): what the CLI quotes. */
  errorSamples?: {first: Result['error']; notSent: Result['error']};
  tornLines: number;
  files: {summary: string; csv: string; summaryCsv: string; html: string};
}

export interface WriteReportsOptions {
  /** Write the reports here instead of the run directory (`assay report DIR --out OUT`). */
  outDir?: string;
  /** Keep the gate verdict of an existing summary.json (rebuilding reports after the run). */
  keepGate?: boolean;
  /** Judge a gate from the accumulated results before summary.json and the page are written (`assay run`'s gate). */
  gate?: (source: GateSource) => GateOutcome | null;
}

/** The case table's results, read back whole from the journal, in the table's order. */
function shownResults(journal: string, index: JournalIndex): Result[] {
  const position = new Map<number, number>();
  for (let i = 0; i < index.shown.length; i++) position.set(index.shown[i]!, i);
  const shown = new Array<Result>(index.shown.length);
  for (const {result, line} of journalEntries(journal)) {
    const request = index.requestOfLine.get(line);
    const at = position.get(request);
    if (at !== undefined && isWinner(index, request, line)) shown[at] = result;
  }
  return shown;
}

/** Whether `line` holds `request`'s latest result: its only line, or the late one. */
function isWinner(index: JournalIndex, request: number, line: number): boolean {
  const late = index.late.get(request);
  return late === undefined || late.line === line;
}

/** Everything the reports read of the results, added one latest result at a time in the summary's order. */
class ReportFacts {
  readonly summary = new SummaryAccumulator();
  readonly costs = new GateCosts();
  readonly served = new ServedAccumulator();
  readonly routing: RoutingFacts;
  readonly errorSamples: NonNullable<RunReports['errorSamples']> = {first: null, notSent: null};
  firstRunId: string | undefined;

  constructor(expectedResults: number) {
    this.routing = new RoutingFacts(expectedResults);
  }

  /** Adds `r`, of case number `caseNo` in the journal's index. */
  add(r: Result, caseNo: number): void {
    this.firstRunId ??= r.runId;
    this.summary.add(r, caseNo);
    this.costs.add(r);
    this.served.add(r);
    this.routing.add(r);
    if (r.status === 'error' && !this.errorSamples.first) this.errorSamples.first = r.error;
    if (r.error?.notSent && r.error.class !== 'circuit-open' && !this.errorSamples.notSent) this.errorSamples.notSent = r.error;
  }

  gateSource(): GateSource {
    const stats = (groups: ReadonlyMap<string, {stats(): Summary['overall']}>) => [...groups].map(([model, group]) => [model, group.stats()] as const);
    return {
      models: () => stats(this.summary.models),
      suiteModels: (suiteId) => stats(this.summary.suiteModels(suiteId)),
      costUsd: (suiteId) => this.costs.of(suiteId),
    };
  }
}

/**
 * The journal's latest results, whole, in journal order (results.csv's rows), while `facts` gets each
 * request's latest result at the request's first line: a resumed run's later result replaces the
 * earlier one in its place, which is the order the summary's sums were always added in.
 */
function* winnersFeeding(journal: string, index: JournalIndex, facts: ReportFacts): Generator<Result> {
  // Requests are numbered in order of first appearance: the next number's first line is the next new request.
  let next = 0;
  for (const {result, line} of journalEntries(journal)) {
    const request = index.requestOfLine.get(line);
    // A line the index did not see (a journal still growing) belongs to no request it counted.
    if (request === -1) continue;
    if (request === next) {
      next++;
      facts.add(index.late.get(request)?.result ?? result, index.caseOf.values[request]!);
    }
    if (isWinner(index, request, line)) yield result;
  }
}

/**
 * Rebuilds summary.json, results.csv, summary.csv and report.html from a run directory's journal.
 * report.html also gets the A/B section when the directory has ab.json, and a routing policy
 * generated from the run's results when it has two or more graded models.
 *
 * Streaming, in memory flat in the number of results but for a few numbers each: one pass indexes
 * the requests (indexJournal); a second writes results.csv and feeds every latest result to the
 * summary's accumulators, the gate's costs, what served each model and the routing section's
 * counts; a third reads the page's case table (at most REPORT_MAX_RESULTS results) back whole.
 * Each file is written in pieces as it is produced.
 */
export async function writeReports(dir: string, runId: string | undefined, opts: WriteReportsOptions = {}): Promise<RunReports> {
  const journal = join(dir, 'results.jsonl');
  const index = indexJournal(journal, REPORT_MAX_RESULTS);
  const run = readRunMeta(dir);
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
  // One file at a time, each written as it is produced. Each replaces its old version atomically:
  // a full disk leaves the previous file, never a torn one. results.csv comes first: writing it is
  // the pass that feeds the summary.
  const facts = new ReportFacts(index.count);
  writeFileAtomic(files.csv, resultsCsvPieces(winnersFeeding(journal, index, facts), index.graderNames));
  const id = runId ?? (typeof run?.id === 'string' ? run.id : (facts.firstRunId ?? basename(resolve(dir))));
  const summary = facts.summary.summary(id, Array.isArray(run?.breakerTransitions) ? run.breakerTransitions : []);
  if (opts.keepGate) keepPreviousGate(dir, summary);
  const gate = opts.gate?.(facts.gateSource());
  facts.summary.releaseScratch();
  if (gate) summary.gate = gate;
  writeJsonAtomic(files.summary, summary);
  writeFileAtomic(files.summaryCsv, summaryToCsv(summary));
  const shown = shownResults(journal, index);
  const routing = buildRouting(dir, facts.routing);
  writeFileAtomic(
    files.html,
    reportHtmlPieces(summary, [], {run, tornLines: index.tornLines, ab: readAbFile(dir), routing, media: readRunMedia(dir), shown, resultCount: index.count, served: facts.served.served()}),
  );
  let whole: Result[] | null = null;
  let slim: Result[] | null = null;
  return {
    summary,
    get results() {
      return (whole ??= latestResults(readJournal(journal).results));
    },
    get slimResults() {
      return (slim ??= scanJournal(journal).results);
    },
    errorSamples: facts.errorSamples,
    tornLines: index.tornLines,
    files,
  };
}
