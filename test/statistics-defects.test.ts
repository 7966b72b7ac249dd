import {describe, expect, it} from 'vitest';
import {abVerdict, type PairedCase} from '../src/ab/ab-verdict.ts';
import {renderAb} from '../src/ab/render-ab.ts';
import {renderSummary} from '../src/cli/render-summary.ts';
import type {Result} from '../src/core/types.ts';
import {compareRuns} from '../src/report/compare-runs.ts';
import type {LoadedRun} from '../src/report/load-run.ts';
import type {RunMeta} from '../src/rundir/run-meta.ts';
import type {RunOutcome} from '../src/runner/run-benchmark.ts';
import {compareModels, groupStats, summarize} from '../src/runner/summarize.ts';
import {seededRandom} from '../src/core/seeded-random.ts';
import {simResult} from './stats-simulation.ts';

// One test per numbered defect of issue 15, each failing on the code before the fix.

const passFail = (model: string, outcomes: number[], repeats = 1, prefix = 'c') =>
  outcomes.flatMap((o, i) => Array.from({length: repeats}, (_, k) => simResult(model, `${prefix}${i}`, o, k)));

describe('defect 1: repeats counted as new evidence', () => {
  const outcomes = Array.from({length: 60}, (_, i) => (i % 4 === 0 ? 0 : 1));

  it('three repeats of a deterministic model give the same pass-rate and mean-score intervals as one', () => {
    const once = groupStats(passFail('m', outcomes, 1));
    const thrice = groupStats(passFail('m', outcomes, 3));
    expect(thrice.passRate).toBe(once.passRate);
    expect(thrice.passRateCi95).toEqual(once.passRateCi95);
    expect(thrice.meanScoreCi95).toEqual(once.meanScoreCi95);
    expect(thrice.gradedCases).toBe(60);
    expect(thrice.graded).toBe(180);
  });

  it('and the same model comparison (interval, p, MDE)', () => {
    const other = outcomes.map((o, i) => (i % 5 === 0 ? 1 - o : o));
    const once = compareModels([...passFail('a', outcomes, 1), ...passFail('b', other, 1)])[0]!;
    const thrice = compareModels([...passFail('a', outcomes, 3), ...passFail('b', other, 3)])[0]!;
    expect(thrice).toEqual(once);
    expect(thrice.n).toBe(60);
  });

  it('repeats that disagree widen the interval relative to independent trials, never below the cases', () => {
    const random = seededRandom(3);
    const varied = Array.from({length: 40}, (_, i) => [0, 1, 2].map((k) => simResult('m', `c${i}`, random() < (i % 2 ? 0.9 : 0.4) ? 1 : 0, k))).flat();
    const s = groupStats(varied);
    const asTrials = groupStats(varied.map((r, i) => ({...r, caseId: `t${i}`})));
    expect(s.passRateCi95![1] - s.passRateCi95![0]).toBeGreaterThan(asTrials.passRateCi95![1] - asTrials.passRateCi95![0]);
  });
});

function pairedCase(id: string, tags: string[], control: number, treatment: number): PairedCase {
  return {id, tags, control: simResult('control', id, control), treatment: simResult('treatment', id, treatment)};
}

describe('defect 2: impossible per-tag intervals in assay ab', () => {
  // As reported: africa n=2 with differences −1 and 0; oceania n=1; europe n=2 both −1 (zero width before).
  const cases = [
    pairedCase('r1', ['africa'], 1, 0),
    pairedCase('r2', ['africa'], 1, 1),
    pairedCase('r3', ['oceania'], 1, 0),
    pairedCase('r4', ['europe'], 1, 0),
    pairedCase('r5', ['europe'], 1, 0),
    ...Array.from({length: 40}, (_, i) => pairedCase(`big${i}`, ['big'], i % 3 ? 1 : 0, i % 2 ? 1 : 0)),
  ];
  const v = abVerdict('control', 'treatment', cases, {metric: 'score', effect: 0.05, skipped: []});

  it('every tag interval is finite, inside [−1, 1] and of non-zero width; tiny tags are too few and never significant', () => {
    for (const t of v.perTag) {
      expect(Number.isFinite(t.ciLow) && Number.isFinite(t.ciHigh), t.tag).toBe(true);
      expect(t.ciLow).toBeGreaterThanOrEqual(-1);
      expect(t.ciHigh).toBeLessThanOrEqual(1);
      expect(t.ciHigh - t.ciLow, t.tag).toBeGreaterThan(0);
      expect(t.ciLow <= t.difference && t.difference <= t.ciHigh).toBe(true);
    }
    for (const tag of ['africa', 'oceania', 'europe']) expect(v.perTag.find((t) => t.tag === tag)).toMatchObject({tooFew: true, significant: false});
    expect(v.perTag.find((t) => t.tag === 'big')).toMatchObject({n: 40, tooFew: false});
  });

  it('tag p-values are Holm-adjusted across tags, and the terminal says "too few (n=2)"', () => {
    for (const t of v.perTag) expect(t.pValueAdjusted).toBeGreaterThanOrEqual(t.pValue);
    const text = renderAb(v, '/tmp/x');
    expect(text).toContain('europe           too few (n=2)');
    expect(text).toContain('oceania          too few (n=1)');
    expect(text).not.toMatch(/∞|Infinity/);
  });

  it('cost and latency differences are absent rather than infinite for a single request', () => {
    const one = abVerdict('control', 'treatment', [pairedCase('x', [], 1, 0)], {metric: 'score', effect: 0.05, skipped: []});
    expect(one.cost.difference).toBeNull();
    expect(one.latency.difference).toBeNull();
    expect(one.verdict).toBe('indistinguishable');
    expect(one.tooFew).toBe(true);
    expect(Number.isFinite(one.difference.ciLow) && Number.isFinite(one.difference.ciHigh)).toBe(true);
  });
});

