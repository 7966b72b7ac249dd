import Handlebars from 'handlebars';
import {reportCsp} from '../report/csp-hash.ts';
import {formatUsd} from '../report/format-usd.ts';
import {REPORT_CSS} from '../report/report-css.ts';
import type {LoadRunListing} from '../load/list-load-runs.ts';
import type {RunListing} from './list-runs.ts';

const hbs = Handlebars.create();

// Server-rendered and script-free: links and a GET form are all the viewer's index needs.
const TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{csp}}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{#if anyRunning}}<meta http-equiv="refresh" content="5">{{/if}}
<title>assay runs</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>assay runs</h1><div class="muted">{{runs.length}} run(s) in {{dir}}, newest first{{#if anyRunning}} · a run is in progress: this page refreshes every 5 s{{/if}}</div></header>
<main>
{{#if runs.length}}
<form method="get" action="/compare" id="compare-form">
<label>baseline <select name="a" id="compare-a">{{#each runs}}<option value="{{id}}"{{#if isSecond}} selected{{/if}}>{{id}}</option>{{/each}}</select></label>
<label>candidate <select name="b" id="compare-b">{{#each runs}}<option value="{{id}}"{{#if @first}} selected{{/if}}>{{id}}</option>{{/each}}</select></label>
<button type="submit">compare</button>
</form>
<div class="scroll"><table id="runs">
<thead><tr><th>run</th><th>kind</th><th>status</th><th>started</th><th>results</th><th>models</th><th>best pass rate</th><th>error rate</th><th>cost (models + judges)</th><th></th></tr></thead>
<tbody>
{{#each runs}}<tr data-run="{{id}}"><td class="name"><a href="{{href}}">{{id}}</a>{{#if simulated}} <span class="sim">sim</span>{{/if}}</td><td data-kind="{{kind}}">{{kind}}</td><td>{{#if running}}<span class="live">running</span>{{else}}{{status}}{{/if}}</td><td>{{startedAt}}</td><td class="num">{{n}}</td><td class="num">{{models}}</td><td>{{best}}</td><td class="num">{{errorRate}}</td><td class="num">{{cost}}</td><td>{{#if compareHref}}<a href="{{compareHref}}">compare with previous</a>{{/if}}</td></tr>
{{/each}}
</tbody>
</table></div>
{{#if comparisons.length}}<h2>Comparisons</h2>
<ul id="comparisons">{{#each comparisons}}<li><a href="{{href}}">{{name}}</a></li>{{/each}}</ul>{{/if}}
{{else}}<p>No runs yet: <code>assay run</code> writes one here.</p>{{/if}}
{{#if loadRuns.length}}<h2>Load tests</h2>
<div class="scroll"><table id="load-runs">
<thead><tr><th>load test</th><th>profile</th><th>started</th><th>saturation per model</th></tr></thead>
<tbody>
{{#each loadRuns}}<tr data-load="{{id}}"><td class="name"><a href="{{href}}">{{id}}</a>{{#if simulated}} <span class="sim">sim</span>{{/if}}</td><td>{{profile}}</td><td>{{startedAt}}</td><td>{{saturation}}</td></tr>
{{/each}}
</tbody>
</table></div>{{/if}}
</main>
</body>
</html>
`;

const render = hbs.compile(TEMPLATE);

export const runHref = (id: string) => `/runs/${encodeURIComponent(id)}/`;
export const compareHref = (a: string, b: string) => `/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`;

export function renderRunsIndexHtml(dir: string, runs: readonly RunListing[], comparisons: readonly string[] = [], loadRuns: readonly LoadRunListing[] = []): string {
  return render({
    csp: reportCsp({scripts: [], styles: [REPORT_CSS], formAction: 'self'}),
    dir,
    anyRunning: runs.some((r) => r.status === 'running'),
    runs: runs.map((r, i) => ({
      id: r.id,
      isSecond: i === 1,
      href: runHref(r.id),
      compareHref: runs[i + 1] ? compareHref(runs[i + 1]!.id, r.id) : null,
      status: r.status,
      running: r.status === 'running',
      simulated: r.simulated,
      startedAt: r.startedAt ?? '–',
      n: r.n,
      models: r.models,
      best: r.best ? `${r.best.model} ${(r.best.passRate * 100).toFixed(1)}%` : '–',
      errorRate: `${(r.errorRate * 100).toFixed(1)}%`,
      cost: formatUsd(r.costUsd),
      kind: r.kind.length ? r.kind.join(', ') : 'run',
    })),
    comparisons: comparisons.map((name) => ({name, href: `/comparisons/${encodeURIComponent(name)}`})),
    loadRuns: loadRuns.map((r) => ({
      id: r.id,
      href: `/load/${encodeURIComponent(r.id)}/`,
      simulated: r.simulated,
      profile: r.profile,
      startedAt: r.startedAt ?? '–',
      saturation: r.models.map((m) => `${m.label}: ${m.saturationRps === null ? 'not found' : `${m.saturationRps} req/s`}`).join(' · ') || '–',
    })),
  });
}
