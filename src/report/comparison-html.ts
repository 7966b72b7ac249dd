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
<p class="muted">Everything in a row uses only the cases both runs answered (shared): both pass rates, the difference candidate − baseline and its test. The difference is in pass rate when both runs graded every shared case pass/fail (McNemar's score test with Tango's interval), else in mean score (paired t); the 95% interval and p come from the same test. p-values are Holm-adjusted across all rows; a row is a <b>regression</b> or improvement when the adjusted p is below 0.05, and never with fewer than 10 shared cases ("too few"). See docs/statistics.md.</p>
{{#each sections}}
<section class="comparison" data-candidate="{{candidate}}">
<h2>{{candidate}} against {{baseline}}</h2>
<p><span id="regressions-{{@index}}" data-regressions="{{regressions}}">{{regressions}} regression(s)</span>, {{improvements}} improvement(s){{#if onlyBaseline}} · only in the baseline: {{onlyBaseline}}{{/if}}{{#if onlyCandidate}} · only in the candidate: {{onlyCandidate}}{{/if}}</p>
{{#each served}}<p class="served-change" data-model="{{model}}"><b>Served model changed</b> for {{model}}: {{baseline}} → {{candidate}}. Same label, another model behind it: the difference is not like for like.</p>
{{/each}}
{{#if warnings.length}}<div class="warnings" id="warnings-{{@index}}"><b>Not like for like:</b><ul>{{#each warnings}}<li>{{this}}</li>{{/each}}</ul></div>{{/if}}
<div class="scroll"><table class="comparison-table">
<thead><tr><th>model</th><th>group</th><th>cases (baseline / candidate / shared)</th><th>baseline pass on shared (95% CI)</th><th>candidate pass on shared (95% CI)</th><th>difference (95% CI)</th><th>test</th><th>p</th><th>p (Holm)</th><th>error rate</th><th>cost / 1k</th><th>latency p50</th><th></th></tr></thead>
<tbody>
{{#each rows}}<tr class="{{cls}}" data-model="{{model}}" data-group="{{group}}"><td class="name">{{model}}</td><td>{{group}}</td><td class="num">{{cases}}</td><td class="num">{{a}}</td><td class="num">{{b}}</td><td class="num">{{diff}}</td><td>{{test}}</td><td class="num">{{p}}</td><td class="num">{{pAdjusted}}</td><td class="num">{{errors}}</td><td class="num">{{cost}}</td><td class="num">{{latency}}</td><td>{{flag}}</td></tr>
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

const TEST_NAMES = {'mcnemar-score': 'McNemar score (Tango CI)', 'paired-t': 'paired t'} as const;

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
    cases: `${r.baseline?.cases ?? 0} / ${r.candidate?.cases ?? 0} / ${r.shared}`,
    diff: d ? `${signed(d.estimate, d.metric === 'passRate')} (${signed(d.ciLow, d.metric === 'passRate')} to ${signed(d.ciHigh, d.metric === 'passRate')}) ${d.metric === 'score' ? 'score' : 'pass rate'}` : 'no shared cases',
    test: d ? TEST_NAMES[d.test] : '–',
    p: d ? d.pValue.toPrecision(2) : '–',
    pAdjusted: d ? d.pValueAdjusted.toPrecision(2) : '–',
    errors: pair(r.baseline?.errorRate, r.candidate?.errorRate, pct),
    cost: pair(r.baseline?.costPer1kUsd, r.candidate?.costPer1kUsd, usd),
    latency: pair(r.baseline?.latencyP50Ms, r.candidate?.latencyP50Ms, ms),
    flag: r.regression ? 'REGRESSION' : r.improvement ? 'improvement' : d?.tooFew ? `too few (n=${r.shared})` : '',
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
      warnings: c.warnings ?? [],
    })),
  });
}