describe('defect 3: "clear differences" that are not', () => {
  it('the interval and the p-value come from one test: the interval excludes 0 exactly when p < 0.05 (pass/fail, scores, repeats)', () => {
    const random = seededRandom(11);
    let checked = 0;
    let significant = 0;
    for (let d = 0; d < 400; d++) {
      const kind = d % 3;
      const n = 5 + Math.floor(random() * 80);
      const repeats = kind === 2 ? 3 : 1;
      const results: Result[] = [];
      for (const [model, p] of [['a', 0.6], ['b', 0.6 + random() * 0.3]] as const) {
        for (let i = 0; i < n; i++) for (let k = 0; k < repeats; k++) {
          const score = kind === 1 ? Math.round(random() * p * 1.4 * 100) / 100 : random() < p ? 1 : 0;
          results.push(simResult(model, `c${i}`, Math.min(1, score), k, kind === 1 ? {pass: null, grades: [{grader: 'g', score, pass: null, reason: ''}]} : {}));
        }
      }
      for (const c of compareModels(results)) {
        checked++;
        expect(c.ciLow > 0 || c.ciHigh < 0, `dataset ${d}`).toBe(c.pValue < 0.05);
        expect(c.metric).toBe(kind === 1 ? 'score' : 'passRate');
        expect(c.significant).toBe(!c.tooFew && c.pValueAdjusted < 0.05);
        if (c.significant) significant++;
      }
    }
    expect(checked).toBe(400);
    expect(significant).toBeGreaterThan(20);
  });

  it('pass/fail pairs are tested on pass rate (not a t on scores next to a McNemar p)', () => {
    const a = Array.from({length: 95}, (_, i) => (i < 78 ? 1 : 0));
    const b = Array.from({length: 95}, (_, i) => (i < 70 || i >= 88 ? 1 : 0));
    const [c] = compareModels([...passFail('a', a), ...passFail('b', b)]);
    expect(c).toMatchObject({metric: 'passRate', test: 'mcnemar-score', n: 95, adjustment: 'holm'});
    expect(c!.mcnemar!.pValue).toBe(c!.pValue);
  });

  it('six pairs are Holm-adjusted, and the terminal never prints the heading without a difference under it', () => {
    const random = seededRandom(5);
    const results = ['m1', 'm2', 'm3', 'm4'].flatMap((m) => passFail(m, Array.from({length: 30}, () => (random() < 0.7 ? 1 : 0))));
    const summary = summarize('r', results);
    expect(summary.comparisons).toHaveLength(6);
    for (const c of summary.comparisons) expect(c.pValueAdjusted).toBeGreaterThanOrEqual(c.pValue);
    // A raw interval that excludes 0 without surviving the adjustment is not a clear difference.
    summary.comparisons[0] = {...summary.comparisons[0]!, ciLow: 0.01, ciHigh: 0.2, pValue: 0.03, pValueAdjusted: 0.18, significant: false};
    const outcome = {summary, results, dir: '/tmp/r', tornLines: 0, interrupted: false, executed: 0, gate: null} as unknown as RunOutcome;
    const text = renderSummary(outcome);
    expect(text).not.toContain('clear differences');
    expect(text).toContain('no clear difference between models (Holm-adjusted p ≥ 0.05 across 6 pairs');
    summary.comparisons[1] = {...summary.comparisons[1]!, meanDiff: 0.3, ciLow: 0.1, ciHigh: 0.5, pValue: 0.001, pValueAdjusted: 0.006, significant: true};
    const lines = renderSummary(outcome).split('\n');
    const at = lines.findIndex((l) => l.startsWith('clear differences'));
    expect(at).toBeGreaterThan(-1);
    expect(lines[at + 1]).toMatch(/^ {2}\S+ vs \S+: pass rate \+30\.0 points \[\+10\.0, \+50\.0\] on \d+ cases, mcnemar-score, p=0\.0010, Holm p=0\.0060$/);
  });
});

