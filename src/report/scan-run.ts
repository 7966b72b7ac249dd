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

/**
 * `r` as the summaries need it: counts, scores, latencies, tokens, costs, the error, the names. The
 * texts (input, output, expected, grade reasons), timestamps and fingerprint are left out; repeated
 * values (names, grade lists, tag lists) share one copy. Every result gets the same fields in the
 * same order, so V8 keeps them compact (about a fifth of a parsed line). A field that summaries,
 * the gate, the page's charts or the routing section start to read must be listed here.
 */
function withoutTexts(r: Result, share: <T>(key: string, value: T) => T): Result {
  const name = (s: string) => share(s, s);
  const nameOrNull = (s: string | null | undefined) => (s === null || s === undefined ? (s ?? null) : name(s));
  const grades = share(
    `g\u0000${r.grades.map((g) => `${g.grader}\u0000${g.score}\u0000${g.pass}\u0000${g.unscored ?? ''}`).join('\u0001')}`,
    r.grades.map((g) => ({...g, grader: name(g.grader), reason: ''})),
  );
  return {
    runId: name(r.runId),
    suiteId: name(r.suiteId),
    caseId: r.caseId,
    model: name(r.model),
    provider: name(r.provider),
    repeat: r.repeat,
    status: r.status,
    output: r.output === null ? null : '',
    error: r.error,
    latencyMs: r.latencyMs,
    ttftMs: r.ttftMs,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    tokensEstimated: r.tokensEstimated,
    cacheReadTokens: r.cacheReadTokens,
    cacheWriteTokens: r.cacheWriteTokens,
    cacheWrite1hTokens: r.cacheWrite1hTokens,
    reasoningTokens: r.reasoningTokens,
    costUsd: r.costUsd,
    computedCostUsd: r.computedCostUsd,
    reportedCostUsd: r.reportedCostUsd,
    costEstimated: r.costEstimated,
    costBreakdown: r.costBreakdown,
    costTier: r.costTier,
    grades,
    score: r.score,
    pass: r.pass,
    tags: r.tags.length === 0 ? NO_TAGS : share(`t\u0000${r.tags.join('\u0000')}`, r.tags),
    attempts: r.attempts,
    startedAt: '',
    endedAt: '',
    finishReason: r.finishReason,
    finishReasonRaw: nameOrNull(r.finishReasonRaw),
    queueMs: r.queueMs,
    rateWaitMs: r.rateWaitMs,
    cached: r.cached,
    stream: r.stream,
    simulated: r.simulated,
    input: '',
    expected: r.expected === null ? null : '',
    judgeCostUsd: r.judgeCostUsd,
    servedModel: nameOrNull(r.servedModel),
    systemFingerprint: nameOrNull(r.systemFingerprint),
    upstream: nameOrNull(r.upstream),
    batchId: r.batchId === undefined ? undefined : name(r.batchId),
    batchTurnaroundMs: r.batchTurnaroundMs,
  };
}

const NO_TAGS: string[] = [];
const SHARED_MAX = 10_000;

export function scanJournal(file: string): ScannedJournal {
  const results: Result[] = [];
  const lines: number[] = [];
  const at = new Map<string, number>();
  const shared = new Map<string, unknown>();
  // Bounded: continuous scores make few repeats, and then sharing would only add keys.
  const share = <T>(key: string, value: T): T => (shared.has(key) ? (shared.get(key) as T) : (shared.size < SHARED_MAX && shared.set(key, value), value));
  const torn = {lines: 0};
  for (const {result, line} of journalEntries(file, torn)) {
    const slim = withoutTexts(result, share);
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
