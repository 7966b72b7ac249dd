import {describe, expect, it} from 'vitest';
import {abVerdict, type PairedCase} from '../src/ab/ab-verdict.ts';
import {runAb} from '../src/ab/run-ab.ts';
import {stratifySample, stratumOf} from '../src/ab/stratify-sample.ts';
import type {TrafficRequest} from '../src/ab/traffic-request.ts';
import {seededRandom} from '../src/core/seeded-random.ts';
import {stratifiedDifference} from '../src/stats/stratified-difference.ts';
import {fakeResult} from './fake-result.ts';
import {makeProject} from './helpers.ts';

const request = (id: string, tags: string[], metadata?: Record<string, string>): TrafficRequest => ({id, messages: [{role: 'user', content: id}], expected: 'x', tags, line: undefined, ...(metadata && {metadata})});

describe('stratified sampling: who is drawn, and what each stands for', () => {
  const pool = [...Array.from({length: 90}, (_, i) => request(`c${i}`, ['common'])), ...Array.from({length: 10}, (_, i) => request(`r${i}`, ['rare']))];

  it('proportional allocation keeps each stratum\'s share (equal weights); equal allocation over-samples the rare one and weights it down', () => {
    const prop = stratifySample(pool, {n: 20, seed: 3});
    expect(prop.strata).toEqual([
      {stratum: 'common', population: 90, sampled: 18, weightPerRequest: 5},
      {stratum: 'rare', population: 10, sampled: 2, weightPerRequest: 5},
    ]);
    const equal = stratifySample(pool, {n: 20, seed: 3, allocation: 'equal'});
    expect(equal.strata.map((s) => [s.stratum, s.sampled, s.weightPerRequest])).toEqual([['common', 10, 9], ['rare', 10, 1]]);
    expect(equal.requests).toHaveLength(20);
    expect(equal.stratumOf.get(equal.requests.find((r) => r.id.startsWith('r'))!.id)).toBe('rare');
    // A stratum smaller than its equal share gives the rest to the others.
    const small = stratifySample(pool, {n: 40, seed: 3, allocation: 'equal'});
    expect(small.strata.map((s) => s.sampled)).toEqual([30, 10]);
    // Deterministic for the seed; the same picks as `assay ab --n` always made.
    expect(stratifySample(pool, {n: 20, seed: 3}).requests.map((r) => r.id)).toEqual(prop.requests.map((r) => r.id));
  });

  it('stratifies by a metadata key or a KEY:value tag, and refuses a key no request has', () => {
    expect(stratumOf(request('a', ['x', 'tier:gold']), 'tier')).toBe('gold');
    expect(stratumOf(request('a', ['tier=silver']), 'tier')).toBe('silver');
    expect(stratumOf(request('a', ['tier:gold'], {tier: 'bronze'}), 'tier')).toBe('bronze');
    expect(stratumOf(request('a', []), 'tier')).toBe('(none)');
    expect(() => stratifySample(pool, {seed: 1, stratify: 'tier'})).toThrow(/no request has "tier"/);
  });
});

describe('the stratified estimator (Cochran): weighted difference and interval', () => {
  it('matches a hand computation', () => {
    const w = stratifiedDifference([
      {stratum: 'a', population: 90, differences: [1, 0, 0, 1]},
      {stratum: 'b', population: 10, differences: [0, 0, 0, -1]},
    ])!;
    // 0.9 × 0.5 + 0.1 × (−0.25); variance 0.81 × (1/3) / 4 + 0.01 × 0.25 / 4.
    expect(w.estimate).toBeCloseTo(0.425, 12);
    expect(w.se ** 2).toBeCloseTo(0.81 / 12 + 0.01 * 0.25 / 4, 12);
    // Welch–Satterthwaite: (Σg)² / Σ g²/(n−1).
    const g = [0.81 / 12, 0.000625];
    expect(w.df).toBeCloseTo((g[0]! + g[1]!) ** 2 / (g[0]! ** 2 / 3 + g[1]! ** 2 / 3), 10);
    // Kish: per-request weights 0.225 and 0.025.
    expect(w.nEffective).toBeCloseTo(1 / (4 * 0.225 ** 2 + 4 * 0.025 ** 2), 10);
    expect(w.ciLow).toBeLessThan(w.estimate);
    expect(w.ciHigh).toBeGreaterThan(w.estimate);
  });

  it('a stratum with no pair is left out and named; one with a single pair borrows the pooled variance', () => {
    const w = stratifiedDifference([
      {stratum: 'a', population: 50, differences: [1, 0, 1, 0]},
      {stratum: 'b', population: 50, differences: [1]},
      {stratum: 'c', population: 20, differences: []},
    ])!;
    expect(w.missing).toEqual(['c']);
    expect(w.estimate).toBeCloseTo(0.5 * 0.5 + 0.5 * 1, 12);
    expect(w.se ** 2).toBeCloseTo(0.25 * (1 / 3) / 4 + 0.25 * (1 / 3) / 1, 12);
  });

  it('covers the traffic-weighted truth 95% of the time under equal allocation, where the plain mean is biased (2,000 seeded experiments)', () => {
    // Traffic: 80% "common" where the treatment gains 5 points, 20% "rare" where it loses 40. Truth: 0.8×0.05 − 0.2×0.4 = −0.04.
    const strata = [
      {share: 0.8, up: 0.15, down: 0.1},
      {share: 0.2, up: 0.05, down: 0.45},
    ];
    const truth = strata.reduce((a, s) => a + s.share * (s.up - s.down), 0);
    const random = seededRandom(2026);
    const draw = (s: (typeof strata)[number]) => {
      const u = random();
      return u < s.up ? 1 : u < s.up + s.down ? -1 : 0;
    };
    let covered = 0;
    let plainBias = 0;
    const runs = 2000;
    for (let i = 0; i < runs; i++) {
      const units = strata.map((s, h) => ({stratum: `s${h}`, population: s.share * 1000, differences: Array.from({length: 25}, () => draw(s))}));
      const w = stratifiedDifference(units, {bounds: [-1, 1]})!;
      if (w.ciLow <= truth && truth <= w.ciHigh) covered++;
      const all = units.flatMap((u) => u.differences);
      plainBias += all.reduce((a, d) => a + d, 0) / all.length - truth;
    }
    expect(covered / runs).toBeGreaterThan(0.93);
    expect(covered / runs).toBeLessThan(0.97);
    // The unweighted mean treats both strata as half the traffic: −0.175 on average, not −0.04.
    expect(plainBias / runs).toBeCloseTo(0.5 * 0.05 - 0.5 * 0.4 - truth, 1);
    console.info(`coverage ${covered / runs}, mean bias of the unweighted mean ${(plainBias / runs).toFixed(4)}`);
  });
});

