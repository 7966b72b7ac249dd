import {formatUsd} from '../report/format-usd.ts';
import {pacing, type ModelProgress, type ProgressState} from './progress-state.ts';

/** A piece of a line with a style the live view may colour; plain output ignores the style. */
export interface Span {
  text: string;
  style?: 'bold' | 'dim' | 'good' | 'warn' | 'bad';
}
export type Line = Span[];

const BAR_MIN_WIDTH = 100;

function bar(done: number, total: number, width: number): Line {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return [{text: '█'.repeat(filled), style: 'good'}, {text: '░'.repeat(width - filled), style: 'dim'}];
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function fit(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

/** The run's headline: progress, pace, ETA and what bounds the pace overall. */
function headline(state: ProgressState, width: number): Line[] {
  const elapsed = state.elapsedSeconds();
  const rate = state.ratePerSecond();
  const remaining = state.total - state.done;
  const eta = state.ended ? 'done' : rate > 0 ? `ETA ${clock(remaining / rate)}` : 'ETA –';
  const pctDone = state.total === 0 ? 100 : Math.floor((state.done / state.total) * 100);
  const parts = [`${state.done}/${state.total} (${pctDone}%)`, `${rate.toFixed(1)} req/s`, eta, `${clock(elapsed)} elapsed`];
  if (state.skipped > 0) parts.push(`${state.skipped} resumed`);
  const inFlight = [...state.models.values()].reduce((n, m) => n + m.inFlight, 0);
  const waiting = [...state.models.values()].reduce((n, m) => n + m.waiting, 0);
  if (state.concurrency !== null && !state.ended) {
    // Full cap and more waiting: the cap, not the providers, sets the pace. Say so.
    parts.push(`${inFlight} in flight of ${state.concurrency} (global cap${inFlight >= state.concurrency && waiting > 0 ? ': it sets the pace' : ''})`);
  }
  // As many parts per line as fit: a narrow terminal gets two headline lines, never a wrapped one.
  const lines: Line[] = [];
  let current: Line = [{text: `assay run ${state.runId}`, style: 'bold'}];
  let length = current[0]!.text.length;
  for (const part of parts) {
    if (length + 3 + part.length > width) {
      lines.push(current);
      current = [{text: part}];
      length = part.length;
    } else {
      current.push({text: ` · ${part}`});
      length += 3 + part.length;
    }
  }
  lines.push(current);
  const barWidth = Math.max(10, Math.min(60, width - 8));
  lines.push([...bar(state.done, state.total, barWidth), {text: ` ${String(pctDone).padStart(3)}%`}]);
  if (state.stopping && !state.ended) {
    lines.push([{text: `stopping: ${inFlight} in flight finish and are saved; Ctrl+C again quits now`, style: 'warn'}]);
  }
  return lines;
}

interface Column {
  head: string;
  width: number;
  cell: (m: ModelProgress) => Span;
  align?: 'right';
}

function columns(state: ProgressState, width: number): Column[] {
  const models = [...state.models.values()];
  const total = Math.max(1, ...models.map((m) => m.total));
  const doneWidth = String(total).length * 2 + 1;
  const num = (v: number) => String(v);
  const cols: Column[] = [
    {head: 'done', width: Math.max(4, doneWidth), align: 'right', cell: (m) => ({text: `${m.done}/${m.total}`})},
    {head: 'err', width: 4, align: 'right', cell: (m) => ({text: num(m.errors), style: m.errors > 0 ? 'bad' : undefined})},
    {head: 'retry', width: 5, align: 'right', cell: (m) => ({text: num(m.retries), style: m.retries > 0 ? 'warn' : undefined})},
    {head: 'pass', width: 5, align: 'right', cell: (m) => ({text: m.graded > 0 ? `${Math.round((m.passed / m.graded) * 100)}%` : '–'})},
    // Nothing answered yet is no cost yet, not an unknown price.
    {head: 'cost', width: 10, align: 'right', cell: (m) => ({text: m.done === 0 ? '–' : formatUsd(m.costUsd, 'no price')})},
  ];
  if (width >= BAR_MIN_WIDTH) cols.unshift({head: 'progress', width: 12, cell: () => ({text: ''})});
  return cols;
}

function paceSpan(m: ModelProgress, ended: boolean): Span {
  if (ended) return {text: m.done === m.total ? 'done' : `${m.total - m.done} not run`, style: m.done === m.total ? 'dim' : 'warn'};
  const text = pacing(m) || (m.done === m.total ? 'done' : 'waiting for a slot');
  return {text, style: m.breaker === 'open' ? 'bad' : m.throttled > 0 ? 'warn' : 'dim'};
}

/**
 * The live view as lines that fit `width` columns: a headline with ETA and the global cap, an overall
 * bar, then one aligned row per model (every model, also those with no result yet). Wider terminals
 * get a bar per model; narrower ones lose the pace text first, then shorten model names.
 */
export function progressLines(state: ProgressState, width: number): Line[] {
  const w = Math.max(40, width);
  const lines = headline(state, w);
  const models = [...state.models.values()];
  const cols = columns(state, w);
  const fixed = cols.reduce((n, c) => n + c.width + 2, 0);
  const labelWidth = Math.max(5, Math.min(28, Math.max(...models.map((m) => m.label.length + (m.simulated ? 6 : 0)), 5), w - fixed - 12));
  const paceWidth = Math.max(0, w - 2 - labelWidth - fixed - 2);
  const head: Line = [{text: `  ${fit('model', labelWidth)}`, style: 'dim'}];
  for (const c of cols) head.push({text: `  ${c.align === 'right' ? c.head.padStart(c.width) : c.head.padEnd(c.width)}`, style: 'dim'});
  if (paceWidth > 0) head.push({text: `  ${fit('pace', paceWidth).trimEnd()}`, style: 'dim'});
  lines.push(head);
  for (const m of models) {
    const label = `${m.label}${m.simulated ? ' (sim)' : ''}`;
    const row: Line = [{text: `  ${fit(label, labelWidth)}`}];
    for (const c of cols) {
      if (c.head === 'progress') {
        row.push({text: '  '}, ...bar(m.done, m.total, c.width));
        continue;
      }
      const span = c.cell(m);
      row.push({text: '  '}, {...span, text: c.align === 'right' ? span.text.padStart(c.width) : span.text.padEnd(c.width)});
    }
    if (paceWidth > 0) {
      const pace = paceSpan(m, state.ended);
      row.push({text: '  '}, {...pace, text: fit(pace.text, paceWidth).trimEnd()});
    }
    lines.push(row);
  }
  for (const warning of state.warnings.slice(-3)) lines.push([{text: fit(`warning: ${warning}`, w).trimEnd(), style: 'warn'}]);
  return lines;
}

export const lineText = (line: Line): string => line.map((s) => s.text).join('');
