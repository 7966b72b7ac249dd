import {causeText} from '../core/error-cause.ts';
import {errorClassesText} from '../report/error-classes-text.ts';
import {decide} from '../report/decision.ts';
import {formatUsd} from '../report/format-usd.ts';
import {rankModels} from '../report/rank-models.ts';
import type {RunOutcome} from '../runner/run-benchmark.ts';
import type {GroupStats, ModelComparison} from '../runner/summarize.ts';

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v)}`);
const usd = (v: number | null) => formatUsd(v);

function passCell(s: GroupStats): string {
  if (s.passRate === null) return '–';
  const ci = s.passRateCi95!;
  return `${pct(s.passRate)} [${pct(ci[0])}, ${pct(ci[1])}]`;
}

const METRIC = {passRate: 'pass rate', score: 'mean score'} as const;
const signedPts = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}`;

/** One comparison as a line: metric, difference and interval in points, the test, raw and adjusted p. */
export function comparisonLine(c: ModelComparison): string {
  return `${c.b} vs ${c.a}: ${METRIC[c.metric]} ${signedPts(c.meanDiff)} points [${signedPts(c.ciLow)}, ${signedPts(c.ciHigh)}] on ${c.n} cases, ${c.test}, p=${c.pValue.toPrecision(2)}, Holm p=${c.pValueAdjusted.toPrecision(2)}`;
}

/** Columns a narrow terminal drops first, most expendable first (the model, its pass rate and cost per 1k stay). */
const DROP_ORDER = ['ttft p50', 'p95 ms', 'cost', 'n', 'errors', 'p50 ms'];

/**
 * The leaderboard as aligned text that fits `width` columns (none: every column): best model first,
 * the recommended one marked, then the recommendation, total cost and the rest.
 */
function leaderboard(outcome: RunOutcome, width: number | undefined): string[] {
  const decision = decide(outcome.summary);
  const header = ['model', 'n', 'pass (95% CI)', 'errors', 'p50 ms', 'p95 ms', 'ttft p50', 'cost', 'per 1k'];
  const rows = rankModels(outcome.summary).map(([label, s]) => [
    `${label}${s.simulated ? ' (sim)' : ''}${label === decision.recommended ? ' *' : ''}`,
    String(s.n),
    passCell(s),
    s.errors === 0 ? '0' : `${s.errors} ${errorClassesText(s, ':')}`,
    ms(s.latencyMs.p50),
    ms(s.latencyMs.p95),
    ms(s.ttftMs.p50),
    usd(s.costUsd),
    usd(s.costPer1kUsd),
  ]);
  let columns = header.map((_, i) => i);
  const widthOf = (cols: number[]) => cols.reduce((n, i) => n + Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)) + 2, -2);
  for (const name of DROP_ORDER) {
    if (width === undefined || widthOf(columns) <= width) break;
    columns = columns.filter((i) => header[i] !== name);
  }
  const widths = new Map(columns.map((i) => [i, Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length))]));
  const line = (cells: string[]) => columns.map((i) => (i === 0 ? cells[i]!.padEnd(widths.get(i)!) : cells[i]!.padStart(widths.get(i)!))).join('  ').trimEnd();
  const out = [line(header), line(header.map((_, i) => '-'.repeat(widths.get(i) ?? 0))), ...rows.map(line)];
  const total = decision.totalCostUsd === null ? 'unknown (no prices)' : `${usd(decision.totalCostUsd)} (models ${usd(decision.modelCostUsd)}, judges ${decision.judgeCostUsd === null ? 'none' : usd(decision.judgeCostUsd)})`;
  out.push('', `${decision.recommended ? `* recommended: ${decision.recommended}. ` : ''}${decision.reason}`, `total cost ${total}`);
  return out;
}

