import {describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {fakeResult} from './fake-result.ts';
import {compareRuns} from '../src/report/compare-runs.ts';
import {renderComparisonHtml} from '../src/report/comparison-html.ts';
import {cspHash} from '../src/report/csp-hash.ts';
import {jsonForScript} from '../src/report/json-for-script.ts';
import type {LoadedRun} from '../src/report/load-run.ts';
import {paretoFrontier} from '../src/report/pareto-frontier.ts';
import {renderReportHtml} from '../src/report/report-html.ts';
import {REPORT_SCRIPT} from '../src/report/report-script.ts';
import {summarize} from '../src/runner/summarize.ts';

const result = fakeResult;

function run(runId: string, results: Result[]): LoadedRun {
  return {dir: `/tmp/${runId}`, runId, summary: summarize(runId, results), results, tornLines: 0, run: null};
}

const cases = (n: number, passRate: number, model = 'm', prefix = 'c') =>
  Array.from({length: n}, (_, i) => {
    const pass = i < n * passRate;
    return result({caseId: `${prefix}${i}`, model, pass, score: pass ? 1 : 0, tags: [i % 2 ? 'odd' : 'even']});
  });

describe('jsonForScript', () => {
  it('cannot close its script element, and parses back to the same value', () => {
    const value = {s: '</script><script>alert(1)</script> <!-- & \u2028\u2029 >'};
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('paretoFrontier', () => {
  it('keeps the points nothing beats on both cost and quality, cheapest first', () => {
    expect(
      paretoFrontier([
        {label: 'big', cost: 10, quality: 0.95},
        {label: 'mid', cost: 2, quality: 0.9},
        {label: 'worse-mid', cost: 3, quality: 0.85},
        {label: 'tiny', cost: 0.5, quality: 0.7},
        {label: 'same-cost-worse', cost: 2, quality: 0.8},
      ]),
    ).toEqual(['tiny', 'mid', 'big']);
  });
});

describe('report CSP', () => {
  it('allows exactly the inline script and style by hash, and no network', () => {
    const html = renderReportHtml(summarize('r', cases(4, 0.5)), cases(4, 0.5));
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replaceAll('&#x27;', "'").replaceAll('&#x3D;', '=');
    expect(csp).toContain(`script-src ${cspHash(REPORT_SCRIPT)};`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(html).toContain(`<script>${REPORT_SCRIPT}</script>`);
  });
});

describe('compareRuns', () => {
  it('flags a regression, paired on shared cases, per model and per tag', () => {
    const cmp = compareRuns(run('a', cases(60, 0.9)), run('b', cases(60, 0.5)));
    const all = cmp.rows.find((r) => r.group.kind === 'all')!;
    expect(all.shared).toBe(60);
    expect(all.diff!.method).toBe('paired');
    expect(all.diff!.estimate).toBeCloseTo(-0.4, 10);
    expect(all.diff!.ciHigh).toBeLessThan(0);
    expect(all.diff!.pValue).toBeLessThan(0.001);
    expect(all.regression).toBe(true);
    expect(cmp.rows.filter((r) => r.group.kind === 'tag').map((r) => r.group.name).sort()).toEqual(['even', 'odd']);
    expect(cmp.regressions).toBeGreaterThanOrEqual(1);
  });

  it('calls identical runs no different', () => {
    const cmp = compareRuns(run('a', cases(30, 0.7)), run('b', cases(30, 0.7)));
    expect(cmp.regressions + cmp.improvements).toBe(0);
    expect(cmp.rows.find((r) => r.group.kind === 'all')!.diff!.estimate).toBe(0);
  });

  it('never compares runs that share no cases (no silent switch to another metric), says so, and lists unmatched models', () => {
    const cmp = compareRuns(run('a', [...cases(200, 0.9, 'm', 'x'), ...cases(3, 1, 'gone')]), run('b', [...cases(200, 0.6, 'm', 'y'), ...cases(3, 1, 'new')]));
    const all = cmp.rows.find((r) => r.model === 'm' && r.group.kind === 'all')!;
    expect(all.shared).toBe(0);
    expect(all.diff).toBeNull();
    expect(all.regression).toBe(false);
    expect(all.baseline!.cases).toBe(200);
    expect(all.candidate!.cases).toBe(200);
    expect(cmp.warnings.join('\n')).toMatch(/different cases: baseline 200, candidate 200, shared 0/);
    expect(cmp.onlyInBaseline).toEqual(['gone']);
    expect(cmp.onlyInCandidate).toEqual(['new']);
  });

  it('renders a script-free comparison page with the flags, escaping names', () => {
    const hostile = cases(20, 0.9, '<img src=x onerror=alert(1)>');
    const html = renderComparisonHtml([compareRuns(run('a', hostile), run('b', cases(20, 0.1, '<img src=x onerror=alert(1)>')))]);
    expect(html).toContain('REGRESSION');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain("script-src &#x27;none&#x27;");
  });
});

describe('report size limit', () => {
  it('shows the first REPORT_MAX_RESULTS results in case order, says how many it left out, and still summarises all', async () => {
    const {REPORT_MAX_RESULTS, buildReportData} = await import('../src/report/report-data.ts');
    const all = [...cases(REPORT_MAX_RESULTS / 2 + 30, 0.5, 'a'), ...cases(REPORT_MAX_RESULTS / 2 + 30, 0.25, 'b')];
    const summary = summarize('r', all);
    const data = buildReportData(summary, all);
    expect(data.results).toHaveLength(REPORT_MAX_RESULTS);
    expect(data.omitted).toBe(60);
    // Case order with both models beside each case: the last 30 cases are the ones left out, for both models.
    expect(data.cases.at(-1)![1]).toBe(`c${REPORT_MAX_RESULTS / 2 - 1}`);
    expect(data.models.find((m) => m.label === 'b')!.passRate).toBe(summary.models.b!.passRate);
    const html = renderReportHtml(summary, all);
    expect(html).toContain('This page shows the first 20,000 results');
    expect(html).toContain('60 more are left out');
    expect(renderReportHtml(summarize('r', cases(4, 0.5)), cases(4, 0.5))).not.toContain('This page shows the first');
  });
});
