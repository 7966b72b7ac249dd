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
    row(report.rulesOnly ? 'policy (learned)' : 'policy', report.policy),
    ...(report.rulesOnly ? [row('rules only', report.rulesOnly)] : []),
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
  if (report.aiq !== null) out.push(`AIQ (area under the cost–quality hull / cost range): rules ${report.aiq.toFixed(4)}, zero router ${report.zeroRouterAiq?.toFixed(4) ?? '–'}`);
  if (report.learnedCurve && report.learnedCurve.length > 0) {
    // Every fourth point of the μ sweep is enough to see the curve's shape (the JSON has all of them).
    const labels = report.learnedCurve
      .filter((_, i) => i % 4 === 0 || i === report.learnedCurve!.length - 1)
      .map((p) => `${(best.quality > 0 ? (p.quality / best.quality) * 100 : 0).toFixed(1)}% at ${usd(p.costUsdPer1k)}`);
    out.push(`learned router curve (threshold μ swept, dearest first): ${labels.filter((l, i) => l !== labels[i - 1]).join(', ')}`);
  }
  if (report.learnedAiq !== undefined) out.push(`learned router AIQ: ${report.learnedAiq?.toFixed(4) ?? '–'}`);
  const g = report.gapRecovered;
  if (g.rules) {
    const cpt = (x: number | null) => (x === null ? 'not reached' : `${(x * 100).toFixed(1)}%`);
    out.push(`gap recovered between ${g.rules.weak} and ${g.rules.strong} (RouteLLM; cost normalised 0 = ${g.rules.weak}, 100% = ${g.rules.strong}; random mixing: APGR 0.5, CPT(50%) 50%, CPT(80%) 80%):`);
    out.push(`  rules:   APGR ${g.rules.apgr.toFixed(3)}, CPT(50%) ${cpt(g.rules.cpt50)}, CPT(80%) ${cpt(g.rules.cpt80)}`);
    if (g.learned) out.push(`  learned: APGR ${g.learned.apgr.toFixed(3)}, CPT(50%) ${cpt(g.learned.cpt50)}, CPT(80%) ${cpt(g.learned.cpt80)}`);
    if (g.oracle) out.push(`  oracle:  PGR ${g.oracle.pgr.toFixed(3)} at ${(g.oracle.cost * 100).toFixed(1)}% cost`);
  }
  for (const w of report.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}
