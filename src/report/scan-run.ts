import type {Result} from '../core/types.ts';
import {taskKey} from '../core/task-key.ts';
import {journalEntries} from '../runner/journal.ts';

/**
 * A journal read for its reports in one streaming pass: the latest result of each request, without
 * its texts. Summaries, the gate, charts and the heat map need counts, scores, latencies and costs;
 * the texts (prompt, output, expected, graders' reasons) are read again, line by line, only where a
 * report shows them (results.csv, the page's case table). So a run's reports never hold its results whole.
 */
export interface ScannedJournal {
  /** The latest result per request, in order of first appearance, with input, output, expected and grade reasons emptied. */
  results: Result[];
  /** The journal line each of `results` was read from. */
  lines: number[];
  tornLines: number;
}

/** `r` without its texts; repeated names (run, suite, model, provider, grader) share one string. */
function withoutTexts(r: Result, shared: (s: string) => string): Result {
  return {
    ...r,
    runId: shared(r.runId),
    suiteId: shared(r.suiteId),
    model: shared(r.model),
    provider: shared(r.provider),
    input: '',
    output: r.output === null ? null : '',
    expected: r.expected === null ? null : '',
    grades: r.grades.map((g) => ({...g, grader: shared(g.grader), reason: ''})),
  };
}

export function scanJournal(file: string): ScannedJournal {
  const results: Result[] = [];
  const lines: number[] = [];
  const at = new Map<string, number>();
  const names = new Map<string, string>();
  const shared = (s: string) => names.get(s) ?? (names.set(s, s), s);
  const torn = {lines: 0};
  for (const {result, line} of journalEntries(file, torn)) {
    const slim = withoutTexts(result, shared);
    const key = taskKey(slim.suiteId, slim.caseId, slim.model, slim.repeat);
    const index = at.get(key);
    if (index === undefined) {
      at.set(key, results.push(slim) - 1);
      lines.push(line);
    } else {
      // A resumed run appends a request's later result: the latest wins, in the first one's place.
      results[index] = slim;
      lines[index] = line;
    }
  }
  return {results, lines, tornLines: torn.lines};
}

/** The full results on `wanted` lines of the journal, in journal order, read one line at a time. */
export function* resultsOnLines(file: string, wanted: ReadonlySet<number>): Generator<Result> {
  for (const {result, line} of journalEntries(file)) if (wanted.has(line)) yield result;
}
