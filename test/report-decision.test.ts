import {describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {fakeResult} from './fake-result.ts';
import {decide} from '../src/report/decision.ts';
import {cleanNumber, formatUsd} from '../src/report/format-usd.ts';
import {renderReportHtml} from '../src/report/report-html.ts';
import {resultsToCsv} from '../src/report/results-csv.ts';
import {summarize} from '../src/runner/summarize.ts';

const result = (over: Partial<Result>): Result => fakeResult({simulated: false, ...over});

/** n cases of one model: the first `passing` pass; each costs costUsd. */
function model(label: string, n: number, passing: (i: number) => boolean, costUsd: number | null): Result[] {
  return Array.from({length: n}, (_, i) => result({model: label, caseId: `c${i}`, pass: passing(i), score: passing(i) ? 1 : 0, costUsd}));
}

describe('formatUsd', () => {
  it('writes small costs with two significant digits, never an exponent or float noise', () => {
    expect(formatUsd(4.0000000000000003e-7)).toBe('$0.00000040');
    expect(formatUsd(0.0000018999999999999998)).toBe('$0.0000019');
    expect(formatUsd(0.00053)).toBe('$0.00053');
    expect(formatUsd(0.0825)).toBe('$0.0825');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(-0.0069)).toBe('−$0.0069');
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(null)).toBe('unknown');
  });

  it('cleanNumber keeps 12 significant digits', () => {
    expect(cleanNumber(0.1 + 0.2)).toBe(0.3);
    expect(cleanNumber(0.0000018999999999999998)).toBe(0.0000019);
    expect(String(cleanNumber(0.0000018999999999999998))).toBe('0.0000019');
  });
});

describe('decide: which model for the money', () => {
  it('recommends the cheapest model not clearly worse than the best on the shared cases', () => {
    const results = [
      ...model('big', 40, (i) => i < 38, 0.01),
      ...model('mid', 40, (i) => i < 37, 0.001), // one case fewer: within the noise
      ...model('tiny', 40, (i) => i < 20, 0.0001), // clearly worse
    ];
    const d = decide(summarize('r', results));
    expect(d.best).toBe('big');
    expect(d.frontier.map((p) => p.label)).toEqual(['tiny', 'mid', 'big']);
    expect(d.recommended).toBe('mid');
    expect(d.reason).toContain('not clearly worse than the best, big');
    expect(d.reason).toContain('40 shared cases');
    expect(d.modelCostUsd).toBeCloseTo(40 * (0.01 + 0.001 + 0.0001), 10);
  });

  it('falls back to the best when every cheaper model is clearly worse, and says a small sample is small', () => {
    const results = [...model('big', 12, () => true, 0.01), ...model('tiny', 12, () => false, 0.0001)];
    const d = decide(summarize('r', results));
    expect(d.recommended).toBe('big');
    expect(d.reason).toContain('every cheaper model is clearly worse');
    expect(d.reason).toContain('Small sample');
  });

  it('with a gate, recommends the cheapest model that meets its bar', () => {
    const results = [...model('big', 40, (i) => i < 39, 0.01), ...model('mid', 40, (i) => i < 34, 0.001), ...model('tiny', 40, (i) => i < 30, 0.0001)];
    const summary = summarize('r', results);
    summary.gate = {pass: false, checks: [{scope: 'all models', model: null, metric: 'minPassRate', threshold: 0.8, actual: null, pass: false, message: ''}]};
    const d = decide(summary);
    expect(d.recommended).toBe('mid');
    expect(d.reason).toContain("meets the gate's pass rate of 80.0%");
  });

  it('recommends nothing when no model has a price, and says why', () => {
    const d = decide(summarize('r', model('a', 10, () => true, null)));
    expect(d.recommended).toBeNull();
    expect(d.reason).toContain('known price');
    expect(d.unpriced).toEqual(['a']);
  });

  it('the report shows the recommendation first and marks it in the leaderboard', () => {
    const results = [...model('big', 40, (i) => i < 38, 0.01), ...model('mid', 40, (i) => i < 37, 0.001)];
    const html = renderReportHtml(summarize('r', results), results, {run: {startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:01:05.000Z'}});
    expect(html.indexOf('id="recommendation"')).toBeLessThan(html.indexOf('id="leaderboard"'));
    expect(html).toMatch(/Recommended: <span class="name" data-model="mid">mid<\/span>/);
    expect(html).toContain('took 1 min 5 s');
    expect(html).toMatch(/data-model="mid">[\s\S]*?best value/);
  });
});

describe('CSV numbers', () => {
  it('carry no float noise', () => {
    const csv = resultsToCsv([result({costUsd: 0.0000018999999999999998, latencyMs: 0.1 + 0.2})]);
    expect(csv).toContain(',0.0000019,');
    expect(csv).toContain(',0.3,');
    expect(csv).not.toContain('99999999');
  });
});
