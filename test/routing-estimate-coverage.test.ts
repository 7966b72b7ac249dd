// Issue 15: `assay route`'s out-of-sample estimate against what the policy does on cases it never saw.
// Real public outcomes (RouteLLM GSM8K + MT-Bench, read in place from ../shared/data, never copied):
// generate on a random half, replay on the other, many seeded times; and once through the CLI.
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import Papa from 'papaparse';
import {beforeAll, describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {stickyFraction} from '../src/routing/create-router.ts';
import {generatePolicy} from '../src/routing/generate-policy.ts';
import {loadOutcomes} from '../src/routing/load-outcomes.ts';
import type {OutcomeSet, PolicyEstimate} from '../src/routing/policy-types.ts';
import {replayPolicy} from '../src/routing/replay-policy.ts';
import {caseMeanInterval} from '../src/stats/case-mean-interval.ts';
import {runCli} from './helpers.ts';
import {routellmRows, sharedDataMissing} from './shared-routing-data.ts';

if (sharedDataMissing) console.warn(sharedDataMissing);

const REPETITIONS = 200;

/**
 * Whether a held-out realisation agrees with the estimate: the 95% interval of their difference, from
 * the estimate's own interval and the held-out mean's (Newcombe's method of combining two intervals,
 * methodology §2.2; the two are independent), contains 0. The held-out half is a sample too, so the
 * estimate's interval alone would be judged against a noisy target.
 */
function agrees(estimate: {value: number; ci: [number, number]}, heldOut: {value: number; ci: [number, number]}): boolean {
  const d = heldOut.value - estimate.value;
  const low = d - Math.hypot(heldOut.value - heldOut.ci[0], estimate.ci[1] - estimate.value);
  const high = d + Math.hypot(heldOut.ci[1] - heldOut.value, estimate.value - estimate.ci[0]);
  return low <= 0 && 0 <= high;
}

interface Interval {
  value: number;
  ci: [number, number];
}

/** The held-out quality and cost per 1k the policy realises, with case-level 95% intervals like the estimate's. */
function realisedOn(policy: Parameters<typeof replayPolicy>[0], heldOut: OutcomeSet): {quality: Interval; cost: Interval} {
  const served = replayPolicy(policy, heldOut).served.filter((s) => s !== null);
  const q = caseMeanInterval(served.map((s) => s.outcome.score!))!;
  const costs = served.map((s) => s.costUsd! * 1000);
  const mean = costs.reduce((a, b) => a + b, 0) / costs.length;
  const se = Math.sqrt(costs.reduce((a, b) => a + (b - mean) ** 2, 0) / (costs.length - 1) / costs.length);
  return {quality: {value: q.estimate, ci: [q.ciLow, q.ciHigh]}, cost: {value: mean, ci: [mean - 1.96 * se, mean + 1.96 * se]}};
}

/** The difference in units of its standard error (half-widths / 1.96): standard normal when both intervals are honest. */
function zOf(estimate: Interval, heldOut: Interval): number {
  const half = (x: Interval) => (x.ci[1] - x.ci[0]) / 2 / 1.96;
  return (heldOut.value - estimate.value) / Math.hypot(half(estimate), half(heldOut));
}

const meanSd = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return {mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1))};
};

