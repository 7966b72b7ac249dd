import {reportCsp} from '../report/csp-hash.ts';
import type {LoadReport, Percentiles, StepResult} from './load-types.ts';
import {describeSlo} from './parse-slo.ts';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;width:100%;font-size:12px}
th,td{border-bottom:1px solid #ddd;padding:3px 6px;text-align:right}th:first-child,td:first-child{text-align:left}
.muted{color:#667}.bad{color:#b3261e}.charts{display:flex;flex-wrap:wrap;gap:1.5rem}svg{background:#fafbfc;border:1px solid #e3e6ea}
.legend span{display:inline-block;margin-right:1rem}`;

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#e377c2'];

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]!);
}

const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const pct = (p: Percentiles) => `${fmt(p.p50, 0)} / ${fmt(p.p95, 0)} / ${fmt(p.p99, 0)}`;

interface Series {
  label: string;
  color: string;
  points: Array<{x: number; y: number; valid: boolean; closed: boolean}>;
}

/** A line chart on shared axes, every model a series; invalid steps drawn hollow. */
function chart(title: string, xLabel: string, yLabel: string, series: Series[], diagonal: boolean): string {
  const W = 500;
  const H = 320;
  const L = 56;
  const B = 40;
  const all = series.flatMap((s) => s.points);
  const xMax = niceMax(Math.max(1e-9, ...all.map((p) => p.x)));
  const yMax = niceMax(Math.max(1e-9, ...all.map((p) => p.y), diagonal ? xMax : 0));
  const sx = (x: number) => L + (x / xMax) * (W - L - 12);
  const sy = (y: number) => H - B - (y / yMax) * (H - B - 24);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  let svg = `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">`;
  svg += `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="600">${esc(title)}</text>`;
  for (const t of ticks) {
    svg += `<line x1="${L}" x2="${W - 12}" y1="${sy(t * yMax)}" y2="${sy(t * yMax)}" stroke="#e3e6ea"/>`;
    svg += `<text x="${L - 4}" y="${sy(t * yMax) + 4}" text-anchor="end" font-size="10">${fmtTick(t * yMax)}</text>`;
    svg += `<text x="${sx(t * xMax)}" y="${H - B + 14}" text-anchor="middle" font-size="10">${fmtTick(t * xMax)}</text>`;
  }
  svg += `<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="11">${esc(xLabel)}</text>`;
  svg += `<text x="12" y="${H / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${H / 2})">${esc(yLabel)}</text>`;
  if (diagonal) svg += `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(Math.min(xMax, yMax))}" y2="${sy(Math.min(xMax, yMax))}" stroke="#999" stroke-dasharray="4 3"/>`;
  for (const s of series) {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    // The line joins the open-loop steps (a curve over offered load); closed-loop probes stand apart as squares.
    const open = pts.filter((p) => !p.closed);
    const line = open.length > 1 ? open : pts.length > 1 && open.length === 0 ? pts : [];
    if (line.length > 1) svg += `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${line.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}"/>`;
    for (const p of pts) {
      const fill = p.valid ? s.color : '#fff';
      svg += p.closed
        ? `<rect x="${(sx(p.x) - 4).toFixed(1)}" y="${(sy(p.y) - 4).toFixed(1)}" width="8" height="8" fill="${fill}" stroke="${s.color}" stroke-width="1.5"/>`
        : `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="4" fill="${fill}" stroke="${s.color}" stroke-width="1.5"/>`;
    }
  }
  return `${svg}</svg>`;
}

function niceMax(v: number): number {
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * mag) return m * mag;
  return 10 * mag;
}

function fmtTick(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1).replace(/\.0$/, '') : v.toFixed(2).replace(/\.?0+$/, '') || '0';
}

function stepName(s: StepResult): string {
  return s.plan.kind === 'concurrency' ? `${s.role === 'concurrency' ? 'closed' : s.role} @${s.plan.concurrency}` : `${s.plan.arrivals} @${s.plan.rateRps}/s`;
}

