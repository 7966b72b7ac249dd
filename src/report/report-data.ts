import type {Result} from '../core/types.ts';
import type {Summary} from '../runner/summarize.ts';
import type {RunMedia} from '../rundir/read-run-media.ts';
import {paretoFrontier} from './pareto-frontier.ts';
import {reportMedia, type ReportMedia} from './report-media.ts';

/** Longer outputs are cut in the page (results.jsonl keeps them whole): one runaway answer must not weigh megabytes. */
export const MAX_OUTPUT_CHARS = 20_000;

/**
 * The page's case table holds at most this many results (the first cases in suite and case order,
 * every model beside each). The summary, charts and heat map always cover every result; results.csv
 * and results.jsonl have every one. A page with 100,000 rows weighs tens of megabytes and is slow
 * to open, and building it would hold the whole run in memory twice over.
 */
export const REPORT_MAX_RESULTS = 20_000;

/** Verdict codes in the data island: pass, fail, error, ungraded (no graders), unscored (a grade could not be scored). */
export type VerdictCode = 'p' | 'f' | 'e' | 'g' | 'u';

/** One case (suite, case id, repeat): [suite index, case id, repeat, input, expected, tag indexes]. */
export type CaseRow = [number, string, number, string, string | null, number[]];

/**
 * One result, as an array to keep 100,000 of them light: [case index, model index, verdict, score,
 * latency ms, ttft ms, cost USD, output (or the error message), graders' reasons, error class, cached].
 */
export type ResultRow = [number, number, VerdictCode, number | null, number | null, number | null, number | null, string, string, string | null, 0 | 1];

export interface ModelPoint {
  label: string;
  provider: string;
  simulated: boolean;
  passRate: number | null;
  ci: [number, number] | null;
  meanScore: number | null;
  costPer1kUsd: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  ttftP50Ms: number | null;
  errorRate: number;
  /** On the cost-versus-quality Pareto frontier (quality: pass rate, else mean score). */
  frontier: boolean;
}

/** Everything the page's script draws, embedded once as JSON: the page fetches nothing. */
export interface ReportData {
  v: 1;
  runId: string;
  simulated: boolean;
  models: ModelPoint[];
  suites: string[];
  tags: string[];
  /** Heat-map rows: every suite, then every tag. */
  heatRows: Array<['suite' | 'tag', string]>;
  /** Row × model: [heat row index, model index, pass rate, graded, n, graded cases, 95% CI low, 95% CI high]. */
  heat: Array<[number, number, number | null, number, number, number, number | null, number | null]>;
  cases: CaseRow[];
  results: ResultRow[];
  /** How many outputs were cut to MAX_OUTPUT_CHARS. */
  truncated: number;
  /** Results left out of the case table (over REPORT_MAX_RESULTS). */
  omitted?: number;
  /** The images and files the shown inputs name by their markers, by digest (media.json of the run). */
  media?: Record<string, ReportMedia>;
}

function verdict(r: Result): VerdictCode {
  if (r.status === 'error') return 'e';
  if (r.grades.some((g) => g.unscored)) return r.pass === null ? 'u' : r.pass ? 'p' : 'f';
  if (r.pass === null) return 'g';
  return r.pass ? 'p' : 'f';
}

const quality = (m: {passRate: number | null; meanScore: number | null}) => m.passRate ?? m.meanScore;

/** The case table's order: suite, case id (numeric-aware), repeat, so each row shows one case with every model beside it. */
export const caseOrder = (a: Result, b: Result): number =>
  a.suiteId.localeCompare(b.suiteId) || NUMERIC.compare(a.caseId, b.caseId) || a.repeat - b.repeat;

// One collator for every comparison: localeCompare with options builds one per call, which at
// 100,000 results cost seconds and a quarter of a gigabyte of native memory.
const NUMERIC = new Intl.Collator(undefined, {numeric: true});

/**
 * The page's data. `shown`, when given, is the case table's results already picked and in order (the
 * first REPORT_MAX_RESULTS of `results` in caseOrder, read back whole); `results` then only feeds
 * the count, and `resultCount` stands for it when the results are not held at all.
 */
