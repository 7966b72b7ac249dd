import Handlebars from 'handlebars';
import type {ComparisonRow, RunComparison, RunSide} from './compare-runs.ts';
import {reportCsp} from './csp-hash.ts';
import {formatUsd} from './format-usd.ts';
import {REPORT_CSS} from './report-css.ts';

const hbs = Handlebars.create();

// No script at all on this page: the CSP allows only its stylesheet. Every value is escaped.
const TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{csp}}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>assay comparison</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>assay comparison</h1>
<div class="muted">baseline {{baseline}} · generated {{generatedAt}}{{#if simulated}} <span class="sim" id="simulated-label">simulated: includes sandbox models, not real providers</span>{{/if}}</div>
{{#if backHref}}<nav><a href="{{backHref}}">← all runs</a></nav>{{/if}}
</header>
<main>
<section id="decision" class="decision">
<h2>At a glance</h2>
{{#each sections}}<p class="glance" data-candidate="{{candidate}}"><strong>{{candidate}}</strong> against {{baseline}}: {{headline}}</p>
{{/each}}
</section>
<p class="muted">Difference = candidate − baseline. Where both runs answered the same cases it is the mean per-case score difference, paired, with a 95% t interval and an exact McNemar p on pass/fail; otherwise the pass-rate difference with Newcombe's interval from the two Wilson intervals. A row is a <b>regression</b> when the whole interval is below 0.</p>
{{#each sections}}
<section class="comparison" data-candidate="{{candidate}}">
<h2>{{candidate}} against {{baseline}}</h2>
<p><span id="regressions-{{@index}}" data-regressions="{{regressions}}">{{regressions}} regression(s)</span>, {{improvements}} improvement(s){{#if onlyBaseline}} · only in the baseline: {{onlyBaseline}}{{/if}}{{#if onlyCandidate}} · only in the candidate: {{onlyCandidate}}{{/if}}</p>
{{#each served}}<p class="served-change" data-model="{{model}}"><b>Served model changed</b> for {{model}}: {{baseline}} → {{candidate}}. Same label, another model behind it: the difference is not like for like.</p>
{{/each}}
<div class="scroll"><table class="comparison-table">
<thead><tr><th>model</th><th>group</th><th>baseline pass (95% CI)</th><th>candidate pass (95% CI)</th><th>shared cases</th><th>difference (95% CI)</th><th>p</th><th>error rate</th><th>cost / 1k</th><th>latency p50</th><th></th></tr></thead>
<tbody>
{{#each rows}}<tr class="{{cls}}" data-model="{{model}}" data-group="{{group}}"><td class="name">{{model}}</td><td>{{group}}</td><td class="num">{{a}}</td><td class="num">{{b}}</td><td class="num">{{shared}}</td><td class="num">{{diff}}</td><td class="num">{{p}}</td><td class="num">{{errors}}</td><td class="num">{{cost}}</td><td class="num">{{latency}}</td><td>{{flag}}</td></tr>
{{/each}}
</tbody>
</table></div>
</section>
{{/each}}
</main>
</body>
</html>
`;

const render = hbs.compile(TEMPLATE);

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
const signed = (v: number, pctUnits: boolean) => {
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return `${v >= 0 ? '+' : ''}${pctUnits ? `${(v * 100).toFixed(1)} pts` : v.toFixed(3)}`;
};
const usd = (v: number | null | undefined) => formatUsd(v ?? null, '–');
const ms = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${Math.round(v)} ms`);

function passCell(s: RunSide | null): string {
  if (!s) return 'not run';
  if (s.passRate === null) return '–';
  return s.passRateCi95 ? `${pct(s.passRate)} (${pct(s.passRateCi95[0])}–${pct(s.passRateCi95[1])})` : pct(s.passRate);
}

function pair<T>(a: T, b: T, f: (v: T) => string): string {
  return `${f(a)} → ${f(b)}`;
}

function row(r: ComparisonRow) {
  const d = r.diff;
  return {
    model: r.model,
    group: r.group.kind === 'all' ? 'all' : `${r.group.kind}: ${r.group.name}`,
    a: passCell(r.baseline),
    b: passCell(r.candidate),
    shared: r.shared,
    diff: d ? `${signed(d.estimate, d.metric === 'passRate')} (${signed(d.ciLow, d.metric === 'passRate')} to ${signed(d.ciHigh, d.metric === 'passRate')}) ${d.metric === 'score' ? 'score' : 'pass rate'}` : '–',
    p: d?.pValue === null || d?.pValue === undefined ? '–' : d.pValue.toPrecision(2),
    errors: pair(r.baseline?.errorRate, r.candidate?.errorRate, pct),
    cost: pair(r.baseline?.costPer1kUsd, r.candidate?.costPer1kUsd, usd),
    latency: pair(r.baseline?.latencyP50Ms, r.candidate?.latencyP50Ms, ms),
    flag: r.regression ? 'REGRESSION' : r.improvement ? 'improvement' : '',
    cls: r.regression ? 'regression' : r.improvement ? 'improvement' : '',
  };
}

/** One sentence per candidate: which models got clearly worse or better overall, else none. */
function headline(c: RunComparison): string {
  const overall = c.rows.filter((r) => r.group.kind === 'all');
  const worse = overall.filter((r) => r.regression).map((r) => r.model);
  const better = overall.filter((r) => r.improvement).map((r) => r.model);
  const parts: string[] = [];
  if (worse.length) parts.push(`worse overall for ${worse.join(', ')}`);
  if (better.length) parts.push(`better overall for ${better.join(', ')}`);
  if (!parts.length) parts.push(`no model is clearly better or worse overall (${overall.length} compared)`);
  const groups = c.regressions - worse.length;
  if (groups > 0) parts.push(`${groups} suite or tag regression(s) below`);
  return `${parts.join('; ')}.`;
}

/** A script-free page: each candidate run against the baseline, per model, suite and tag. */
export function renderComparisonHtml(comparisons: readonly RunComparison[], opts: {backHref?: string} = {}): string {
  return render({
    csp: reportCsp({scripts: [], styles: [REPORT_CSS]}),
    backHref: opts.backHref,
    generatedAt: new Date().toISOString(),
    baseline: comparisons[0]?.baseline.runId ?? '',
    simulated: comparisons.some((c) => c.baseline.simulated || c.candidate.simulated),
    sections: comparisons.map((c) => ({
      baseline: c.baseline.runId,
      candidate: c.candidate.runId,
      headline: headline(c),
      regressions: c.regressions,
      improvements: c.improvements,
      onlyBaseline: c.onlyInBaseline.join(', '),
      onlyCandidate: c.onlyInCandidate.join(', '),
      served: c.servedChanges.map((s) => ({model: s.model, baseline: s.baseline.join(', '), candidate: s.candidate.join(', ')})),
      rows: c.rows.map(row),
    })),
  });
}
