import type {Percentiles, StepResult} from './load-types.ts';
import type {LoadOutcome} from './run-load.ts';
import {describeSlo} from './parse-slo.ts';

const n = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? '–' : v.toFixed(d));
const p = (x: Percentiles) => `${n(x.p50, 0)}/${n(x.p95, 0)}`;

function name(s: StepResult): string {
  return s.plan.kind === 'concurrency' ? `${s.role === 'concurrency' ? 'closed' : s.role} @${s.plan.concurrency}` : `${s.plan.arrivals} @${s.plan.rateRps}/s`;
}

/** The terminal summary: one table per model, the saturation point, and where the files are. */
export function renderLoad(outcome: LoadOutcome): string {
  const {report} = outcome;
  const out: string[] = [`load test ${report.runId}${report.simulated ? ' (simulated models)' : ''}: SLO ${describeSlo(report.slo)}; latencies from the scheduled send, ms p50/p95`];
  for (const m of Object.values(report.models)) {
    out.push('', `${m.label}  saturation ${m.saturationRps === null ? 'not found' : `${n(m.saturationRps, 2)} req/s`}`);
    out.push(`  ${'step'.padEnd(22)} ${'n'.padStart(5)} ${'offered'.padStart(8)} ${'achieved'.padStart(9)} ${'goodput'.padStart(8)} ${'tok/s'.padStart(7)} ${'ttft'.padStart(11)} ${'tpot'.padStart(9)} ${'e2e'.padStart(11)} ${'err'.padStart(4)}  valid`);
    for (const s of m.steps) {
      out.push(
        `  ${name(s).padEnd(22)} ${String(s.requests.measured).padStart(5)} ${n(s.offeredRps, 2).padStart(8)} ${n(s.achievedRps, 2).padStart(9)} ${n(s.goodputRps, 2).padStart(8)} ${n(s.outputTokensPerS, 0).padStart(7)} ${p(s.ttftFromScheduledMs).padStart(11)} ${p(s.tpotMs).padStart(9)} ${p(s.e2eFromScheduledMs).padStart(11)} ${String(s.requests.errors).padStart(4)}  ${s.valid ? 'yes' : `NO: ${s.invalidReason}`}`,
      );
    }
  }
  out.push('', `wrote ${outcome.dir}/load.json, load.csv, load.html${outcome.interrupted ? ' (interrupted: partial)' : ''}`);
  return out.join('\n');
}
