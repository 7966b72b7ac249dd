import Papa from 'papaparse';
import type {Result} from '../core/types.ts';
import type {Summary} from '../runner/summarize.ts';
import {cleanNumber} from './format-usd.ts';

/**
 * Cells a spreadsheet would execute start with =, +, -, @, tab or CR (OWASP CSV injection). A plain
 * number such as "-7392" executes nothing and stays a number, so a model's numeric answer survives.
 */
const FORMULA = /^(?![-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?$)[=+\-@\t\r]/i;

const FIXED = [
  'runId', 'suiteId', 'caseId', 'model', 'provider', 'repeat', 'status', 'simulated', 'pass', 'score',
  'latencyMs', 'ttftMs', 'queueMs', 'inputTokens', 'outputTokens', 'tokensEstimated', 'costUsd', 'attempts',
  'cacheReadTokens', 'cacheWriteTokens', 'cacheWrite1hTokens', 'reasoningTokens', 'computedCostUsd', 'reportedCostUsd', 'costEstimated',
  'costInputUsd', 'costCacheReadUsd', 'costCacheWriteUsd', 'costOutputUsd', 'costReasoningUsd', 'costTier',
  'stream', 'finishReason', 'finishReasonRaw', 'errorClass', 'errorStatus', 'errorMessage', 'errorHint', 'tags',
  'startedAt', 'endedAt', 'batchId', 'batchTurnaroundMs', 'input', 'expected', 'output', 'toolCalls',
] as const;

/** Numbers without float noise (0.0000019, not 0.0000018999999999999998); everything else as it is. */
const clean = (v: unknown) => (typeof v === 'number' ? cleanNumber(v) : v);

/** Rows formatted per call: the CSV of a 100,000-result run is written in pieces, never held whole. */
const ROWS_PER_PIECE = 250;

/** One row per result, every field flattened; grades become grade.<name>.score/pass/reason columns. */
export function resultsToCsv(results: readonly Result[]): string {
  let out = '';
  for (const piece of resultsCsvPieces(results)) out += piece;
  return out;
}

/** The graders named in results, in order of first appearance: results.csv's grade columns. */
export function graderNamesOf(results: Iterable<Result>): string[] {
  const names = new Set<string>();
  for (const r of results) for (const g of r.grades) names.add(g.grader);
  return [...names];
}

/**
 * resultsToCsv in pieces (header first, then rows a few thousand at a time), for writing as it goes.
 * With `graderNames` given, `results` is read once, as it comes (a stream of the journal).
 */
export function* resultsCsvPieces(results: Iterable<Result>, graderNames: readonly string[] = graderNamesOf(results)): Generator<string> {
  const gradeColumns = graderNames.flatMap((n) => [`grade.${n}.score`, `grade.${n}.pass`, `grade.${n}.reason`]);
  const columns = [...FIXED, ...gradeColumns];
  const toRow = (r: Result) => {
    const row: Record<string, unknown> = {
      ...Object.fromEntries(FIXED.map((k) => [k, (r as unknown as Record<string, unknown>)[k] ?? null])),
      errorClass: r.error?.class ?? null,
      errorStatus: r.error?.status ?? null,
      errorMessage: r.error?.message ?? null,
      errorHint: r.error?.hint ?? null,
      tags: r.tags.join(';'),
      // As JSON: [{"name":…,"arguments":{…}}]; empty when the suite offers no tools.
      toolCalls: r.toolCalls ? JSON.stringify(r.toolCalls) : null,
      costInputUsd: r.costBreakdown?.inputUsd ?? null,
      costCacheReadUsd: r.costBreakdown?.cacheReadUsd ?? null,
      costCacheWriteUsd: r.costBreakdown?.cacheWriteUsd ?? null,
      costOutputUsd: r.costBreakdown?.outputUsd ?? null,
      costReasoningUsd: r.costBreakdown?.reasoningUsd ?? null,
    };
    for (const g of r.grades) {
      row[`grade.${g.grader}.score`] = g.score;
      row[`grade.${g.grader}.pass`] = g.pass;
      row[`grade.${g.grader}.reason`] = g.reason;
    }
    return columns.map((c) => clean(row[c] ?? ''));
  };
  // Cells a spreadsheet would execute (=, +, -, @, tab, CR first) get a leading ', per OWASP.
  const options = {escapeFormulae: FORMULA, newline: '\n'};
  let data: unknown[][] = [];
  let first = true;
  const piece = () => {
    const out = `${Papa.unparse(first ? {fields: columns, data} : {fields: [], data}, {...options, header: first})}\n`;
    first = false;
    data = [];
    return out;
  };
  for (const r of results) {
    data.push(toRow(r));
    if (data.length === ROWS_PER_PIECE) yield piece();
  }
  if (first) {
    yield data.length === 0 ? `${Papa.unparse({fields: columns, data: []}, options)}\n` : piece();
  } else if (data.length > 0) yield piece();
}

export function summaryToCsv(summary: Summary): string {
  const rows = Object.entries(summary.models).map(([model, s]) => ({
    model,
    provider: s.provider,
    simulated: s.simulated,
    n: s.n,
    errors: s.errors,
    errorRate: s.errorRate,
    graded: s.graded,
    passed: s.passed,
    passRate: s.passRate,
    passRateCiLow: s.passRateCi95?.[0] ?? null,
    passRateCiHigh: s.passRateCi95?.[1] ?? null,
    meanScore: s.meanScore,
    latencyP50Ms: s.latencyMs.p50,
    latencyP95Ms: s.latencyMs.p95,
    latencyP99Ms: s.latencyMs.p99,
    ttftP50Ms: s.ttftMs.p50,
    ttftP95Ms: s.ttftMs.p95,
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    cacheReadTokens: s.cacheReadTokens,
    cacheWriteTokens: s.cacheWriteTokens,
    reasoningTokens: s.reasoningTokens,
    costUsd: s.costUsd,
    costPer1kUsd: s.costPer1kUsd,
    costInputUsd: s.costBreakdown?.inputUsd ?? null,
    costCacheReadUsd: s.costBreakdown?.cacheReadUsd ?? null,
    costCacheWriteUsd: s.costBreakdown?.cacheWriteUsd ?? null,
    costOutputUsd: s.costBreakdown?.outputUsd ?? null,
    costReasoningUsd: s.costBreakdown?.reasoningUsd ?? null,
    costEstimated: s.costEstimated,
    reportedCostUsd: s.reportedCost?.reportedUsd ?? null,
  }));
  return Papa.unparse(rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, clean(v)]))), {escapeFormulae: FORMULA, newline: '\n'}) + '\n';
}
