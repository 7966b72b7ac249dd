import {existsSync, readFileSync, statSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import Papa from 'papaparse';
import {InputError} from '../core/errors.ts';
import type {ErrorClass, Pricing, Result} from '../core/types.ts';
import {latestResults, readJournal} from '../runner/journal.ts';
import type {CaseOutcomes, ModelErrorStats, ModelInfo, ModelOutcome, OutcomeSet} from './policy-types.ts';

/** Raw observations of one (case, model) before repeats are averaged. */
interface Observations {
  scores: number[];
  costs: number[];
  latencies: number[];
  inputTokens: number[];
  outputTokens: number[];
  requests: number;
  errors: number;
}

interface CaseAccumulator {
  caseId: string;
  tags: Set<string>;
  prompt?: string;
  metadata: Record<string, string>;
  byModel: Map<string, Observations>;
}

interface Accumulator {
  cases: Map<string, CaseAccumulator>;
  models: Record<string, ModelInfo>;
  errorStats: Record<string, ModelErrorStats>;
  warnings: string[];
}

const REQUIRED_CSV_COLUMNS = ['case_id', 'model', 'score'] as const;
const OPTIONAL_CSV_COLUMNS = new Set(['cost_usd', 'latency_ms', 'input_tokens', 'output_tokens', 'tags', 'prompt']);

/**
 * Reads run directories, results.jsonl files and outcomes CSV files (SPEC.md) and joins them by case
 * id across models, averaging repeats. Several sources merge: a case measured on model A in one run
 * and on model B in another becomes one case with both outcomes.
 */
export function loadOutcomes(sources: readonly string[], opts: {cwd?: string} = {}): OutcomeSet {
  if (sources.length === 0) throw new InputError('no sources given', {field: '--from', hint: 'pass a run directory, a results.jsonl or an outcomes CSV file'});
  const acc: Accumulator = {cases: new Map(), models: {}, errorStats: {}, warnings: []};
  for (const source of sources) {
    const path = resolve(opts.cwd ?? process.cwd(), source);
    if (!existsSync(path)) throw new InputError('no such file or directory', {file: source, field: '--from', hint: 'pass a run directory (reports/<runId>), a results.jsonl or an outcomes CSV file'});
    if (statSync(path).isDirectory()) {
      const journal = join(path, 'results.jsonl');
      if (!existsSync(journal)) throw new InputError('not a run directory (no results.jsonl)', {file: source, hint: 'pass a directory written by `assay run`, e.g. reports/<runId>'});
      readRunResults(journal, join(source, 'results.jsonl'), acc);
    } else if (path.endsWith('.jsonl')) {
      readRunResults(path, source, acc);
    } else if (path.endsWith('.csv') && isRunResultsCsv(path)) {
      // assay's own results.csv: its run's journal beside it has every field, errors included.
      const journal = join(dirname(path), 'results.jsonl');
      if (!existsSync(journal)) throw new InputError('this is an assay results.csv without its results.jsonl beside it', {file: source, hint: 'pass the run directory (reports/<runId>) or its results.jsonl; an outcomes CSV needs case_id, model, score'});
      readRunResults(journal, join(dirname(source), 'results.jsonl'), acc);
    } else if (path.endsWith('.csv')) {
      readOutcomesCsv(path, source, acc);
    } else {
      throw new InputError('unknown source type', {file: source, field: '--from', hint: 'pass a run directory, a results.jsonl (.jsonl) or an outcomes CSV (.csv) file'});
    }
  }
  const cases = [...acc.cases.values()].map(finishCase);
  if (cases.length === 0) throw new InputError('no outcomes in the sources', {file: sources.join(', '), hint: 'run `assay run` first, or check the CSV has rows'});
  for (const label of modelsIn(cases)) acc.models[label] ??= {};
  return {sources: [...sources], models: acc.models, cases, errorStats: acc.errorStats, warnings: acc.warnings};
}

function modelsIn(cases: readonly CaseOutcomes[]): string[] {
  const labels = new Set<string>();
  for (const c of cases) for (const m of Object.keys(c.byModel)) labels.add(m);
  return [...labels].sort();
}

function readRunResults(file: string, source: string, acc: Accumulator): void {
  const {results, tornLines} = readJournal(file);
  if (tornLines > 0) acc.warnings.push(`${source}: ${tornLines} torn line(s) skipped`);
  readRunMeta(join(dirname(file), 'run.json'), join(dirname(source), 'run.json'), acc);
  results.forEach((r, i) => {
    if (typeof r?.caseId !== 'string' || typeof r.model !== 'string' || typeof r.suiteId !== 'string') {
      throw new InputError('not a result line (needs suiteId, caseId and model)', {file: source, line: i + 1, hint: 'pass a results.jsonl written by `assay run`'});
    }
  });
  for (const r of latestResults(results)) addResult(r, acc);
}

function readRunMeta(file: string, display: string, acc: Accumulator): void {
  if (!existsSync(file)) return;
  let meta: {models?: Record<string, Partial<ModelInfo>>};
  try {
    meta = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`run.json is not valid JSON: ${(error as Error).message}`, {file: display});
  }
  for (const [label, m] of Object.entries(meta.models ?? {})) {
    acc.models[label] = {
      ...acc.models[label],
      ...(m.provider !== undefined ? {provider: m.provider} : {}),
      ...(m.model !== undefined ? {model: m.model} : {}),
      ...(m.type !== undefined ? {type: m.type} : {}),
      ...(m.pricing ? {pricing: m.pricing} : {}),
      ...(m.simulated !== undefined ? {simulated: m.simulated} : {}),
      ...(typeof m.wire === 'string' ? {wire: m.wire} : {}),
      ...(typeof m.baseURL === 'string' ? {baseURL: m.baseURL} : {}),
      ...(typeof m.keyEnv === 'string' ? {keyEnv: m.keyEnv} : {}),
      ...(typeof m.timeoutMs === 'number' ? {timeoutMs: m.timeoutMs} : {}),
      ...(m.params ? {params: m.params} : {}),
    };
  }
}