describe.skipIf(sharedDataMissing !== null)('assay route: the out-of-sample estimate against held-out RouteLLM cases', () => {
  let all: OutcomeSet;
  let csv = '';
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'assay-route-coverage-'));
    csv = join(dir, 'routellm.csv');
    writeFileSync(csv, Papa.unparse(routellmRows()));
    all = loadOutcomes([csv]);
  });

  it(`over ${REPETITIONS} seeded splits, the held-out quality and cost agree with the estimate's 95% intervals about 95% of the time, on both sides`, () => {
    const agree = {quality: 0, cost: 0, plainQuality: 0};
    const z = {quality: [] as number[], cost: [] as number[]};
    for (let r = 0; r < REPETITIONS; r++) {
      const half = (id: string) => stickyFraction(`coverage:${r}:${id}`) < 0.5;
      const {policy} = generatePolicy({...all, cases: all.cases.filter((c) => half(c.caseId))}, {seed: r + 1, now: new Date(0)});
      const realised = realisedOn(policy, {...all, cases: all.cases.filter((c) => !half(c.caseId))});
      const e = policy.expected!;
      const quality = {value: e.quality, ci: e.qualityCi95!};
      const cost = {value: e.costUsdPer1k!, ci: e.costUsdPer1kCi95!};
      for (const x of [quality, cost]) expect(x.ci[0] <= x.value && x.value <= x.ci[1]).toBe(true);
      if (agrees(quality, realised.quality)) agree.quality++;
      if (agrees(cost, realised.cost)) agree.cost++;
      // For contrast: the figure the selection optimised, with the same interval.
      const shift = e.selectionQuality! - e.quality;
      if (agrees({value: e.selectionQuality!, ci: [quality.ci[0] + shift, quality.ci[1] + shift]}, realised.quality)) agree.plainQuality++;
      z.quality.push(zOf(quality, realised.quality));
      z.cost.push(zOf(cost, realised.cost));
    }
    const zq = meanSd(z.quality);
    const zc = meanSd(z.cost);
    console.log(
      `route estimate vs held-out half, ${REPETITIONS} splits: quality agrees ${agree.quality}, cost ${agree.cost} (plain CV quality ${agree.plainQuality}); ` +
        `z quality mean ${zq.mean.toFixed(3)} sd ${zq.sd.toFixed(3)}, z cost mean ${zc.mean.toFixed(3)} sd ${zc.sd.toFixed(3)}`,
    );
    // 95% nominal; ±3 points is the binomial noise of 200 splits.
    for (const n of [agree.quality, agree.cost]) expect(n / REPETITIONS).toBeGreaterThanOrEqual(0.92);
    for (const n of [agree.quality, agree.cost]) expect(n / REPETITIONS).toBeLessThanOrEqual(0.99);
    // Unbiased and rightly sized: the standardised differences centre on 0 with spread 1.
    for (const {mean, sd} of [zq, zc]) {
      expect(Math.abs(mean)).toBeLessThan(0.2);
      expect(sd).toBeGreaterThan(0.85);
      expect(sd).toBeLessThan(1.15);
    }
  });

  it('through the CLI: assay route on one half writes an estimate with its interval; assay simulate on the other half agrees with it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'assay-route-e2e-'));
    const rows = Papa.parse<Record<string, string>>(readFileSync(csv, 'utf8'), {header: true, skipEmptyLines: true}).data;
    const half = (id: string) => stickyFraction(`cli:${id}`) < 0.5;
    writeFileSync(join(cwd, 'train.csv'), Papa.unparse(rows.filter((r) => half(r.case_id!))));
    writeFileSync(join(cwd, 'held-out.csv'), Papa.unparse(rows.filter((r) => !half(r.case_id!))));
    const route = await runCli(['route', '--from', 'train.csv', '--out', 'policy.yaml'], {cwd});
    expect(route.code, route.stderr).toBe(0);
    const policy = parse(readFileSync(join(cwd, 'policy.yaml'), 'utf8')) as {expected: PolicyEstimate};
    const e = policy.expected;
    expect(e.method).toMatch(/^nested 5-fold cross-validation/);
    expect(e.qualityCi95![0]).toBeLessThan(e.quality);
    expect(e.qualityCi95![1]).toBeGreaterThan(e.quality);
    expect(e.costUsdPer1kCi95![0]).toBeLessThan(e.costUsdPer1k!);
    const sim = await runCli(['simulate', '--policy', 'policy.yaml', '--from', 'held-out.csv', '--json'], {cwd});
    expect(sim.code, sim.stderr).toBe(0);
    const realised = JSON.parse(sim.stdout) as {policy: {quality: number; n: number}};
    const mine = realisedOn(parse(readFileSync(join(cwd, 'policy.yaml'), 'utf8')), loadOutcomes([join(cwd, 'held-out.csv')]));
    expect(realised.policy.quality).toBeCloseTo(mine.quality.value, 4);
    expect(agrees({value: e.quality, ci: e.qualityCi95!}, mine.quality)).toBe(true);
    expect(agrees({value: e.costUsdPer1k!, ci: e.costUsdPer1kCi95!}, mine.cost)).toBe(true);
  });
});
