import Handlebars from 'handlebars';
import type {Result} from '../core/types.ts';
import type {GroupStats, Summary} from '../runner/summarize.ts';

// Its own instance, escaping on (the default): every value in this page is untrusted text.
const hbs = Handlebars.create();

const TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>assay report {{runId}}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:#5b6475;margin-bottom:12px}.sim{display:inline-block;background:#fff3cd;color:#7a5a00;border:1px solid #e6c860;border-radius:4px;padding:2px 8px;font-weight:600}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #d9dde5;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f9;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.out{white-space:pre-wrap;max-width:420px;overflow-wrap:anywhere;font-family:ui-monospace,monospace;font-size:12px}
.pass{color:#17702f;font-weight:600}.fail{color:#b3261e;font-weight:600}.err{color:#8a4b00;font-weight:600}
</style>
</head>
<body>
<h1>assay run {{runId}}</h1>
<div class="meta">{{n}} results · generated {{generatedAt}} {{#if simulated}}<span class="sim">simulated: served by the assay sandbox, not a real provider</span>{{/if}}</div>
<h2>Models</h2>
<table id="leaderboard">
<thead><tr><th>model</th><th>provider</th><th>n</th><th>pass rate (95% CI)</th><th>mean score</th><th>errors</th><th>latency p50 / p95 ms</th><th>TTFT p50 ms</th><th>tokens in / out</th><th>cost USD</th><th>per 1k req</th></tr></thead>
<tbody>
{{#each models}}<tr><td>{{label}}{{#if simulated}} <span class="sim">sim</span>{{/if}}</td><td>{{provider}}</td><td class="num">{{n}}</td><td class="num">{{passRate}}</td><td class="num">{{meanScore}}</td><td class="num">{{errors}}</td><td class="num">{{latency}}</td><td class="num">{{ttft}}</td><td class="num">{{tokens}}</td><td class="num">{{cost}}</td><td class="num">{{costPer1k}}</td></tr>
{{/each}}
</tbody>
</table>
<h2>Suites</h2>
<table id="suites">
<thead><tr><th>suite</th><th>model</th><th>n</th><th>pass rate (95% CI)</th><th>errors</th><th>latency p50 ms</th></tr></thead>
<tbody>
{{#each suites}}<tr><td>{{suite}}</td><td>{{model}}</td><td class="num">{{n}}</td><td class="num">{{passRate}}</td><td class="num">{{errors}}</td><td class="num">{{latency}}</td></tr>
{{/each}}
</tbody>
</table>
<h2>Cases</h2>
<table id="cases">
<thead><tr><th>suite</th><th>case</th><th>model</th><th>result</th><th>input</th><th>expected</th><th>output</th><th>graders</th><th>latency ms</th></tr></thead>
<tbody>
{{#each rows}}<tr><td>{{suiteId}}</td><td>{{caseId}}</td><td>{{model}}</td><td class="{{cls}}">{{verdict}}</td><td class="out">{{input}}</td><td class="out">{{expected}}</td><td class="out">{{output}}</td><td class="out">{{reasons}}</td><td class="num">{{latencyMs}}</td></tr>
{{/each}}
</tbody>
</table>
</body>
</html>
`;

const render = hbs.compile(TEMPLATE, {strict: false});

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? '–' : v.toFixed(0));
const usd = (v: number | null) => (v === null ? 'unknown' : `$${v < 0.01 ? v.toFixed(5) : v.toFixed(4)}`);

function passRate(s: GroupStats): string {
  if (s.passRate === null) return '–';
  const ci = s.passRateCi95;
  return ci ? `${pct(s.passRate)} (${pct(ci[0])}–${pct(ci[1])})` : pct(s.passRate);
}

/** A plain, correct, escaped report. Results are rendered as table rows; outputs are never trusted as HTML. */
export function renderReportHtml(summary: Summary, results: readonly Result[]): string {
  return render({
    runId: summary.runId,
    generatedAt: summary.generatedAt,
    n: summary.n,
    simulated: summary.simulated,
    models: Object.entries(summary.models).map(([label, s]) => ({
      label,
      provider: s.provider,
      simulated: s.simulated,
      n: s.n,
      passRate: passRate(s),
      meanScore: s.meanScore === null ? '–' : s.meanScore.toFixed(3),
      errors: s.errors === 0 ? '0' : `${s.errors} (${Object.entries(s.errorsByClass).map(([k, v]) => `${k} ${v}`).join(', ')})`,
      latency: `${ms(s.latencyMs.p50)} / ${ms(s.latencyMs.p95)}`,
      ttft: ms(s.ttftMs.p50),
      tokens: `${s.inputTokens} / ${s.outputTokens}${s.tokensEstimated ? ' (some estimated)' : ''}`,
      cost: usd(s.costUsd),
      costPer1k: usd(s.costPer1kUsd),
    })),
    suites: Object.entries(summary.suites).flatMap(([suite, byModel]) =>
      Object.entries(byModel).map(([model, s]) => ({suite, model, n: s.n, passRate: passRate(s), errors: s.errors, latency: ms(s.latencyMs.p50)})),
    ),
    rows: results.map((r) => ({
      suiteId: r.suiteId,
      caseId: r.repeat > 0 ? `${r.caseId} #${r.repeat + 1}` : r.caseId,
      model: r.model,
      verdict: r.status === 'error' ? `error: ${r.error?.class}` : r.pass === null ? 'ungraded' : r.pass ? 'pass' : 'fail',
      cls: r.status === 'error' ? 'err' : r.pass ? 'pass' : 'fail',
      input: r.input,
      expected: r.expected ?? '',
      output: r.status === 'error' ? (r.error?.message ?? '') : (r.output ?? ''),
      reasons: r.grades.map((g) => `${g.grader}: ${g.pass ? 'pass' : 'fail'}, ${g.reason}`).join('\n'),
      latencyMs: ms(r.latencyMs),
    })),
  });
}
