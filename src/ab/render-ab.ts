import {MIN_PAIRED_CASES} from '../stats/paired-test.ts';
import type {AbVerdict} from './ab-verdict.ts';

const pts = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}`;
const usd = (v: number | null) => (v === null ? 'unknown' : `$${v.toFixed(4)}`);
const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v)} ms`);

/** The verdict as a person reads it. */
export function renderAb(v: AbVerdict & {judged?: AbVerdict}, dir: string): string {
  const lines = [
    `${v.verdict.toUpperCase()}: ${v.summary}`,
    '',
    `  metric        ${v.metric === 'score' ? 'graded score' : 'pairwise win rate'} (${v.test}, p=${v.pValue.toPrecision(2)}; the interval below is the same test's)`,
    `  difference    ${pts(v.difference.estimate)} points, 95% CI [${pts(v.difference.ciLow)}, ${pts(v.difference.ciHigh)}] on ${v.n} requests`,
    `  MDE           ${v.mde === null ? '–' : `${(v.mde * 100).toFixed(1)} points`} at this n; ${v.nForEffect.n ?? '–'} requests to detect ${(v.nForEffect.effect * 100).toFixed(1)} points`,
  ];
  if (v.weighted) {
    const w = v.weighted;
    lines.push(`  weighted      ${pts(w.estimate)} points, 95% CI [${pts(w.ciLow)}, ${pts(w.ciHigh)}], p=${w.pValue.toPrecision(2)}, effective n ${w.nEffective.toFixed(1)} of ${v.n} (${w.allocation} allocation over ${w.strata.length} ${w.stratify === 'tag' ? 'tag' : `"${w.stratify}"`} strata${w.drivesVerdict ? '; the verdict rests on it' : ''})`);
    if (v.unweighted) lines.push(`  unweighted    ${pts(v.unweighted.estimate)} points, 95% CI [${pts(v.unweighted.ciLow)}, ${pts(v.unweighted.ciHigh)}] (${v.unweighted.test}: over-sampled strata count more here)`);
    if (w.missing.length > 0) lines.push(`  no pairs in   ${w.missing.join(', ')} (left out; the other strata's weights renormalized)`);
  }
  if (v.passRate) lines.push(`  pass rate     ${v.control} ${(v.passRate.control * 100).toFixed(1)}% vs ${v.treatment} ${(v.passRate.treatment * 100).toFixed(1)}% (only control passed ${v.passRate.onlyControl}, only treatment ${v.passRate.onlyTreatment})`);
  if (v.pairwise) lines.push(`  pairwise      treatment wins ${v.pairwise.wins}, ties ${v.pairwise.ties}, losses ${v.pairwise.losses}${v.pairwise.unscored ? `, unscored ${v.pairwise.unscored}` : ''}`);
  if (v.judged?.pairwise) lines.push(`  judged        ${v.judged.verdict} by pairwise judging: wins ${v.judged.pairwise.wins}, ties ${v.judged.pairwise.ties}, losses ${v.judged.pairwise.losses}`);
  lines.push(
    `  cost / 1k     ${usd(v.cost.controlPer1kUsd)} → ${usd(v.cost.treatmentPer1kUsd)}${v.cost.difference ? ` (Δ ${usd(v.cost.difference.estimate)}, CI ${usd(v.cost.difference.ciLow)} to ${usd(v.cost.difference.ciHigh)})` : ''}`,
    `  latency p50   ${ms(v.latency.controlP50Ms)} → ${ms(v.latency.treatmentP50Ms)}${v.latency.difference ? ` (mean Δ ${ms(v.latency.difference.estimate)}, CI ${ms(v.latency.difference.ciLow)} to ${ms(v.latency.difference.ciHigh)})` : ''}`,
  );
  if (v.perTag.length > 0) {
    lines.push('', '  per tag (Holm-adjusted across tags; * = clear difference):');
    for (const t of v.perTag) {
      // Older ab.json files have no tooFew: judge from n.
      const few = t.tooFew ?? t.n < MIN_PAIRED_CASES;
      lines.push(few ? `    ${t.tag.padEnd(16)} too few (n=${t.n})` : `    ${t.tag.padEnd(16)} ${pts(t.difference)} [${pts(t.ciLow)}, ${pts(t.ciHigh)}] n=${t.n}, p=${t.pValue.toPrecision(2)}, Holm p=${t.pValueAdjusted.toPrecision(2)}${t.significant ? ' *' : ''}`);
    }
  }
  const excluded = v.excluded.controlErrors + v.excluded.treatmentErrors + v.excluded.unscored;
  if (excluded > 0) lines.push('', `  excluded: ${v.excluded.controlErrors} control errors, ${v.excluded.treatmentErrors} treatment errors, ${v.excluded.unscored} unscored`);
  if (v.skipped.length > 0) lines.push('', `  skipped ${v.skipped.length} request(s) from the sample:`, ...v.skipped.slice(0, 10).map((s) => `    line ${s.line ?? '?'}${s.id ? ` (${s.id})` : ''}: ${s.reason}`), ...(v.skipped.length > 10 ? [`    ...and ${v.skipped.length - 10} more (see ab.json)`] : []));
  lines.push('', `wrote ${dir}/ab.json (and the run's results, CSV, summary and report)`);
  return lines.join('\n');
}