describe('weights carried into the A/B verdict', () => {
  const pair = (id: string, a: boolean, b: boolean): PairedCase => ({
    id,
    tags: [],
    control: fakeResult({caseId: id, model: 'c', score: a ? 1 : 0, pass: a}),
    treatment: fakeResult({caseId: id, model: 't', score: b ? 1 : 0, pass: b}),
  });

  it('with equal allocation the weighted estimate decides, the plain test is kept beside it, and the summary says so', () => {
    // 20 common requests where both pass; 20 rare where the treatment fails 10 the control passes. Rare is 5% of traffic.
    const cases = [...Array.from({length: 20}, (_, i) => pair(`c${i}`, true, true)), ...Array.from({length: 20}, (_, i) => pair(`r${i}`, true, i >= 10))];
    const stratumOf = new Map(cases.map((c) => [c.id, c.id.startsWith('r') ? 'rare' : 'common']));
    const strata = [
      {stratum: 'common', population: 380, sampled: 20, weightPerRequest: 19},
      {stratum: 'rare', population: 20, sampled: 20, weightPerRequest: 1},
    ];
    const v = abVerdict('c', 't', cases, {metric: 'score', effect: 0.05, skipped: [], sample: {strata, stratumOf, allocation: 'equal', stratify: 'tag'}});
    expect(v.test).toBe('stratified-t');
    expect(v.difference.estimate).toBeCloseTo(0.05 * -0.5, 12);
    expect(v.unweighted).toMatchObject({estimate: -0.25, test: 'mcnemar-score'});
    expect(v.weighted).toMatchObject({drivesVerdict: true, allocation: 'equal', missing: []});
    expect(v.summary).toMatch(/Weighted by each tag stratum's share of the traffic \(effective n/);
    // Proportional allocation: shown beside, the paired test still decides.
    const prop = abVerdict('c', 't', cases, {metric: 'score', effect: 0.05, skipped: [], sample: {strata, stratumOf, allocation: 'proportional', stratify: 'tag'}});
    expect(prop.test).toBe('mcnemar-score');
    expect(prop.weighted?.drivesVerdict).toBe(false);
    expect(prop.unweighted).toBeUndefined();
  });

  it('assay ab --allocation equal against sandbox models: the weighted CI covers the traffic-weighted truth the plain estimate misses', async () => {
    // The treatment is as good on common requests and 80 points worse on rare ones (30 of 330): truth −0.8 × 30/330.
    const truth = (-0.8 * 30) / 330;
    const providers = `id: sim
type: sandbox
wire: openai
models:
  - { label: control, model: control, sim: { accuracy: { default: 0.8, rare: 0.9 }, ttftMs: 0, msPerToken: 0 } }
  - { label: treatment, model: treatment, sim: { accuracy: { default: 0.8, rare: 0.1 }, ttftMs: 0, msPerToken: 0 } }
`;
    const lines = Array.from({length: 330}, (_, i) => JSON.stringify({id: `q${i}`, messages: [{role: 'user', content: `Question ${i}?`}], expected: `a${i}`, metadata: {segment: i < 300 ? 'common' : 'rare'}, tags: [i < 300 ? 'common' : 'rare']}));
    const cwd = makeProject({'bench.config.json': JSON.stringify({providers: ['p.yaml'], suites: [], concurrency: 64}), 'p.yaml': providers, 'traffic.jsonl': lines.join('\n')});
    const {verdict} = await runAb({cwd, control: 'control', treatment: 'treatment', sample: 'traffic.jsonl', n: 60, seed: 11, stratify: 'segment', allocation: 'equal', sandboxLatencyScale: 0});
    expect(verdict.weighted!.strata.map((s) => [s.stratum, s.population, s.n])).toEqual([['common', 300, 30], ['rare', 30, 30]]);
    expect(verdict.test).toBe('stratified-t');
    expect(verdict.difference.ciLow).toBeLessThanOrEqual(truth);
    expect(verdict.difference.ciHigh).toBeGreaterThanOrEqual(truth);
    expect(verdict.unweighted!.estimate).toBeLessThan(-0.25);
    expect(verdict.unweighted!.ciHigh).toBeLessThan(truth);
    console.info(`weighted ${verdict.difference.estimate.toFixed(3)} [${verdict.difference.ciLow.toFixed(3)}, ${verdict.difference.ciHigh.toFixed(3)}], unweighted ${verdict.unweighted!.estimate.toFixed(3)} [${verdict.unweighted!.ciLow.toFixed(3)}, ${verdict.unweighted!.ciHigh.toFixed(3)}], truth ${truth.toFixed(3)}, n_eff ${verdict.weighted!.nEffective.toFixed(1)}`);
  });
});
