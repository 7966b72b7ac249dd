import {describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {compareModels, groupStats} from '../src/runner/summarize.ts';
import {clusteredMean} from '../src/stats/clustered-mean.ts';
import {mcnemarExact} from '../src/stats/mcnemar.ts';
import {caseMeanInterval} from '../src/stats/case-mean-interval.ts';
import {holmAdjust} from '../src/stats/holm.ts';
import {pairedComparison} from '../src/stats/paired-comparison.ts';
import {tangoScoreTest} from '../src/stats/tango-interval.ts';
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
  it('pass/fail differences: McNemar score test and Tango interval, one test (Tango 1998; values from SciPy root-finding on his formulas)', () => {
    // differences 1,0,0,1,0: onlyB = 2, onlyA = 0, n = 5 → z = 2/√2, p = 0.1573; Tango CI [−0.20828, 0.76928]
    const cmp = pairedComparison([
      {a: 0, b: 1},
      {a: 1, b: 1},
      {a: 0, b: 0},
      {a: 0, b: 1},
      {a: 1, b: 1},
    ])!;
    expect(cmp.test).toBe('mcnemar-score');
    expect(cmp.meanDiff).toBeCloseTo(0.4, 12);
    expect(cmp.ciLow).toBeCloseTo(-0.2082755, 6);
    expect(cmp.ciHigh).toBeCloseTo(0.7692757, 6);
    expect(cmp.pValue).toBeCloseTo(0.157299, 5);
    expect(cmp.mcnemar).toMatchObject({onlyA: 0, onlyB: 2, pValue: cmp.pValue});
  });

  it('reproduces the worked example of Fagerland, Lydersen & Laake (Bentur et al. data: 1 vs 7 discordant of 21)', () => {
    const t = tangoScoreTest(7, 1, 21);
    expect(t.estimate).toBeCloseTo(-0.2857, 4);
    expect(t.ciLow).toBeCloseTo(-0.5172, 4);
    expect(t.ciHigh).toBeCloseTo(-0.0260, 4);
    expect(t.pValue).toBeLessThan(0.05);
  });

  it('graded scores: paired t with the interval and p from the same t statistic', () => {
    // differences 0.5, 0, 0.25, 1, 0, 0.5: mean 0.375, t(0.975, 5) interval [−0.022887, 0.772887], p = 0.059916
    const cmp = pairedComparison([0.5, 0, 0.25, 1, 0, 0.5].map((d) => ({a: 0, b: d})))!;
    expect(cmp.test).toBe('paired-t');
    expect(cmp.meanDiff).toBeCloseTo(0.375, 12);
    expect(cmp.ciLow).toBeCloseTo(-0.022887, 5);
    expect(cmp.ciHigh).toBeCloseTo(0.772887, 5);
    expect(cmp.pValue).toBeCloseTo(0.059916, 5);
    expect(cmp.mde).toBeCloseTo(0.433643, 5);
    expect(cmp.mcnemar).toBeNull();
  });
});

describe('Holm adjustment', () => {
  it('steps down: p = 0.01, 0.04, 0.03, 0.005 → 0.03, 0.06, 0.06, 0.02 (by hand)', () => {
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 12));
    expect(holmAdjust([0.9, 0.8])).toEqual([1, 1]); // 0.8 × 2 caps at 1, and adjusted values never decrease
    expect(holmAdjust([])).toEqual([]);
  });
});

describe('case-mean interval', () => {
  it('is Wilson over cases for pass/fail (3 of 5 → [0.23072, 0.88238])', () => {
    const ci = caseMeanInterval([1, 1, 0, 1, 0])!;
    expect(ci.method).toBe('wilson');
    expect(ci.ciLow).toBeCloseTo(0.2307243, 6);
    expect(ci.ciHigh).toBeCloseTo(0.8823792, 6);
  });

  it('with repeats that vary, is Wilson at the Kish effective n with a t quantile (SciPy: [0.248568, 0.881868])', () => {
    const ci = caseMeanInterval([1, 2 / 3, 1 / 3, 1, 0, 2 / 3], {trials: 18})!;
    expect(ci.method).toBe('wilson-design-effect');
    expect(ci.nEffective).toBeCloseTo(9.390244, 5);
    expect(ci.ciLow).toBeCloseTo(0.248568, 5);
    expect(ci.ciHigh).toBeCloseTo(0.881868, 5);
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