function observationsFor(acc: Accumulator, caseId: string, model: string, tags: readonly string[], metadata: Record<string, string>, prompt?: string): Observations {
  let c = acc.cases.get(caseId);
  if (!c) {
    c = {caseId, tags: new Set(), metadata: {}, byModel: new Map()};
    acc.cases.set(caseId, c);
  }
  for (const t of tags) c.tags.add(t);
  Object.assign(c.metadata, metadata);
  // The first prompt seen for a case is kept: every model answered the same one.
  if (prompt !== undefined && prompt !== '' && c.prompt === undefined) c.prompt = prompt;
  let o = c.byModel.get(model);
  if (!o) {
    o = {scores: [], costs: [], latencies: [], inputTokens: [], outputTokens: [], requests: 0, errors: 0};
    c.byModel.set(model, o);
  }
  return o;
}

function addResult(r: Result, acc: Accumulator): void {
  const o = observationsFor(acc, `${r.suiteId}/${r.caseId}`, r.model, r.tags ?? [], {suite: r.suiteId}, typeof r.input === 'string' ? r.input : undefined);
  o.requests++;
  const stats = (acc.errorStats[r.model] ??= {requests: 0, attempts: 0, errors: 0, errorsByClass: {}});
  stats.requests++;
  stats.attempts += r.attempts ?? 0;
  if (r.status === 'error') {
    o.errors++;
    stats.errors++;
    const cls: ErrorClass = r.error?.class ?? 'server';
    stats.errorsByClass[cls] = (stats.errorsByClass[cls] ?? 0) + 1;
    return;
  }
  if (typeof r.score === 'number') o.scores.push(r.score);
  if (typeof r.costUsd === 'number') o.costs.push(r.costUsd);
  // A cached answer carries the original call's latency: counting it again would weight it twice.
  if (typeof r.latencyMs === 'number' && !r.cached) o.latencies.push(r.latencyMs);
  if (typeof r.inputTokens === 'number') o.inputTokens.push(r.inputTokens);
  if (typeof r.outputTokens === 'number') o.outputTokens.push(r.outputTokens);
}

/** The header of a results.csv written by `assay run` (runId, suiteId, caseId, ...), not an outcomes CSV. */
function isRunResultsCsv(file: string): boolean {
  const header = readFileSync(file, 'utf8').slice(0, 200).split('\n')[0] ?? '';
  return /^runId,suiteId,caseId,model\b/.test(header);
}

