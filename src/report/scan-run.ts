import type {Result} from '../core/types.ts';
import {taskKey} from '../core/task-key.ts';
import {Int32s, SmallInts} from '../core/growable-arrays.ts';
import {CaseIndex} from '../runner/group-accumulator.ts';
import {journalEntries} from '../runner/journal.ts';
import {FirstInCaseOrder} from './first-in-case-order.ts';
import {RequestIds} from './request-ids.ts';

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

/** Shares repeated values (names, grade lists, tag lists) between text-less results. */
function sharer(): <T>(key: string, value: T) => T {
  const shared = new Map<string, unknown>();
  // Bounded: continuous scores make few repeats, and then sharing would only add keys.
  return <T>(key: string, value: T): T => (shared.has(key) ? (shared.get(key) as T) : (shared.size < SHARED_MAX && shared.set(key, value), value));
}

/**
 * Every latest result without its texts, held in memory: what the outcome's `slimResults` returns
 * when a caller asks for it. writeReports itself uses indexJournal and never holds them.
 */
export function scanJournal(file: string): ScannedJournal {
  const results: Result[] = [];
  const lines: number[] = [];
  const at = new Map<string, number>();
  const share = sharer();
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

/**
 * A journal's requests, read in one streaming pass without keeping their results: each line's
 * request (a resumed run appends a retried request's later result, which wins, in the first one's
 * place), each request's case number, the case table's requests, and the graders for results.csv's
 * columns. Requests are numbered in order of first appearance, so a second pass knows a request's
 * first line as the first line of the next number. The few latest results that come after their
 * request's first line (a resumed run's retries) are kept without their texts, so a second pass can
 * add every request's winner at its first line: the order summaries were always added in.
 * About 4 bytes a line, 15 a request and 20 a case, in typed arrays (no string or Map entry each).
 */
export interface JournalIndex {
  /** Requests in order of first appearance. */
  count: number;
  /** Journal line number → its request (-1: blank or torn). */
  requestOfLine: Int32s;
  /** Request → its case's number: dense from 0, one per (suite id, case id), in order of first appearance. */
  caseOf: Int32s;
  /** Requests whose latest line is not their first: that line and its result (without texts). */
  late: Map<number, {line: number; result: Result}>;
  /** The case table's requests (at most `shownMax`), in its order. */
  shown: Int32Array;
  /** The graders named in the latest results, in order of first appearance (results.csv's columns). */
  graderNames: string[];
  tornLines: number;
}

/** Indexes a journal; `shownMax`: how many requests the case table shows, picked in its order (FirstInCaseOrder). */
export function indexJournal(file: string, shownMax = 0): JournalIndex {
  const requestOfLine = new Int32s();
  const cases = new CaseIndex();
  const models = new Map<string, number>();
  const requests = new RequestIds();
  const graderListOf = new SmallInts();
  const graderLists = new Map<string, number>();
  const graderListNames: string[][] = [];
  const late = new Map<number, {line: number; result: Result}>();
  const shown = new FirstInCaseOrder(shownMax);
  const share = sharer();
  const torn = {lines: 0};
  for (const {result: r, line} of journalEntries(file, torn)) {
    const caseNo = cases.of(r.suiteId, r.caseId);
    let model = models.get(r.model);
    if (model === undefined) models.set(r.model, (model = models.size));
    const names = r.grades.map((g) => g.grader);
    const listKey = names.join('\u0000');
    let list = graderLists.get(listKey);
    if (list === undefined) graderLists.set(listKey, (list = graderListNames.push(names) - 1));
    let request = requests.find(caseNo, model, r.repeat);
    if (request === -1) {
      request = requests.add(caseNo, model, r.repeat);
      graderListOf.push(list);
      shown.offer(r.suiteId, r.caseId, r.repeat, request);
    } else {
      graderListOf.set(request, list);
      late.set(request, {line, result: withoutTexts(r, share)});
    }
    requestOfLine.set(line, request);
  }
  const graderNames = new Set<string>();
  const seenLists = new Set<number>();
  for (let i = 0; i < graderListOf.length; i++) {
    const list = graderListOf.values[i]!;
    if (seenLists.has(list)) continue;
    seenLists.add(list);
    for (const name of graderListNames[list]!) graderNames.add(name);
  }
  return {count: requests.size, requestOfLine, caseOf: requests.caseOf, late, shown: shown.requests(), graderNames: [...graderNames], tornLines: torn.lines};
}
