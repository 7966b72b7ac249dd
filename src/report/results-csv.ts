import Papa from 'papaparse';
import type {Result} from '../core/types.ts';
import type {Summary} from '../runner/summarize.ts';

/**
 * Cells a spreadsheet would execute start with =, +, -, @, tab or CR (OWASP CSV injection). A plain
 * number such as "-7392" executes nothing and stays a number, so a model's numeric answer survives.
 */
const FORMULA = /^(?![-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?$)[=+\-@\t\r]/i;

const FIXED = [
  'runId', 'suiteId', 'caseId', 'model', 'provider', 'repeat', 'status', 'simulated', 'pass', 'score',
  'latencyMs', 'ttftMs', 'queueMs', 'inputTokens', 'outputTokens', 'tokensEstimated', 'costUsd', 'attempts',
  'stream', 'finishReason', 'finishReasonRaw', 'errorClass', 'errorStatus', 'errorMessage', 'errorHint', 'tags',
  'startedAt', 'endedAt', 'input', 'expected', 'output',
] as const;

/** One row per result, every field flattened; grades become grade.<name>.score/pass/reason columns. */
export function resultsToCsv(results: readonly Result[]): string {
  const graderNames: string[] = [];
  for (const r of results) for (const g of r.grades) if (!graderNames.includes(g.grader)) graderNames.push(g.grader);
  const gradeColumns = graderNames.flatMap((n) => [`grade.${n}.score`, `grade.${n}.pass`, `grade.${n}.reason`]);
  const rows = results.map((r) => {
    const row: Record<string, unknown> = {
      ...Object.fromEntries(FIXED.map((k) => [k, (r as unknown as Record<string, unknown>)[k] ?? null])),
      errorClass: r.error?.class ?? null,
      errorStatus: r.error?.status ?? null,
      errorMessage: r.error?.message ?? null,
      errorHint: r.error?.hint ?? null,
      tags: r.tags.join(';'),
    };
    for (const g of r.grades) {
      row[`grade.${g.grader}.score`] = g.score;
      row[`grade.${g.grader}.pass`] = g.pass;
      row[`grade.${g.grader}.reason`] = g.reason;
    }
    return row;
  });
  // Cells a spreadsheet would execute (=, +, -, @, tab, CR first) get a leading ', per OWASP.
  return Papa.unparse({fields: [...FIXED, ...gradeColumns], data: rows.map((row) => [...FIXED, ...gradeColumns].map((c) => row[c] ?? ''))}, {escapeFormulae: FORMULA, newline: '\n'}) + '\n';
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
    costUsd: s.costUsd,
    costPer1kUsd: s.costPer1kUsd,
  }));
  return Papa.unparse(rows, {escapeFormulae: FORMULA, newline: '\n'}) + '\n';
}
