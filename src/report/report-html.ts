import Handlebars from 'handlebars';
import {causeText} from '../core/error-cause.ts';
import type {Result} from '../core/types.ts';
import {errorClassesText} from './error-classes-text.ts';
import type {GroupStats, Summary} from '../runner/summarize.ts';
import {reportCsp} from './csp-hash.ts';
import {escapeForScript} from './json-for-script.ts';
import {decide} from './decision.ts';
import {rankModels} from './rank-models.ts';
import {formatUsd} from './format-usd.ts';
import {type AbInput, abSectionView} from './ab-section.ts';
import {REPORT_CSS} from './report-css.ts';
import {buildReportData} from './report-data.ts';
import {REPORT_SCRIPT} from './report-script.ts';
import {type RoutingInput, routingSectionView} from './routing-section.ts';
import type {RunMeta} from '../rundir/run-meta.ts';
import type {RunMedia} from '../rundir/read-run-media.ts';
import {runMetaEntries} from './run-meta-entries.ts';
import {servedModels} from './served-models.ts';

export interface ReportHtmlOptions {
  /** run.json of the run, shown as the report's metadata. */
  run?: Partial<RunMeta> | null;
  /** The run is still being written (the viewer re-reads its journal): label the numbers partial and refresh. */
  live?: {refreshSeconds: number};
  /** Where "all runs" points when the viewer serves the page (a same-origin path, never from data). */
  backHref?: string;
  /** ab.json of an `assay ab` run (see readAbFile): the A/B section. */
  ab?: AbInput;
  /** A routing policy generated from this run (see buildRouting): the routing section. */
  routing?: RoutingInput;
  /** media.json and the kept images of the run (see readRunMedia): thumbnails beside the inputs. */
  media?: RunMedia;
  /** The case table's results, already picked in order and read back whole (see buildReportData); `results` may then be without texts. */
  shown?: readonly Result[];
  /** How many results the run has, when `results` is not given whole (writeReports passes none). */
  resultCount?: number;
  /** What served each model (see servedModels), when `results` is not given whole. */
  served?: Record<string, string[]>;
}

// Its own instance, escaping on (the default): every value this template prints is untrusted text.
// The template never uses triple-stash; the data island and the script are appended after rendering.
const hbs = Handlebars.create();

const NOSCRIPT_ROWS = 100;

const TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{csp}}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{#if live}}<meta http-equiv="refresh" content="{{live.refreshSeconds}}">{{/if}}
<title>assay report {{runId}}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>assay run {{runId}}</h1>
<div class="muted">{{n}} results · {{modelCount}} models · generated {{generatedAt}}
{{#if simulated}} <span class="sim" id="simulated-label">simulated: served by the assay sandbox, not a real provider</span>{{/if}}
{{#if live}} <span class="live" id="live-label">running: partial results, refreshed every {{live.refreshSeconds}} s</span>{{/if}}
{{#if tornLines}} · {{tornLines}} torn journal line(s) skipped{{/if}}</div>
<nav>{{#if backHref}}<a href="{{backHref}}">← all runs</a>{{/if}}<a href="#decision">at a glance</a>{{#if ab}}<a href="#ab">A/B</a>{{/if}}<a href="#leaderboard">leaderboard</a>{{#if routing}}<a href="#routing">routing</a>{{/if}}<a href="#charts">charts</a><a href="#case-section">cases</a><a href="#run">run</a></nav>
</header>
<main>
<section id="decision" class="decision">
<h2>At a glance</h2>
<p id="recommendation">{{#if decision.recommended}}<strong>Recommended: <span class="name" data-model="{{decision.recommended}}">{{decision.recommended}}</span></strong> — {{/if}}{{decision.reason}}</p>
{{#if decision.frontier.length}}<p id="frontier"><span class="muted">Cost–quality frontier (cheapest first; no other model is both cheaper and better):</span> {{#each decision.frontier}}{{#unless @first}} → {{/unless}}<span class="name" data-model="{{label}}">{{label}}</span> <span class="muted">{{quality}} at {{cost}}/1k</span>{{/each}}</p>{{/if}}
<p id="totals">Total cost <strong>{{decision.total}}</strong> (models {{decision.models}}, judges {{decision.judges}}){{#if decision.unpriced}}; no price for {{decision.unpriced}}{{/if}}{{#if duration}} · took {{duration}}{{/if}} · {{n}} results</p>
</section>
{{#if ab}}<section id="ab">
<h2>A/B test{{#unless ab.error}}: {{ab.treatment}} (treatment) vs {{ab.control}} (control){{/unless}}</h2>
{{#if ab.error}}<p class="muted" id="ab-note">{{ab.error}}</p>{{/if}}
{{#each ab.blocks}}<div class="ab-block" data-kind="{{kind}}">
<h3>{{title}}: <span class="ab-verdict {{verdictCls}}" data-ab="verdict">{{verdict}}</span></h3>
<p class="ab-summary" data-ab="summary">{{summary}}</p>
<svg class="abbar {{bar.cls}}" width="{{bar.width}}" height="{{bar.height}}" viewBox="0 0 {{bar.width}} {{bar.height}}" role="img" aria-label="{{bar.label}}"><line class="track" x1="{{bar.track.x1}}" x2="{{bar.track.x2}}" y1="{{bar.y}}" y2="{{bar.y}}"></line><line class="range" x1="{{bar.range.x1}}" x2="{{bar.range.x2}}" y1="{{bar.y}}" y2="{{bar.y}}"></line><line class="zero" x1="{{bar.zero}}" x2="{{bar.zero}}" y1="1" y2="15"></line><circle class="dot" cx="{{bar.dot}}" cy="{{bar.y}}" r="4.5"></circle>{{#each bar.ticks}}<text class="tick" x="{{x}}" y="30" text-anchor="{{anchor}}">{{text}}</text>{{/each}}</svg>
<table class="ab-stats"><tbody>
<tr><th>difference (treatment − control)</th><td class="num" data-ab="estimate" data-value="{{estimateValue}}">{{estimate}} {{unit}}</td></tr>
<tr><th>95% CI</th><td class="num" data-ab="ci" data-low="{{ciLowValue}}" data-high="{{ciHighValue}}">{{ciText}}</td></tr>
{{#if winRate}}<tr><th>treatment win rate</th><td class="num" data-ab="winRate">{{winRate}}</td></tr>{{/if}}
<tr><th>requests compared</th><td class="num" data-ab="n" data-value="{{n}}">{{n}}</td></tr>
<tr><th>p-value ({{test}})</th><td class="num" data-ab="pValue" data-value="{{pValueValue}}">{{pValue}}</td></tr>
<tr><th>minimum detectable effect (80% power)</th><td class="num" data-ab="mde" data-value="{{mdeValue}}">{{mde}}</td></tr>
<tr><th>requests to detect {{effect}}</th><td class="num" data-ab="nForEffect" data-value="{{nForEffectValue}}">{{nForEffect}}</td></tr>
{{#if passRate}}<tr><th>pass rate control / treatment</th><td class="num" data-ab="passRate" data-control="{{passRate.controlValue}}" data-treatment="{{passRate.treatmentValue}}">{{passRate.control}} / {{passRate.treatment}} (only control passed {{passRate.onlyControl}}, only treatment {{passRate.onlyTreatment}})</td></tr>{{/if}}
{{#if pairwise}}<tr><th>treatment wins / ties / losses</th><td class="num" data-ab="pairwise" data-wins="{{pairwise.wins}}" data-ties="{{pairwise.ties}}" data-losses="{{pairwise.losses}}">{{pairwise.wins}} / {{pairwise.ties}} / {{pairwise.losses}}{{#if pairwise.unscored}} ({{pairwise.unscored}} unscored){{/if}}</td></tr>{{/if}}
<tr><th>cost per 1k requests control → treatment</th><td class="num" data-ab="cost" data-value="{{cost.diffValue}}">{{cost.control}} → {{cost.treatment}}; paired Δ {{cost.diff}}</td></tr>
<tr><th>latency p50 control → treatment</th><td class="num" data-ab="latency" data-value="{{latency.diffValue}}">{{latency.control}} → {{latency.treatment}}; mean paired Δ {{latency.diff}}</td></tr>
</tbody></table>
{{#if excluded}}<p class="muted">{{excluded}}</p>{{/if}}
{{#if perTag.length}}<h4>Per tag</h4>
<table class="ab-tags"><thead><tr><th>tag</th><th>n</th><th>difference (95% CI), {{unit}}</th><th>p (Holm across tags)</th><th></th></tr></thead><tbody>
{{#each perTag}}<tr data-tag="{{tag}}" data-too-few="{{tooFew}}"><td>{{tag}}</td><td class="num">{{n}}</td>{{#if tooFew}}<td class="num muted">{{diff}}</td><td class="num">–</td><td></td>{{else}}<td class="num" data-value="{{diffValue}}">{{diff}} ({{ci}})</td><td class="num">{{p}}</td><td><svg class="abbar {{bar.cls}}" width="{{bar.width}}" height="{{bar.height}}" viewBox="0 0 {{bar.width}} {{bar.height}}" role="img" aria-label="{{bar.label}}"><line class="track" x1="{{bar.track.x1}}" x2="{{bar.track.x2}}" y1="{{bar.y}}" y2="{{bar.y}}"></line><line class="range" x1="{{bar.range.x1}}" x2="{{bar.range.x2}}" y1="{{bar.y}}" y2="{{bar.y}}"></line><line class="zero" x1="{{bar.zero}}" x2="{{bar.zero}}" y1="1" y2="15"></line><circle class="dot" cx="{{bar.dot}}" cy="{{bar.y}}" r="3.5"></circle></svg></td>{{/if}}</tr>
{{/each}}</tbody></table>
<p class="muted">Tags with fewer than 10 pairs are too few for any conclusion. A tag is coloured only when its Holm-adjusted p is below 0.05.</p>{{/if}}
{{#if disagreements.length}}<h4>Where they disagree most</h4>
<table class="ab-disagree"><thead><tr><th>request</th><th>control ({{@root.ab.control}})</th><th>treatment ({{@root.ab.treatment}})</th></tr></thead><tbody>
{{#each disagreements}}<tr><td class="case"><div class="cid">{{id}}</div><div class="muted">control {{control}} · treatment {{treatment}}</div></td><td><pre class="out">{{controlOutput}}</pre></td><td><pre class="out">{{treatmentOutput}}</pre></td></tr>
{{/each}}</tbody></table>{{/if}}
{{#if sameDisagreements}}<p class="muted">Pairwise judging disagrees most on the same requests as above.</p>{{/if}}
{{#if skipped}}<p class="muted">Skipped {{skipped.count}} request(s) of the sample:</p><ul class="muted ab-skipped">{{#each skipped.shown}}<li>{{text}}</li>{{/each}}{{#if skipped.more}}<li>…and {{skipped.more}} more (see ab.json)</li>{{/if}}</ul>{{/if}}
</div>
{{/each}}
<p class="muted">Paired on the same requests: per request treatment − control; the interval is from the t distribution on the per-request differences, the p-value from an exact test. The verdict is better or worse only when p &lt; 0.05 and the interval excludes 0. The bar spans the 95% CI around 0 (the vertical line). Outputs are the model's text, shown as text.</p>
</section>{{/if}}
<h2>Leaderboard</h2>
<div class="scroll">
<table id="leaderboard" class="sortable">
<thead><tr><th>#</th><th data-sort="model">model</th><th>provider</th><th data-sort="n">n</th><th data-sort="passRate">pass rate (95% CI)</th><th></th><th data-sort="meanScore">mean score ± SE</th><th data-sort="costPer1kUsd">cost / 1k req</th><th data-sort="costUsd">cost</th><th data-sort="latencyMs">latency p50 / p95</th><th data-sort="ttftMs">TTFT p50 / p95</th><th data-sort="errorRate">errors</th><th data-sort="judgeCostUsd">judge cost</th><th data-sort="unscored">unscored</th><th data-sort="cached">cached</th></tr></thead>
<tbody>
{{#each models}}<tr data-model="{{label}}">
<td class="num">{{rank}}</td><td class="name" data-metric="model" data-value="{{label}}">{{label}}{{#if simulated}} <span class="sim">sim</span>{{/if}}{{#if recommended}} <span class="pick" title="the report's recommendation: see At a glance">best value</span>{{/if}}</td><td class="name">{{provider}}</td>
<td class="num" data-metric="n" data-value="{{n}}">{{n}}</td>
<td class="num" data-metric="passRate" data-value="{{passRateValue}}">{{passRate}}</td>
<td>{{#if ci}}<svg class="cibar" width="124" height="14" viewBox="0 0 124 14" role="img" aria-label="95% CI {{passRate}}"><line class="track" x1="4" x2="120" y1="7" y2="7"></line><line class="range" x1="{{ci.x1}}" x2="{{ci.x2}}" y1="7" y2="7"></line><circle class="dot" cx="{{ci.cx}}" cy="7" r="3.5"></circle></svg>{{/if}}</td>
<td class="num" data-metric="meanScore" data-value="{{meanScoreValue}}">{{meanScore}}</td>
<td class="num" data-metric="costPer1kUsd" data-value="{{costPer1kValue}}">{{costPer1k}}</td>
<td class="num" data-metric="costUsd" data-value="{{costValue}}">{{cost}}</td>
<td class="num" data-metric="latencyMs" data-value="{{latencyP50Value}}">{{latency}}</td>
<td class="num" data-metric="ttftMs" data-value="{{ttftP50Value}}">{{ttft}}</td>
<td class="num" data-metric="errorRate" data-value="{{errorRateValue}}">{{errors}}</td>
<td class="num" data-metric="judgeCostUsd" data-value="{{judgeCostValue}}">{{judgeCost}}</td>
<td class="num" data-metric="unscored" data-value="{{unscored}}">{{unscored}}</td>
<td class="num" data-metric="cached" data-value="{{cached}}">{{cached}}</td>
</tr>
{{/each}}
</tbody>
</table>
</div>
<p class="muted">Click a column heading to sort. Pass rate is the mean over cases of each case's pass fraction over answered requests (errors count in the error rate, not as failures); its 95% interval is Wilson's over cases (with repeats, at the clustered effective n), so repeats never count as new cases. Mean score's SE is clustered by case. Cost per 1k is the mean known cost per request × 1000; judge cost is kept apart. Cached results are left out of latency.</p>
{{#if costRows.length}}<h3>Where the cost went</h3>
<div class="scroll"><table id="cost-breakdown"><thead><tr><th>model</th><th>input</th><th>cached input</th><th>cache writes</th><th>output</th><th>reasoning</th><th>estimated</th><th>reported by provider</th></tr></thead><tbody>
{{#each costRows}}<tr data-model="{{label}}" class="{{cls}}"><td>{{label}}</td><td class="num" data-metric="inputUsd" data-value="{{inputValue}}">{{input}}</td><td class="num" data-metric="cacheReadUsd" data-value="{{cacheReadValue}}">{{cacheRead}}</td><td class="num" data-metric="cacheWriteUsd" data-value="{{cacheWriteValue}}">{{cacheWrite}}</td><td class="num" data-metric="outputUsd" data-value="{{outputValue}}">{{output}}</td><td class="num" data-metric="reasoningUsd" data-value="{{reasoningValue}}">{{reasoning}}</td><td class="num">{{estimated}}</td><td>{{reported}}</td></tr>
{{/each}}</tbody></table></div>
<p class="muted">Computed from each model's pricing, by token kind (tokens in parentheses): cache reads and writes are input the provider bills at its cache prices; reasoning ("thinking") is output billed at the reasoning price, the output price unless set. Where a provider or gateway reports a cost, that cost is the model's cost; a reported total more than 3% from the computed one points at a wrong price. See docs/costs.md.</p>{{/if}}
{{#if gate}}<h3>Gate: {{#if gate.pass}}passed{{else}}FAILED{{/if}} ({{gate.passedCount}} of {{gate.checks.length}} checks passed)</h3>
<div class="scroll"><table id="gate"><thead><tr><th>scope</th><th>check</th><th>result</th></tr></thead><tbody>
{{#each gate.checks}}<tr class="{{#if pass}}improvement{{else}}regression{{/if}}"><td>{{scope}}</td><td>{{message}}</td><td>{{#if pass}}pass{{else}}FAIL{{/if}}</td></tr>
{{/each}}</tbody></table></div>{{/if}}
{{#if comparisons.length}}<h3>Model against model (paired on shared cases)</h3>
<div class="scroll"><table id="pairs"><thead><tr><th>B vs A</th><th>cases</th><th>metric</th><th>B − A (95% CI)</th><th>test</th><th>p</th><th>p (Holm)</th><th>MDE</th><th></th></tr></thead><tbody>
{{#each comparisons}}<tr class="{{cls}}" data-a="{{a}}" data-b="{{b}}" data-significant="{{significant}}"><td>{{b}} vs {{a}}</td><td class="num">{{n}}</td><td>{{metric}}</td><td class="num">{{diff}}</td><td>{{test}}</td><td class="num">{{p}}</td><td class="num">{{pAdjusted}}</td><td class="num">{{mde}}</td><td>{{verdict}}</td></tr>
{{/each}}</tbody></table></div>
<p class="muted">Each row is one test on one metric: the interval excludes 0 exactly when p &lt; 0.05. A clear difference needs the Holm-adjusted p (across all {{comparisons.length}} pairs) below 0.05 and at least 10 shared cases. Repeats are averaged per case first.</p>{{/if}}
{{#if breakers.length}}<h3>Circuit breakers</h3><ul id="breakers">{{#each breakers}}<li>{{model}}: {{text}}</li>{{/each}}</ul>{{/if}}
{{#if routing}}<section id="routing">
<h2>Routing</h2>
{{#if routing.note}}<p class="muted" id="routing-note">{{routing.note}}</p>{{else}}
<p>A routing policy generated from this run's results with <code>assay route</code>'s defaults: {{routing.objective}}. Rules are checked in order; the first that matches wins.</p>
<p id="routing-estimate">{{routing.estimate}}</p>
<div class="scroll"><table id="routing-rules"><thead><tr><th>#</th><th>when</th><th>route</th><th>fallbacks</th><th>n</th><th>expected quality</th><th>cost / 1k req</th><th>p95</th><th>why</th></tr></thead><tbody>
{{#each routing.rules}}<tr data-rule="{{index}}"><td>{{index}}</td><td>{{condition}}</td><td>{{route}}</td><td>{{fallback}}</td><td class="num">{{n}}</td><td class="num" data-value="{{qualityValue}}">{{quality}}</td><td class="num" data-value="{{costValue}}">{{cost}}</td><td class="num">{{p95}}</td><td class="why">{{rationale}}</td></tr>
{{/each}}</tbody></table></div>
<h3>Policy against each single model</h3>
<div class="scroll"><table id="routing-compare"><thead><tr><th></th><th>quality</th><th>of best model's</th><th>cost / 1k req</th><th>policy's cost vs this</th><th>p95</th><th>cases</th></tr></thead><tbody>
{{#each routing.compare}}<tr class="{{cls}}" data-kind="{{kind}}" data-label="{{label}}"><td>{{label}}</td><td class="num" data-metric="quality" data-value="{{qualityValue}}">{{quality}}</td><td class="num">{{relative}}</td><td class="num" data-metric="cost" data-value="{{costValue}}">{{cost}}</td><td class="num">{{versus}}</td><td class="num">{{p95}}</td><td class="num">{{n}}</td></tr>
{{/each}}</tbody></table></div>
<p class="muted">{{routing.inSample}} {{routing.gapRecovered}} Expected figures are cross-validated (each case served by what was chosen without it); single models and the oracle are measured on the same cases. Resilience: {{routing.resilience}} Check a policy on fresh traffic with <code>assay simulate</code>; <code>assay route --from DIR --explain</code> shows every candidate's evidence.</p>
{{#if routing.warnings.length}}<ul class="muted" id="routing-warnings">{{#each routing.warnings}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
{{/if}}
</section>{{/if}}
<h2 id="charts">Charts</h2>
<div class="charts">
<section class="wide"><h3>Cost versus quality</h3><div id="scatter"></div></section>
<section><h3>Latency distributions</h3><div id="latency"></div></section>
<section><h3>Pass rate by suite, tag and model</h3><div class="legend" id="heat-legend"><span>0%</span><span class="ramp"></span><span>100%</span><span>· n = graded cases in the cell (repeats of a case count once; hover for the 95% CI) · grey: nothing graded</span></div><div id="heatmap" class="scroll"></div></section>
</div>
<h2 id="case-section">Cases</h2>
<div id="case-controls"></div>
<div id="case-count" class="muted"></div>
<div class="scroll"><table id="cases"></table></div>
<div id="pager"></div>
{{#if omitted}}<p class="muted">This page shows the first {{shownCount}} results (in suite and case order); {{omitted}} more are left out to keep it light. The summary, charts and heat map above cover every result, and results.csv and results.jsonl have every one.</p>{{/if}}
{{#if mediaProblem}}<p class="muted" id="media-note">Images show as their markers: {{mediaProblem}}.</p>{{/if}}
{{#if truncated}}<p class="muted">{{truncated}} output(s) longer than {{maxChars}} characters are cut here; results.jsonl has them whole.</p>{{/if}}
<noscript><p>Scripts are off: the first {{noscriptCount}} results follow; the charts, filters and search need scripts.</p>
<div class="scroll"><table><thead><tr><th>suite</th><th>case</th><th>model</th><th>result</th><th>input</th><th>output</th><th>graders</th></tr></thead><tbody>
{{#each rows}}<tr><td>{{suiteId}}</td><td>{{caseId}}</td><td>{{model}}</td><td>{{verdict}}</td><td><pre class="out">{{input}}</pre></td><td><pre class="out">{{output}}</pre></td><td><pre class="why">{{reasons}}</pre></td></tr>
{{/each}}</tbody></table></div></noscript>
<h2 id="run">Run</h2>
<dl class="meta" id="run-meta">{{#each meta}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/each}}</dl>
{{#if runModels.length}}<div class="scroll"><table id="run-models"><thead><tr><th>model</th><th>provider</th><th>type</th><th>model id</th><th>served by</th><th>pricing in / out per MTok</th></tr></thead><tbody>
{{#each runModels}}<tr data-model="{{label}}"><td>{{label}}</td><td>{{provider}}</td><td>{{type}}</td><td>{{model}}</td><td class="{{servedClass}}">{{served}}</td><td>{{pricing}}</td></tr>{{/each}}
</tbody></table></div>{{/if}}
<p class="muted">Model outputs and dataset text are untrusted: this page shows them as text only, and its Content-Security-Policy lets it fetch nothing.</p>
</main>
`;

const render = hbs.compile(TEMPLATE, {strict: false});

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v)} ms`);
const usd = (v: number | null) => formatUsd(v);
const raw = (v: number | null) => (v === null ? '' : String(v));

function passRateText(s: GroupStats): string {
  if (s.passRate === null) return '–';
  const ci = s.passRateCi95;
  return ci ? `${pct(s.passRate)} (${pct(ci[0])}–${pct(ci[1])})` : pct(s.passRate);
}

function errorsText(s: GroupStats): string {
  if (s.errors === 0) return '0';
  return `${pct(s.errorRate)} (${errorClassesText(s)})`;
}


/** How long the run took, from run.json; nothing for a run still going or one whose times are missing. */
function durationText(run: Partial<RunMeta> | null): string | null {
  const started = run?.startedAt ? Date.parse(run.startedAt) : Number.NaN;
  const ended = run?.endedAt ? Date.parse(run.endedAt) : Number.NaN;
  if (!Number.isFinite(started) || !Number.isFinite(ended) || ended < started) return null;
  const seconds = (ended - started) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** An optional section never breaks the report: if building it throws, it becomes a one-line note. */
function sectionOrNote<T>(build: () => T | null, note: (message: string) => T): T | null {
  try {
    return build();
  } catch (error) {
    return note((error as Error).message);
  }
}

/**
 * The self-contained report: a leaderboard, charts, the case table and the run's metadata. Static
 * parts are rendered here with escaping; results travel in a JSON data island the page's one
 * script turns into charts and table rows with text nodes only. Nothing is fetched.
 */
export function renderReportHtml(summary: Summary, results: readonly Result[], opts: ReportHtmlOptions & {tornLines?: number} = {}): string {
  let page = '';
  for (const piece of reportHtmlPieces(summary, results, opts)) page += piece;
  return page;
}

/**
 * renderReportHtml in pieces, for writing as it goes: the rendered head, then the data island a
 * few thousand rows at a time, then the script. The page is never one string in memory (its CSP
 * hashes cover only the fixed script and style, so nothing needs the whole data first).
 */
export function* reportHtmlPieces(summary: Summary, results: readonly Result[], opts: ReportHtmlOptions & {tornLines?: number} = {}): Generator<string> {
  const data = buildReportData(summary, results, opts.media, opts.shown, opts.resultCount);
  const csp = reportCsp({scripts: [REPORT_SCRIPT], styles: [REPORT_CSS]});
  const bar = (v: number) => (4 + v * 116).toFixed(1);
  const ranked = rankModels(summary);
  const served = opts.served ?? servedModels(results);
  const decision = decide(summary);
  const head = render({
    csp,
    decision: {
      recommended: decision.recommended,
      reason: decision.reason,
      frontier: decision.frontier.map((p) => ({label: p.label, quality: decision.qualityMetric === 'pass rate' ? pct(p.quality) : p.quality.toFixed(3), cost: usd(p.costPer1kUsd)})),
      total: usd(decision.totalCostUsd),
      models: usd(decision.modelCostUsd),
      judges: decision.judgeCostUsd === null ? 'none' : usd(decision.judgeCostUsd),
      unpriced: decision.unpriced.join(', '),
    },
    duration: durationText(opts.run ?? null),
    ab: sectionOrNote(() => abSectionView(opts.ab ?? null), (message) => ({control: '', treatment: '', blocks: [], error: `ab.json could not be shown: ${message}`})),
    routing: sectionOrNote(() => routingSectionView(opts.routing ?? null), (message) => ({note: `No routing policy here: ${message}`, objective: '', estimate: '', inSample: '', gapRecovered: '', rules: [], compare: [], warnings: [], resilience: ''})),
    live: opts.live,
    backHref: opts.backHref,
    runId: summary.runId,
    generatedAt: summary.generatedAt,
    n: summary.n,
    modelCount: ranked.length,
    simulated: summary.simulated,
    tornLines: opts.tornLines ?? 0,
    models: ranked.map(([label, s], i) => ({
      rank: i + 1,
      label,
      recommended: label === decision.recommended,
      provider: s.provider,
      simulated: s.simulated,
      n: s.n,
      passRate: passRateText(s),
      passRateValue: raw(s.passRate),
      ci: s.passRateCi95 && s.passRate !== null ? {x1: bar(s.passRateCi95[0]), x2: bar(s.passRateCi95[1]), cx: bar(s.passRate)} : null,
      meanScore: s.meanScore === null ? '–' : `${s.meanScore.toFixed(3)}${s.meanScoreSe === null ? '' : ` ± ${s.meanScoreSe.toFixed(3)}`}`,
      meanScoreValue: raw(s.meanScore),
      costPer1k: usd(s.costPer1kUsd),
      costPer1kValue: raw(s.costPer1kUsd),
      cost: s.costUnknown > 0 && s.costUsd !== null ? `${usd(s.costUsd)} (+${s.costUnknown} unknown)` : usd(s.costUsd),
      costValue: raw(s.costUsd),
      latency: `${ms(s.latencyMs.p50)} / ${ms(s.latencyMs.p95)}`,
      latencyP50Value: raw(s.latencyMs.p50),
      ttft: `${ms(s.ttftMs.p50)} / ${ms(s.ttftMs.p95)}`,
      ttftP50Value: raw(s.ttftMs.p50),
      errors: errorsText(s),
      errorRateValue: raw(s.errorRate),
      judgeCost: s.judgeCostUsd === null ? '–' : usd(s.judgeCostUsd),
      judgeCostValue: raw(s.judgeCostUsd),
      unscored: s.unscored,
      cached: s.cached,
    })),
    costRows: ranked.filter(([, s]) => s.costBreakdown || s.reportedCost).map(([label, s]) => costRow(label, s)),
    gate: summary.gate ? {...summary.gate, passedCount: summary.gate.checks.filter((c) => c.pass).length} : undefined,
    comparisons: [...summary.comparisons]
      .sort((x, y) => x.pValue - y.pValue || Math.abs(y.meanDiff) - Math.abs(x.meanDiff))
      .map((c) => {
        const points = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}`;
        return {
          a: c.a,
          b: c.b,
          n: c.n,
          metric: c.metric === 'passRate' ? 'pass rate' : 'mean score',
          diff: `${points(c.meanDiff)} (${points(c.ciLow)} to ${points(c.ciHigh)}) pts`,
          test: c.test === 'mcnemar-score' ? 'McNemar score' : 'paired t',
          p: c.pValue.toPrecision(2),
          pAdjusted: c.pValueAdjusted.toPrecision(2),
          significant: String(c.significant),
          mde: c.mde === null ? '–' : `${(c.mde * 100).toFixed(1)} pts`,
          verdict: c.tooFew ? `too few (n=${c.n})` : c.significant ? (c.meanDiff > 0 ? `${c.b} better` : `${c.a} better`) : 'no clear difference',
          cls: c.significant ? 'improvement' : '',
        };
      }),
    breakers: Object.entries(summary.circuitBreaker).map(([model, list]) => ({
      model,
      text: list.map((t) => `${t.from} → ${t.to} at ${t.at} (error rate ${pct(t.errorRate)} over ${t.attempts}${t.cause ? `; after ${causeText(t.cause)}` : ''})`).join('; '),
    })),
    truncated: data.truncated,
    mediaProblem: opts.media?.problem ?? null,
    omitted: data.omitted ? data.omitted.toLocaleString('en-US') : null,
    shownCount: data.results.length.toLocaleString('en-US'),
    maxChars: 20_000,
    noscriptCount: Math.min(NOSCRIPT_ROWS, (opts.shown ?? results).length),
    rows: (opts.shown ?? results).slice(0, NOSCRIPT_ROWS).map((r) => ({
      suiteId: r.suiteId,
      caseId: r.repeat > 0 ? `${r.caseId} #${r.repeat + 1}` : r.caseId,
      model: r.model,
      verdict: r.status === 'error' ? `error: ${r.error?.class}` : r.pass === null ? 'ungraded' : r.pass ? 'pass' : 'fail',
      input: r.input,
      output: r.status === 'error' ? (r.error?.message ?? '') : (r.output ?? ''),
      reasons: r.grades.map((g) => `${g.grader}: ${g.pass ? 'pass' : 'fail'}, ${g.reason}`).join('\n'),
    })),
    meta: runMetaEntries(opts.run ?? null, summary),
    runModels: Object.entries(opts.run?.models ?? {}).map(([label, m]) => ({
      label,
      provider: m.provider ?? '',
      type: m.type ?? '',
      model: m.model ?? '',
      // What the responses said served them; more than one means the label changed underneath during the run.
      served: (served[label] ?? []).join(', ') + ((served[label]?.length ?? 0) > 1 ? ' (changed during the run)' : ''),
      servedClass: (served[label]?.length ?? 0) > 1 ? 'served-changed' : '',
      pricing: pricingText(m.pricing),
    })),
  });
  // Appended outside the template: the data is serialised so no `</script>` can close its element.
  yield `${head}<script type="application/json" id="assay-data">`;
  for (const piece of jsonPieces(data)) yield escapeForScript(piece);
  yield `</script>\n<script>${REPORT_SCRIPT}</script>\n</body>\n</html>\n`;
}

const ITEMS_PER_PIECE = 2000;

/** JSON.stringify(value) of a plain object, in pieces: its array fields a few thousand items at a time. Same text. */
function* jsonPieces(value: object): Generator<string> {
  let piece = '{';
  let first = true;
  for (const [key, field] of Object.entries(value)) {
    const text = Array.isArray(field) ? '' : JSON.stringify(field);
    if (text === undefined) continue;
    piece += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(field)) {
      piece += text;
      continue;
    }
    piece += '[';
    for (let i = 0; i < field.length; i++) {
      piece += `${i === 0 ? '' : ','}${JSON.stringify(field[i]) ?? 'null'}`;
      if ((i + 1) % ITEMS_PER_PIECE === 0) {
        yield piece;
        piece = '';
      }
    }
    piece += ']';
  }
  yield `${piece}}`;
}

/** run.json records pricing as given (any shape a config allowed): input / output per million tokens, if it has them. */
function pricingText(pricing: unknown): string {
  const p = pricing as {inputPerMTok?: unknown; outputPerMTok?: unknown} | null | undefined;
  return p && typeof p === 'object' && typeof p.inputPerMTok === 'number' && typeof p.outputPerMTok === 'number' ? `$${p.inputPerMTok} / $${p.outputPerMTok}` : 'unknown';
}

/** One model's cost by token kind, for the "Where the cost went" table. */
function costRow(label: string, s: GroupStats) {
  const b = s.costBreakdown;
  const part = (value: number | undefined, tokens: number) => (value === undefined ? '–' : `${usd(value)} (${tokens.toLocaleString('en-US')})`);
  const r = s.reportedCost;
  return {
    label,
    cls: r?.disagree ? 'regression' : '',
    input: part(b?.inputUsd, s.inputTokens),
    inputValue: raw(b?.inputUsd ?? null),
    cacheRead: part(b?.cacheReadUsd, s.cacheReadTokens),
    cacheReadValue: raw(b?.cacheReadUsd ?? null),
    cacheWrite: part(b?.cacheWriteUsd, s.cacheWriteTokens),
    cacheWriteValue: raw(b?.cacheWriteUsd ?? null),
    output: part(b?.outputUsd, s.outputTokens),
    outputValue: raw(b?.outputUsd ?? null),
    reasoning: part(b?.reasoningUsd, s.reasoningTokens),
    reasoningValue: raw(b?.reasoningUsd ?? null),
    estimated: s.costEstimated > 0 ? `${s.costEstimated} of ${s.ok}` : '–',
    reported: !r ? '–' : `${usd(r.reportedUsd)} over ${r.n} requests${r.computedUsd === null ? '' : ` (computed ${usd(r.computedUsd)}${r.disagree ? ': more than 3% apart, check the pricing' : ''})`}`,
  };
}
