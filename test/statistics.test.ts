import {describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {compareModels, groupStats} from '../src/runner/summarize.ts';
import {clusteredMean} from '../src/stats/clustered-mean.ts';
import {mcnemarExact} from '../src/stats/mcnemar.ts';
import {pairedComparison} from '../src/stats/paired-comparison.ts';
import {normalQuantile, studentTQuantile} from '../src/stats/student-t.ts';

// Every expected value here was computed by hand (or from printed tables), not by the code under test.
describe('distribution quantiles', () => {
  it('match printed tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 5);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262157, 5);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.776445, 5);
  });
});

describe('McNemar (exact)', () => {
  it('b = 10, c = 2: p = 2 · (C(12,0) + C(12,1) + C(12,2)) / 2^12 = 158/4096', () => {
    expect(mcnemarExact(10, 2)).toBeCloseTo(158 / 4096, 10);
    expect(mcnemarExact(2, 10)).toBeCloseTo(158 / 4096, 10);
  });
  it('is 1 with no or balanced discordant pairs', () => {
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(5, 5)).toBe(1);
  });
});

describe('clustered standard error', () => {
  it('averages repeats per case before taking the SE over cases', () => {
    // case means 0.5, 1, 0 → mean 0.5, variance 0.25, SE = sqrt(0.25 / 3)
    const r = clusteredMean([
      {cluster: 'a', score: 1},
      {cluster: 'a', score: 0},
      {cluster: 'b', score: 1},
      {cluster: 'b', score: 1},
      {cluster: 'c', score: 0},
      {cluster: 'c', score: 0},
    ])!;
    expect(r.mean).toBe(0.5);
    expect(r.clusters).toBe(3);
    expect(r.se).toBeCloseTo(Math.sqrt(0.25 / 3), 12);
  });
});

describe('paired comparison', () => {
  it('mean difference with a t interval and the MDE', () => {
    // differences 1,0,0,1,0: mean 0.4, sd sqrt(0.3), se sqrt(0.3/5); t(0.975, 4) = 2.776445
    const cmp = pairedComparison([
      {a: 0, b: 1, passA: false, passB: true},
      {a: 1, b: 1, passA: true, passB: true},
      {a: 0, b: 0, passA: false, passB: false},
      {a: 0, b: 1, passA: false, passB: true},
      {a: 1, b: 1, passA: true, passB: true},
    ])!;
    const se = Math.sqrt(0.3 / 5);
    expect(cmp.meanDiff).toBeCloseTo(0.4, 12);
    expect(cmp.ciLow).toBeCloseTo(0.4 - 2.776445 * se, 5);
    expect(cmp.ciHigh).toBeCloseTo(0.4 + 2.776445 * se, 5);
    expect(cmp.mde).toBeCloseTo((1.959964 + 0.841621) * se, 5);
    expect(cmp.mcnemar).toMatchObject({onlyA: 0, onlyB: 2});
    expect(cmp.mcnemar!.pValue).toBeCloseTo(0.5, 12);
  });
});

function result(model: string, caseId: string, score: number, repeat = 0): Result {
  return {runId: 'r', suiteId: 's', caseId, model, provider: 'p', repeat, status: 'ok', output: '', error: null, latencyMs: 1, ttftMs: null, inputTokens: 1, outputTokens: 1,
    tokensEstimated: false, costUsd: 0, grades: [{grader: 'g', score, pass: score >= 0.5, reason: ''}], score, pass: score >= 0.5, tags: [], attempts: 1, startedAt: '', endedAt: '',
    finishReason: 'stop', finishReasonRaw: 'stop', queueMs: 0, rateWaitMs: 0, cached: false, stream: false, simulated: true, input: '', expected: null};
}

describe('summary statistics', () => {
  it('clusters repeats and compares models on shared cases only', () => {
    const results = [
      result('A', 'c1', 1), result('A', 'c1', 0, 1), result('A', 'c2', 0), result('A', 'c3', 1),
      result('B', 'c1', 1), result('B', 'c1', 1, 1), result('B', 'c2', 1), result('B', 'c4', 0),
    ];
    const a = groupStats(results.filter((r) => r.model === 'A'));
    // A's case means: c1 0.5, c2 0, c3 1 → SE over 3 cases = sqrt(0.25 / 3)
    expect(a.meanScoreSe).toBeCloseTo(Math.sqrt(0.25 / 3), 12);
    const [cmp] = compareModels(results);
    expect(cmp).toMatchObject({a: 'A', b: 'B', n: 2});
    // shared cases c1 (A 0.5, B 1) and c2 (A 0, B 1): differences 0.5 and 1
    expect(cmp!.meanDiff).toBeCloseTo(0.75, 12);
  });

  it('excludes unscored results from pass rate and mean, and counts them', () => {
    const unscored = {...result('A', 'c9', 0), score: null, pass: null, grades: [{grader: 'judge', score: null, pass: null, reason: 'no verdict', unscored: true}]};
    const s = groupStats([result('A', 'c1', 1), unscored]);
    expect(s.unscored).toBe(1);
    expect(s.graded).toBe(1);
    expect(s.passRate).toBe(1);
    expect(s.meanScore).toBe(1);
  });
});