/** load.html: latency against throughput and goodput against offered rate, every model on the same axes, then each step's numbers. */
export function renderLoadHtml(report: LoadReport): string {
  const models = Object.values(report.models);
  const series = (f: (s: StepResult) => {x: number; y: number} | null, openOnly = false): Series[] =>
    models.map((m, i) => ({
      label: m.label,
      color: COLORS[i % COLORS.length]!,
      points: m.steps.flatMap((s) => {
        if (openOnly && s.offeredRps === null) return [];
        const p = f(s);
        return p && Number.isFinite(p.x) && Number.isFinite(p.y) ? [{...p, valid: s.valid, closed: s.offeredRps === null}] : [];
      }),
    }));
  const latency = series((s) => (s.e2eFromScheduledMs.p50 === null ? null : {x: s.achievedRps, y: s.e2eFromScheduledMs.p50}));
  const ttft = series((s) => (s.ttftFromScheduledMs.p50 === null ? null : {x: s.achievedRps, y: s.ttftFromScheduledMs.p50}));
  const goodput = series((s) => ({x: s.offeredRps!, y: s.goodputRps}), true);
  const legend = `<p class="legend">${latency.map((s) => `<span><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${s.color}"/></svg> ${esc(s.label)}</span>`).join('')}<span class="muted">lines join open-loop steps; squares are closed-loop steps (sweep probes); hollow = step not valid (the generator could not keep up)</span></p>`;
  const tables = models
    .map((m) => {
      const rows = m.steps
        .map(
          (s) =>
            `<tr${s.valid ? '' : ' class="bad"'}><td>${esc(stepName(s))}</td><td>${s.requests.measured}</td><td>${fmt(s.offeredRps, 2)}</td><td>${fmt(s.achievedRps, 2)}</td><td>${fmt(s.goodputRps, 2)}</td><td>${fmt(s.outputTokensPerS, 0)}</td><td>${pct(s.ttftFromScheduledMs)}</td><td>${pct(s.tpotMs)}</td><td>${pct(s.itlMs)}</td><td>${pct(s.e2eFromScheduledMs)}</td><td>${s.requests.errors}${s.rateLimitedShare > 0 ? ` (${(s.rateLimitedShare * 100).toFixed(0)}% 429)` : ''}</td><td>${s.valid ? 'yes' : esc(s.invalidReason ?? 'no')}</td></tr>`,
        )
        .join('');
      return `<h2>${esc(m.label)} <span class="muted">(${esc(m.provider)} · ${esc(m.model)}${m.simulated ? ' · simulated' : ''})</span></h2>
<p>Saturation: <b>${m.saturationRps === null ? 'not found' : `${fmt(m.saturationRps, 2)} requests/s`}</b>${m.synchronousRps !== null ? ` · synchronous ${fmt(m.synchronousRps, 2)}/s · max throughput ${fmt(m.maxThroughputRps, 2)}/s` : ''}</p>
<table><thead><tr><th>step</th><th>n</th><th>offered/s</th><th>achieved/s</th><th>goodput/s</th><th>out tok/s</th><th>TTFT ms p50/p95/p99</th><th>TPOT ms</th><th>ITL ms</th><th>E2E ms</th><th>errors</th><th>valid</th></tr></thead><tbody>${rows}</tbody></table>`;
    })
    .join('\n');
  const csp = reportCsp({scripts: [], styles: [CSS]});
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<title>assay load ${esc(report.runId)}</title><style>${CSS}</style></head><body>
<h1>Load test ${esc(report.runId)}${report.simulated ? ' <span class="muted">(simulated models)</span>' : ''}</h1>
<p class="muted">Profile ${esc(report.profile)} · input ${esc(report.workload.inputTokens)} tokens · output ${esc(report.workload.outputTokens)} tokens · ${report.workload.stream ? 'streamed' : 'not streamed'} · SLO ${esc(describeSlo(report.slo))} · limits ${report.limits} · seed ${report.workload.seed}. Latencies count from each request's scheduled send time; p95 needs 20 requests and p99 100 (else –).</p>
${legend}
<div class="charts">${chart('Latency against throughput', 'achieved requests/s', 'E2E p50 ms (from schedule)', latency, false)}${chart('Time to first token against throughput', 'achieved requests/s', 'TTFT p50 ms (from schedule)', ttft, false)}${chart('Goodput against offered rate', 'offered requests/s', 'goodput requests/s', goodput, true)}</div>
${tables}
</body></html>
`;
}
