import {formatUsd} from '../report/format-usd.ts';
import type {MonitorCycle} from './run-monitor.ts';

const pct = (k: number, n: number) => (n === 0 ? '–' : `${((k / n) * 100).toFixed(0)}%`);

/** A cycle as lines: one per model, then one per drift. */
export function renderMonitorCycle(c: MonitorCycle, baselineCycles: number): string {
  const phase = c.cycle <= baselineCycles ? ` (baseline ${c.cycle}/${baselineCycles})` : '';
  const lines = [`cycle ${c.cycle}${phase}${c.resumedFrom && c.cycle === c.resumedFrom + 1 ? ` (series resumed after cycle ${c.resumedFrom})` : ''}`];
  for (const p of c.points) {
    const errors = p.errors ? `${p.errors} errors (${Object.entries(p.errorsByClass).map(([k, v]) => `${k} ${v}`).join(', ')})` : '0 errors';
    lines.push(`  ${p.model}: pass ${pct(p.passed, p.graded)} of ${p.graded}, ${errors}, p50 ${p.latencyP50Ms ?? '–'} ms, p95 ${p.latencyP95Ms ?? '–'} ms, ${formatUsd(p.costUsd, 'cost unknown')}`);
  }
  for (const d of c.drifts) lines.push(`  DRIFT ${d.model} ${d.metric}: ${d.baseline} → ${d.current} (p=${d.pValue.toPrecision(2)}, Holm-adjusted ${d.pValueAdjusted.toPrecision(2)})`);
  if (c.webhookError) lines.push(`  warning: ${c.webhookError}`);
  return lines.join('\n');
}
