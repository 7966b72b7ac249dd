import type {SimulatedPerformance, SimulationReport} from './simulate-policy.ts';

const usd = (x: number | null) => (x === null ? '–' : `$${x < 0.1 ? x.toPrecision(3) : x.toFixed(2)}`);

/** The simulation as a table a person reads: the policy, each single model and the oracle on the same cases. */
export function renderSimulation(report: SimulationReport): string {
  const best = report.baselines[report.bestSingleModel]!;
  const row = (name: string, p: SimulatedPerformance) => [
    name,
    String(p.n),
    p.quality.toFixed(4),
    best.quality > 0 ? `${((p.quality / best.quality) * 100).toFixed(1)}%` : '–',
    usd(p.costUsdPer1k),
    p.costUsdPer1k !== null && best.costUsdPer1k ? `${((p.costUsdPer1k / best.costUsdPer1k) * 100).toFixed(1)}%` : '–',
    p.p95LatencyMs === null ? '–' : `${Math.round(p.p95LatencyMs)} ms`,
  ];
  const rows = [
    ['', 'n', 'quality', `vs ${report.bestSingleModel}`, 'cost/1k', 'cost vs best', 'p95'],
    row('policy', report.policy),
    ...Object.entries(report.baselines).map(([m, p]) => row(m, p)),
    row('oracle', report.oracle),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const out = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  out.push('', `replayed ${report.n} cases; policy served by ${Object.entries(report.policy.servedBy).map(([m, k]) => `${m} ${k}`).join(', ')}; fallbacks used ${report.policy.fallbacksUsed}`);
  if (Object.keys(report.policy.byRule).length > 1) {
    out.push('per rule:');
    for (const [name, p] of Object.entries(report.policy.byRule)) out.push(`  ${name}: n=${p.n} quality ${p.quality.toFixed(4)} cost ${usd(p.costUsdPer1k)}/1k`);
  }
  if (report.curve.length > 1) {
    out.push('cost–quality curve (the policy\'s rules at other targets):');
    for (const p of report.curve) out.push(`  target ${(p.relativeQualityTarget * 100).toFixed(1)}%: quality ${p.quality.toFixed(4)} cost ${usd(p.costUsdPer1k)}/1k`);
  }
  if (report.aiq !== null) out.push(`AIQ (area under the cost–quality hull / cost range): policy ${report.aiq.toFixed(4)}, zero router ${report.zeroRouterAiq?.toFixed(4) ?? '–'}`);
  for (const w of report.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}
