import {describe, expect, it} from 'vitest';
import {renderSummary} from '../src/cli/render-summary.ts';
import type {Result} from '../src/core/types.ts';
import type {RunOutcome} from '../src/runner/run-benchmark.ts';
import {summarize} from '../src/runner/summarize.ts';
import {fakeResult} from './fake-result.ts';

function outcome(results: Result[]): RunOutcome {
  // Only the fields the end-of-run text reads.
  return {summary: summarize('r', results), results, dir: '/tmp/r', runId: 'r', interrupted: false, executed: results.length, tornLines: 0, gate: null} as unknown as RunOutcome;
}

const model = (label: string, passing: number, costUsd: number) =>
  Array.from({length: 40}, (_, i) => fakeResult({model: label, caseId: `c${i}`, pass: i < passing, score: i < passing ? 1 : 0, costUsd, simulated: false}));

describe('the end-of-run table', () => {
  const results = [...model('alpha-model-with-a-long-name', 30, 0.0001), ...model('beta', 38, 0.01), ...model('gamma', 37, 0.001)];

  it('ranks best first, marks and explains the recommendation, and gives the total cost', () => {
    const text = renderSummary(outcome(results));
    const rows = text.split('\n').filter((l) => /^(alpha|beta|gamma)/.test(l));
    expect(rows.map((r) => r.split(' ')[0])).toEqual(['beta', 'gamma', 'alpha-model-with-a-long-name']);
    expect(rows[1]).toMatch(/^gamma \*/);
    expect(text).toContain('* recommended: gamma. gamma is the cheapest model not clearly worse than the best, beta');
    expect(text).toContain('total cost $0.4440 (models $0.4440, judges none)');
  });

  it('fits 80 columns by dropping the least needed columns, never breaking a row', () => {
    const table = renderSummary(outcome(results), {width: 80}).split('\n').slice(0, 5);
    for (const line of table) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(table[0]).toContain('pass (95% CI)');
    expect(table[0]).toContain('per 1k');
    expect(table[0]).not.toContain('ttft p50');
    const wide = renderSummary(outcome(results), {width: 200}).split('\n')[0]!;
    expect(wide).toContain('ttft p50');
  });
});