function loaded(runId: string, results: Result[], options: Record<string, unknown>, modelIds: Record<string, string> = {}): LoadedRun {
  const run = {id: runId, options, models: Object.fromEntries(Object.entries(modelIds).map(([k, model]) => [k, {model}]))} as Partial<RunMeta>;
  return {dir: `/tmp/${runId}`, runId, summary: summarize(runId, results), results, tornLines: 0, run};
}

describe('defect 4: run comparison on one footing', () => {
  // Baseline answered cases 0–39, candidate 20–59: 20 shared. Outcomes differ off the shared cases only.
  const base = passFail('m', Array.from({length: 40}, (_, i) => (i < 20 ? 1 : i % 2)), 1).map((r) => ({...r, fingerprint: 'f1'}));
  const cand = passFail('m', Array.from({length: 40}, (_, i) => (i < 20 ? i % 2 : 0)), 1, 'x').map((r, i) => ({...r, caseId: `c${i + 20}`, fingerprint: i < 5 ? 'f2' : 'f1'}));
  const cmp = compareRuns(loaded('A', base, {sample: 40, seed: 1}, {m: 'model-1'}), loaded('B', cand, {sample: 60, seed: 1}, {m: 'model-2'}));
  const all = cmp.rows.find((r) => r.group.kind === 'all')!;

  it('pass rates, the difference and the test all use the shared cases', () => {
    expect(all.shared).toBe(20);
    expect(all.baseline!.cases).toBe(40);
    expect(all.candidate!.cases).toBe(40);
    expect(all.candidate!.passRate! - all.baseline!.passRate!).toBeCloseTo(all.diff!.estimate, 12);
    expect(all.diff!.metric).toBe('passRate');
  });

  it('a group with one shared case keeps the metric and test, and is "too few", never flagged', () => {
    const one = compareRuns(loaded('A', passFail('m', [1, 1, 1]), {}), loaded('B', passFail('m', [0], 1).map((r) => ({...r, caseId: 'c2'})), {}));
    const row = one.rows.find((r) => r.group.kind === 'all')!;
    expect(row.shared).toBe(1);
    expect(row.diff).toMatchObject({metric: 'passRate', test: 'mcnemar-score', tooFew: true});
    expect(row.regression).toBe(false);
    expect(row.baseline!.passRate).toBe(1);
    expect(row.candidate!.passRate).toBe(0);
  });

  it('warns when the runs differ in options, model ids, prompts (fingerprints) and cases', () => {
    const text = cmp.warnings.join('\n');
    expect(text).toContain('different options: sample 40 → 60');
    expect(text).toContain('m is a different model id: model-1 → model-2');
    expect(text).toContain('m: 5 shared case(s) were sent differently');
    expect(text).toContain('baseline 40, candidate 40, shared 20');
  });

  it('regressions are declared on Holm-adjusted p across the rows, not on a raw interval below 0', () => {
    // 60 cases in 6 tags; the candidate fails 5 cases of tag t0 the baseline passed: raw p = 0.025 on
    // the all, suite and t0 rows, 8 rows in all, so Holm gives 0.2 and nothing is a regression.
    const tagged = (model: string, fail: (i: number) => boolean) => Array.from({length: 60}, (_, i) => simResult(model, `c${i}`, fail(i) ? 0 : 1, 0, {tags: [`t${Math.floor(i / 10)}`]}));
    const holm = compareRuns(loaded('A', tagged('m', (i) => i % 10 === 9), {}), loaded('B', tagged('m', (i) => i % 10 === 9 || i < 5), {}));
    const raw = holm.rows.filter((r) => r.diff && r.diff.ciHigh < 0);
    expect(raw.map((r) => r.group.name ?? 'all').sort()).toEqual(['all', 's', 't0']);
    for (const r of raw) {
      expect(r.diff!.pValue).toBeCloseTo(0.0253, 3);
      expect(r.diff!.pValueAdjusted).toBeCloseTo(8 * r.diff!.pValue, 10);
      expect(r.regression).toBe(false);
    }
    expect(holm.regressions).toBe(0);
  });
});