export function buildReportData(summary: Summary, results: readonly Result[], media?: RunMedia, shown?: readonly Result[], resultCount = results.length): ReportData {
  const labels = Object.keys(summary.models);
  const points = labels.map((label) => ({label, s: summary.models[label]!}));
  const priced = points.filter((p) => p.s.costPer1kUsd !== null && quality(p.s) !== null);
  const frontier = new Set(paretoFrontier(priced.map((p) => ({label: p.label, cost: p.s.costPer1kUsd!, quality: quality(p.s)!}))));
  const models: ModelPoint[] = points.map(({label, s}) => ({
    label,
    provider: s.provider,
    simulated: s.simulated,
    passRate: s.passRate,
    ci: s.passRateCi95,
    meanScore: s.meanScore,
    costPer1kUsd: s.costPer1kUsd,
    latencyP50Ms: s.latencyMs.p50,
    latencyP95Ms: s.latencyMs.p95,
    ttftP50Ms: s.ttftMs.p50,
    errorRate: s.errorRate,
    frontier: frontier.has(label),
  }));
  const modelIndex = new Map(labels.map((l, i) => [l, i]));
  const suites: string[] = [];
  const suiteIndex = new Map<string, number>();
  const tags = Object.keys(summary.tags);
  const tagIndex = new Map(tags.map((t, i) => [t, i]));
  const heatRows: ReportData['heatRows'] = [];
  const heat: ReportData['heat'] = [];
  for (const [kind, groups] of [['suite', summary.suites], ['tag', summary.tags]] as const) {
    for (const [name, byModel] of Object.entries(groups)) {
      const row = heatRows.push([kind, name]) - 1;
      for (const [model, s] of Object.entries(byModel)) {
        const m = modelIndex.get(model);
        if (m !== undefined) heat.push([row, m, s.passRate, s.graded, s.n, s.gradedCases ?? s.graded, s.passRateCi95?.[0] ?? null, s.passRateCi95?.[1] ?? null]);
      }
    }
  }
  // Cases in suite/case/repeat order so each table row shows one case with every model beside it.
  const cases: CaseRow[] = [];
  const caseIndex = new Map<string, number>();
  const rows: ResultRow[] = [];
  let truncated = 0;
  if (!shown) {
    const sorted = [...results].sort(caseOrder);
    shown = sorted.length > REPORT_MAX_RESULTS ? sorted.slice(0, REPORT_MAX_RESULTS) : sorted;
  }
  for (const r of shown) {
    let s = suiteIndex.get(r.suiteId);
    if (s === undefined) {
      s = suites.push(r.suiteId) - 1;
      suiteIndex.set(r.suiteId, s);
    }
    const key = `${r.suiteId}\u0000${r.caseId}\u0000${r.repeat}`;
    let c = caseIndex.get(key);
    if (c === undefined) {
      c = cases.push([s, r.caseId, r.repeat, r.input, r.expected, r.tags.map((t) => tagIndex.get(t)).filter((t) => t !== undefined)]) - 1;
      caseIndex.set(key, c);
    }
    let text = r.status === 'error' ? (r.error?.message ?? '') : (r.output ?? '');
    // A tool-calling answer is its calls: shown after any text, one per line.
    if (r.toolCalls?.length) text = [...(text ? [text] : []), ...r.toolCalls.map((t) => `→ ${t.name}(${typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments)})`)].join('\n');
    if (text.length > MAX_OUTPUT_CHARS) {
      text = `${text.slice(0, MAX_OUTPUT_CHARS)}\n… (${text.length - MAX_OUTPUT_CHARS} more characters in results.jsonl)`;
      truncated++;
    }
    const reasons = r.grades.map((g) => `${g.grader}: ${g.unscored ? 'unscored' : g.pass ? 'pass' : 'fail'}${g.score === null ? '' : ` (${round(g.score)})`}: ${g.reason}`).join('\n');
    rows.push([c, modelIndex.get(r.model) ?? 0, verdict(r), r.score === null ? null : round(r.score), r.latencyMs === null ? null : Math.round(r.latencyMs), r.ttftMs === null ? null : Math.round(r.ttftMs), r.costUsd, text, reasons, r.error?.class ?? null, r.cached ? 1 : 0]);
  }
  const shownMedia = reportMedia(media, cases.map((c) => c[3]));
  return {
    v: 1, runId: summary.runId, simulated: summary.simulated, models, suites, tags, heatRows, heat, cases, results: rows, truncated, omitted: resultCount - shown.length,
    ...(Object.keys(shownMedia).length > 0 && {media: shownMedia}),
  };
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;