function readOutcomesCsv(file: string, source: string, acc: Accumulator): void {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const parsed = Papa.parse<Record<string, string>>(text, {header: true, skipEmptyLines: 'greedy', transformHeader: (h) => h.trim()});
  const header = parsed.meta.fields ?? [];
  for (const col of REQUIRED_CSV_COLUMNS) {
    if (!header.includes(col)) {
      throw new InputError(`missing column "${col}" (have: ${header.join(', ') || 'none'})`, {file: source, field: col, line: 1, hint: 'an outcomes CSV needs case_id, model, score; optional cost_usd, latency_ms, input_tokens, output_tokens, tags, prompt'});
    }
  }
  const syntax = parsed.errors.find((e) => e.type !== 'FieldMismatch' || e.code === 'TooManyFields');
  if (syntax) throw new InputError(`not valid CSV: ${syntax.message}`, {file: source, line: (syntax.row ?? 0) + 2});
  const metadataColumns = header.filter((h) => !(REQUIRED_CSV_COLUMNS as readonly string[]).includes(h) && !OPTIONAL_CSV_COLUMNS.has(h));
  const lines = rowStartLines(text);
  parsed.data.forEach((row, i) => {
    const line = lines[i + 1] ?? i + 2;
    const caseId = (row.case_id ?? '').trim();
    const model = (row.model ?? '').trim();
    if (!caseId) throw new InputError('empty case_id', {file: source, field: 'case_id', line});
    if (!model) throw new InputError('empty model', {file: source, field: 'model', line});
    const score = numberCell(row.score, {file: source, field: 'score', line, required: true});
    if (score !== null && (score < 0 || score > 1)) throw new InputError(`score ${score} is outside 0..1`, {file: source, field: 'score', line, hint: 'scale scores to 0..1 (e.g. a 1-10 judge score divided by 10)'});
    const costUsd = numberCell(row.cost_usd, {file: source, field: 'cost_usd', line});
    const latencyMs = numberCell(row.latency_ms, {file: source, field: 'latency_ms', line});
    const inputTokens = numberCell(row.input_tokens, {file: source, field: 'input_tokens', line});
    const outputTokens = numberCell(row.output_tokens, {file: source, field: 'output_tokens', line});
    for (const [field, v] of [['cost_usd', costUsd], ['latency_ms', latencyMs], ['input_tokens', inputTokens], ['output_tokens', outputTokens]] as const) {
      if (v !== null && v < 0) throw new InputError(`${field} must not be negative (got ${v})`, {file: source, field, line});
    }
    const tags = (row.tags ?? '').split(';').map((t) => t.trim()).filter(Boolean);
    const metadata: Record<string, string> = {};
    for (const col of metadataColumns) if (row[col] !== undefined && row[col] !== '') metadata[col] = row[col]!;
    const o = observationsFor(acc, caseId, model, tags, metadata, row.prompt);
    o.requests++;
    if (score !== null) o.scores.push(score);
    if (costUsd !== null) o.costs.push(costUsd);
    if (latencyMs !== null) o.latencies.push(latencyMs);
    if (inputTokens !== null) o.inputTokens.push(inputTokens);
    if (outputTokens !== null) o.outputTokens.push(outputTokens);
  });
}

/** 1-based line where each CSV record starts (index 0 = header), so errors point at the right line even with quoted newlines. */
function rowStartLines(text: string): number[] {
  const starts: number[] = [1];
  let line = 1;
  let inQuotes = false;
  let atRecordStart = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (atRecordStart && ch !== '\n' && ch !== '\r') {
      starts.push(line);
      atRecordStart = false;
    }
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === '\n') {
      line++;
      if (!inQuotes) atRecordStart = true;
    }
  }
  return starts;
}

function numberCell(raw: string | undefined, where: {file: string; field: string; line: number; required?: boolean}): number | null {
  const text = (raw ?? '').trim();
  if (text === '') {
    if (where.required) throw new InputError('empty value', {file: where.file, field: where.field, line: where.line});
    return null;
  }
  const value = Number(text);
  if (!Number.isFinite(value)) throw new InputError(`not a number: "${text}"`, {file: where.file, field: where.field, line: where.line});
  return value;
}

const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function finishCase(c: CaseAccumulator): CaseOutcomes {
  const byModel: Record<string, ModelOutcome> = {};
  const perModelInput: number[] = [];
  for (const [model, o] of c.byModel) {
    const inputTokens = mean(o.inputTokens);
    if (inputTokens !== null) perModelInput.push(inputTokens);
    byModel[model] = {
      score: mean(o.scores),
      costUsd: mean(o.costs),
      latencyMs: mean(o.latencies),
      inputTokens,
      outputTokens: mean(o.outputTokens),
      requests: o.requests,
      errors: o.errors,
    };
  }
  return {caseId: c.caseId, tags: [...c.tags].sort(), ...(c.prompt !== undefined ? {prompt: c.prompt} : {}), metadata: c.metadata, inputTokens: median(perModelInput), byModel};
}
