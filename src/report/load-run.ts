import {readFileSync} from 'node:fs';
import {basename, join, resolve} from 'node:path';
import type {Result} from '../core/types.ts';
import {latestResults, readJournal} from '../runner/journal.ts';
import {summarize, type Summary} from '../runner/summarize.ts';
import {type AbInput, readAbFile} from './ab-section.ts';
import {readRunMeta} from '../rundir/read-run-meta.ts';
import {readRunMedia, type RunMedia} from '../rundir/read-run-media.ts';
import type {RunMeta} from '../rundir/run-meta.ts';

export interface LoadedRun {
  dir: string;
  runId: string;
  summary: Summary;
  results: Result[];
  tornLines: number;
  run: Partial<RunMeta> | null;
  /** ab.json of an `assay ab` run: null when there is none, an error note when it cannot be read. */
  ab?: AbInput;
  /** media.json and the kept images: the report's thumbnails. */
  media?: RunMedia;
}

/**
 * A run as its journal has it now: the latest result per request, summarised. Works on a run still
 * being written (the viewer's live view) and on a journal copied without run.json.
 */
export function loadRun(dir: string, opts: {runId?: string; keepGate?: boolean} = {}): LoadedRun {
  const journal = readJournal(join(dir, 'results.jsonl'));
  const results = latestResults(journal.results);
  const run = readRunMeta(dir);
  const runId = opts.runId ?? (typeof run?.id === 'string' ? run.id : (results[0]?.runId ?? basename(resolve(dir))));
  const summary = summarize(runId, results, Array.isArray(run?.breakerTransitions) ? run.breakerTransitions : []);
  if (opts.keepGate) keepPreviousGate(dir, summary);
  return {dir, runId, summary, results, tornLines: journal.tornLines, run, ab: readAbFile(dir), media: readRunMedia(dir)};
}

/**
 * The gate is judged after a run with thresholds that live only in that run's config and flags:
 * rebuilding the reports keeps its verdict (from the summary.json there) rather than dropping it.
 */
export function keepPreviousGate(dir: string, summary: Summary): void {
  try {
    const previous = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Partial<Summary>;
    if (previous.gate) summary.gate = previous.gate;
  } catch {
    // no previous summary: nothing to keep
  }
}
