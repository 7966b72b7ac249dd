import {describe, expect, it} from 'vitest';
import {compareModels} from '../src/runner/summarize.ts';
import {seededRandom} from '../src/core/seeded-random.ts';
import {caseMeanInterval} from '../src/stats/case-mean-interval.ts';
import {pairedTest} from '../src/stats/paired-test.ts';
import {caseValue, type OutcomeKind, simResult, trueMean} from './stats-simulation.ts';

// Pure computation, seeded: the 95% intervals assay prints must cover the true value about 95% of
// the time, for every kind of outcome it meets, and never leave the metric's range.
const DATASETS = 2000;
const SIZES = [5, 10, 30, 200, 2000];

interface Coverage {
  coverage: number;
  outOfRange: number;
  zeroWidth: number;
  infinite: number;
}

function tally(reps: number, one: () => {low: number; high: number; truth: number; min: number; max: number}): Coverage {
  let covered = 0;
  let outOfRange = 0;
  let zeroWidth = 0;
  let infinite = 0;
  for (let i = 0; i < reps; i++) {
    const {low, high, truth, min, max} = one();
    if (low <= truth && truth <= high) covered++;
    if (low < min || high > max) outOfRange++;
    if (!(high > low)) zeroWidth++;
    if (!Number.isFinite(low) || !Number.isFinite(high)) infinite++;
  }
  return {coverage: covered / reps, outOfRange, zeroWidth, infinite};
}

function oneSample(kind: OutcomeKind, repeats: number, n: number, seed: number): Coverage {
  const random = seededRandom(seed);
  return tally(DATASETS, () => {
    // A different true model per dataset: coverage averaged over accuracies from 0.6 to 0.87.
    const g = 0.15 + 0.5 * random() * 1.3;
    const values = Array.from({length: n}, () => caseValue(random, random() ** g, kind, repeats));
    const ci = caseMeanInterval(values, {trials: kind === 'binary' ? n * repeats : undefined})!;
    return {low: ci.ciLow, high: ci.ciHigh, truth: trueMean(g), min: 0, max: 1};
  });
}

function paired(kind: OutcomeKind, repeats: number, n: number, seed: number): Coverage {
  const random = seededRandom(seed);
  return tally(DATASETS, () => {
    const gA = 0.15 + 1.5 * random();
    const gB = gA * (0.5 + random());
    // Both models see the same case difficulty: correlated, as models on one suite are.
    const units = Array.from({length: n}, () => {
      const u = random();
      return {a: caseValue(random, u ** gA, kind, repeats), b: caseValue(random, u ** gB, kind, repeats)};
    });
    const t = pairedTest(units)!;
    return {low: t.ciLow, high: t.ciHigh, truth: trueMean(gB) - trueMean(gA), min: -1, max: 1};
  });
}

describe('95% intervals cover the truth (2,000 seeded datasets per setting)', () => {
  for (const kind of ['binary', 'score'] as const) {
    for (const repeats of [1, 3]) {
      it(`${kind}, ${repeats === 1 ? 'no repeats' : '3 repeats'}: one model's mean and a paired difference, n = ${SIZES.join(', ')}`, () => {
        const rows: string[] = [];
        const checks: Array<() => void> = [];
        for (const n of SIZES) {
          const one = oneSample(kind, repeats, n, 1000 + n * 10 + repeats);
          const two = paired(kind, repeats, n, 2000 + n * 10 + repeats);
          rows.push(`n=${n}: one ${one.coverage.toFixed(4)}, paired ${two.coverage.toFixed(4)}`);
          checks.push(() => {
            for (const c of [one, two]) {
              expect(c.outOfRange, `${kind} K=${repeats} n=${n}`).toBe(0);
              expect(c.zeroWidth).toBe(0);
              expect(c.infinite).toBe(0);
            }
            expect(one.coverage, `${kind} K=${repeats} n=${n} one-sample`).toBeGreaterThanOrEqual(0.93);
            expect(two.coverage, `${kind} K=${repeats} n=${n} paired`).toBeGreaterThanOrEqual(0.93);
            // Pass/fail below 30 cases has so few possible outcomes that score intervals are
            // conservative there (measured up to 0.998 at n = 5; docs/statistics.md lists them).
            if (kind === 'binary' && n < 30) return;
            expect(one.coverage, `${kind} K=${repeats} n=${n} one-sample`).toBeLessThanOrEqual(0.97);
            expect(two.coverage, `${kind} K=${repeats} n=${n} paired`).toBeLessThanOrEqual(0.97);
          });
        }
        // ASSAY_SHOW_COVERAGE=1 prints the table the docs quote.
        if (process.env.ASSAY_SHOW_COVERAGE) console.log(`${kind} K=${repeats}\n  ${rows.join('\n  ')}`);
        for (const check of checks) check();
      }, 120_000);
    }
  }
});

describe('family-wise error across the pairs of a run', () => {
  it('six models of equal true accuracy: runs declaring at least one clear difference stay at or under 5%', () => {
    const random = seededRandom(77);
    const runs = 1500;
    const cases = 40;
    let anyClear = 0;
    let anyRaw = 0;
    for (let r = 0; r < runs; r++) {
      const results = [];
      for (let m = 0; m < 6; m++) for (let c = 0; c < cases; c++) results.push(simResult(`m${m}`, `c${c}`, random() < 0.7 ? 1 : 0));
      const cmp = compareModels(results);
      expect(cmp).toHaveLength(15);
      if (cmp.some((x) => x.significant)) anyClear++;
      if (cmp.some((x) => x.pValue < 0.05)) anyRaw++;
    }
    // 5% plus 2.33 simulation SEs (√(0.05·0.95/1500) = 0.0056).
    expect(anyClear / runs).toBeLessThanOrEqual(0.05 + 2.33 * Math.sqrt((0.05 * 0.95) / runs));
    // Without the adjustment the same runs would cry wolf far more often: the reason for it.
    expect(anyRaw / runs).toBeGreaterThan(0.2);
  }, 120_000);
});