/** The end-of-run text: the leaderboard fitted to `width` columns, then what else the run has to say. */
export function renderSummary(outcome: RunOutcome, opts: {width?: number} = {}): string {
  const out = leaderboard(outcome, opts.width);
  const models = Object.entries(outcome.summary.models);
  out.push(...renderCostBreakdown(models));
  const judged = models.filter(([, s]) => s.judgeCostUsd !== null);
  if (judged.length > 0) out.push('', `judge cost (kept apart from the models' own): ${judged.map(([l, s]) => `${l} ${usd(s.judgeCostUsd)}`).join(', ')}`);
  const batched = models.filter(([, s]) => s.batchTurnaroundMs);
  if (batched.length > 0) {
    const secs = (v: number | null) => (v === null ? '–' : `${(v / 1000).toFixed(1)} s`);
    out.push(
      '',
      `batch turnaround (submission to results, not per-request latency): ${batched.map(([l, s]) => `${l} ${secs(s.batchTurnaroundMs!.p50)}${s.batchTurnaroundMs!.batches > 1 ? ` p50, ${secs(s.batchTurnaroundMs!.max)} max over ${s.batchTurnaroundMs!.batches} batches` : ''}`).join(', ')}`,
    );
  }
  for (const [label, list] of Object.entries(outcome.summary.circuitBreaker)) {
    const opened = list.filter((t) => t.to === 'open' && t.cause);
    if (opened.length > 0) out.push(`circuit open for ${label} after ${causeText(opened.at(-1)!.cause!)}${opened[0]!.cause!.hint ? `\n  fix: ${opened[0]!.cause!.hint}` : ''}`);
  }
  // The outcome of a run names it; reading the results (from the journal) is for other callers.
  const stopped = outcome.errorSamples ? outcome.errorSamples.notSent : (outcome.slimResults ?? outcome.results).find((r) => r.error?.notSent && r.error.class !== 'circuit-open')?.error;
  if (stopped) out.push(`${stopped.message}${stopped.hint ? `\n  fix: ${stopped.hint}` : ''}`);
  const unscored = models.filter(([, s]) => s.unscored > 0);
  if (unscored.length > 0) out.push(`unscored (judge gave no verdict, or a custom grader threw; excluded from pass rates): ${unscored.map(([l, s]) => `${l} ${s.unscored}`).join(', ')}`);
  const comparisons = outcome.summary.comparisons ?? [];
  const clear = comparisons.filter((c) => c.significant);
  if (clear.length > 0) {
    // Heading and rows together: a heading is never printed with nothing under it.
    out.push('', `clear differences (Holm-adjusted p < 0.05 across ${comparisons.length} pair${comparisons.length === 1 ? '' : 's'}; 95% CI and p from the same test):`);
    for (const c of clear) out.push(`  ${comparisonLine(c)}`);
  } else if (comparisons.length > 0) {
    out.push('', `no clear difference between models (Holm-adjusted p ≥ 0.05 across ${comparisons.length} pair${comparisons.length === 1 ? '' : 's'}, or too few shared cases)`);
  }
  if (outcome.gate) {
    out.push('', `gate: ${outcome.gate.pass ? 'passed' : 'FAILED'} (${outcome.gate.checks.filter((c) => c.pass).length}/${outcome.gate.checks.length} checks)`);
    for (const c of outcome.gate.checks.filter((x) => !x.pass)) out.push(`  ${c.scope}: ${c.message}`);
  }
  if (outcome.summary.simulated) out.push('', 'Results marked (sim) come from the assay sandbox: simulated models, not real providers.');
  if (outcome.tornLines > 0) out.push(`note: ${outcome.tornLines} torn journal line(s) were skipped (an earlier crash mid-write).`);
  out.push('', `wrote ${outcome.dir}/{results.jsonl,results.csv,summary.json,summary.csv,report.html,run.json}`);
  if (outcome.interrupted) out.push(`interrupted: ${outcome.executed} requests finished and were saved. Continue with: assay run --resume ${outcome.dir}`);
  return out.join('\n');
}

const tok = (n: number) => n.toLocaleString('en-US');

/** Per model: where the money went (input, cached input, cache writes, output, reasoning), and reported vs computed costs. */
export function renderCostBreakdown(models: Array<[string, GroupStats]>): string[] {
  const priced = models.filter(([, s]) => s.costBreakdown);
  if (priced.length === 0) return [];
  const out = ['', 'cost breakdown (computed from the pricing; tokens in parentheses):'];
  for (const [label, s] of priced) {
    const b = s.costBreakdown!;
    const parts = [`input ${usd(b.inputUsd)} (${tok(s.inputTokens)})`];
    if (s.cacheReadTokens > 0) parts.push(`cached ${usd(b.cacheReadUsd)} (${tok(s.cacheReadTokens)})`);
    if (s.cacheWriteTokens > 0) parts.push(`cache writes ${usd(b.cacheWriteUsd)} (${tok(s.cacheWriteTokens)})`);
    parts.push(`output ${usd(b.outputUsd)} (${tok(s.outputTokens)})`);
    if (s.reasoningTokens > 0) parts.push(`reasoning ${usd(b.reasoningUsd)} (${tok(s.reasoningTokens)})`);
    if (s.costEstimated > 0) parts.push(`${s.costEstimated} estimated`);
    out.push(`  ${label}: ${parts.join(' · ')}`);
  }
  for (const [label, s] of models) {
    const r = s.reportedCost;
    if (!r) continue;
    const versus = r.computedUsd === null ? 'no price configured' : `computed ${usd(r.computedUsd)}${r.disagree ? ' — they disagree by more than 3%: check the pricing (assay prices check)' : ''}`;
    out.push(`  ${label}: reported by the provider ${usd(r.reportedUsd)} over ${r.n} requests; ${versus}`);
  }
  return out;
}
