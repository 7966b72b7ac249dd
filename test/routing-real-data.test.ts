// Generate a policy on one half of real public outcomes and replay it on the other half: the
// out-of-sample check issue 6 asks for. Data is read in place from ../shared/data (never copied).
import {beforeAll, describe, expect, it} from 'vitest';
import {generatePolicy} from '../src/routing/generate-policy.ts';
import type {OutcomeSet} from '../src/routing/policy-types.ts';
import {simulatePolicy} from '../src/routing/simulate-policy.ts';
import {costAt, expectedOn, perTagReference, type Point, single, SWEEP} from './routing-frontier-helpers.ts';
import {halves, routellmRows, routerArenaRows, sharedDataMissing} from './shared-routing-data.ts';

if (sharedDataMissing) console.warn(sharedDataMissing);

describe.skipIf(sharedDataMissing !== null)('RouteLLM GSM8K + MT-Bench (GPT-4-1106 vs Mixtral-8x7B): generate on one half, simulate on the other', () => {
  let train: OutcomeSet;
  let test: OutcomeSet;
  beforeAll(() => {
    [train, test] = halves(routellmRows(), 'routellm').sets;
  });

  it('reproduces the published model scores on the joined data', () => {
    const sim = simulatePolicy(generatePolicy(train, {now: new Date(0)}).policy, test);
    expect(train.cases.length + test.cases.length).toBe(1307 + 144);
    expect(sim.bestSingleModel).toBe('gpt-4-1106-preview');
    // Oracle headroom RouteLLM's data shows: the per-case best beats GPT-4 alone, for far less.
    expect(sim.oracle.quality).toBeGreaterThan(sim.baselines['gpt-4-1106-preview']!.quality);
    expect(sim.oracle.costUsdPer1k!).toBeLessThan(sim.baselines['gpt-4-1106-preview']!.costUsdPer1k!);
  });

  it('keeps 95% of GPT-4 quality out of sample for clearly less than GPT-4 costs', () => {
    const {policy} = generatePolicy(train, {minQuality: 0.95, now: new Date(0)});
    const sim = simulatePolicy(policy, test);
    const gpt4 = sim.baselines['gpt-4-1106-preview']!;
    expect(sim.policy.n).toBe(test.cases.length);
    expect(sim.policy.quality).toBeGreaterThanOrEqual(0.95 * gpt4.quality - 0.015);
    expect(sim.policy.costUsdPer1k!).toBeLessThan(0.8 * gpt4.costUsdPer1k!);
    expect(sim.policy.quality).toBeGreaterThan(sim.baselines['mixtral-8x7b']!.quality);
    // The generator's own cross-validated estimate is close to what the unseen half shows.
    expect(Math.abs(policy.expected!.quality / policy.expected!.bestSingleQuality - sim.policy.relativeQuality)).toBeLessThan(0.03);
    expect(sim.policy.quality).toBeLessThanOrEqual(sim.oracle.quality);
    // The curve's AIQ beats mixing single models with no information about the request.
    expect(sim.aiq!).toBeGreaterThan(sim.zeroRouterAiq!);
  });

  it('sends MT-Bench (where Mixtral is close) to Mixtral and splits GSM8K', () => {
    const {policy, evidence} = generatePolicy(train, {minQuality: 0.95, now: new Date(0)});
    const gsm = policy.rules.find((r) => r.when.tags?.includes('gsm8k'));
    expect(gsm?.route[0]!.model).toBe('gpt-4-1106-preview');
    expect(policy.default.route).toEqual([{model: 'mixtral-8x7b', weight: 1}]);
    expect(policy.default.fallback).toEqual(['gpt-4-1106-preview']);
    const gsmEvidence = evidence.find((e) => e.name === gsm!.name)!;
    const mixtral = gsmEvidence.candidates.find((c) => c.model === 'mixtral-8x7b')!;
    expect(mixtral.vsWinner!.ciHigh).toBeLessThan(0); // GPT-4 is really better on GSM8K
  });

  it('a stricter target costs more, and 100% means GPT-4 everywhere', () => {
    const costs = [0.85, 0.95, 1].map((q) => simulatePolicy(generatePolicy(train, {minQuality: q, now: new Date(0)}).policy, test).policy.costUsdPer1k!);
    expect(costs[0]!).toBeLessThan(costs[1]!);
    expect(costs[1]!).toBeLessThan(costs[2]!);
    const all = generatePolicy(train, {minQuality: 1, now: new Date(0)}).policy;
    expect(all.rules).toEqual([]);
    expect(all.default.route).toEqual([{model: 'gpt-4-1106-preview', weight: 1}]);
  });

  it('spends a budget: quality rises with it and the cost stays within it out of sample', () => {
    const budget = 2.0;
    const {policy} = generatePolicy(train, {maxCostUsdPer1k: budget, now: new Date(0)});
    const sim = simulatePolicy(policy, test);
    expect(sim.policy.costUsdPer1k!).toBeLessThan(budget * 1.1);
    expect(sim.policy.quality).toBeGreaterThan(sim.baselines['mixtral-8x7b']!.quality + 0.05);
  });

  it('is deterministic for a seed', () => {
    const a = generatePolicy(train, {now: new Date(0)}).policy;
    const b = generatePolicy(train, {now: new Date(0)}).policy;
    expect(b).toEqual(a);
  });
});

describe.skipIf(sharedDataMissing !== null)('RouterArena (Claude-3-Haiku vs Gemini-2.0-Flash, real costs): generate on one half, simulate on the other', () => {
  let train: OutcomeSet;
  let test: OutcomeSet;
  beforeAll(() => {
    [train, test] = halves(routerArenaRows(), 'routerarena').sets;
  });

  it('picks the model that is both cheaper and better and keeps its quality out of sample', () => {
    const {policy} = generatePolicy(train, {minQuality: 0.95, now: new Date(0)});
    const sim = simulatePolicy(policy, test);
    const gemini = sim.baselines['gemini-2.0-flash-001']!;
    const haiku = sim.baselines['claude-3-haiku-20240307']!;
    expect(sim.bestSingleModel).toBe('gemini-2.0-flash-001');
    expect(gemini.costUsdPer1k!).toBeLessThan(haiku.costUsdPer1k!);
    expect(policy.default.route[0]!.model).toBe('gemini-2.0-flash-001');
    expect(sim.policy.quality).toBeGreaterThanOrEqual(0.95 * gemini.quality - 0.015);
    expect(sim.policy.costUsdPer1k!).toBeLessThanOrEqual(gemini.costUsdPer1k! * 1.05);
    expect(sim.policy.costUsdPer1k!).toBeLessThan(haiku.costUsdPer1k!);
    // Per-case routing still has headroom here (the oracle), which segment rules cannot reach.
    expect(sim.oracle.quality).toBeGreaterThan(sim.policy.quality);
  });

  it('reports nested cross-validated figures, not the in-sample fit, as expected', () => {
    const {policy} = generatePolicy(train, {minQuality: 0.95, now: new Date(0)});
    expect(policy.expected!.method).toBe('nested 5-fold cross-validation');
    expect(policy.expected!.n).toBe(train.cases.length);
    expect(generatePolicy(train, {minQuality: 0.95, now: new Date(0), nested: false}).policy.expected!.method).toBe('5-fold cross-validation');
    // Every figure carries its 95% interval, the policy's and each rule's.
    for (const x of [policy.expected!, ...policy.rules.map((r) => r.expected), policy.default.expected]) {
      expect(x.qualityCi95![0]).toBeLessThanOrEqual(x.quality);
      expect(x.qualityCi95![1]).toBeGreaterThanOrEqual(x.quality);
      expect(x.costUsdPer1kCi95![0]).toBeLessThanOrEqual(x.costUsdPer1k!);
      expect(x.costUsdPer1kCi95![1]).toBeGreaterThanOrEqual(x.costUsdPer1k!);
    }
    const rule = policy.default.expected;
    expect(rule.n).toBe(train.cases.length - policy.rules.reduce((s, r) => s + r.expected.n, 0));
  });
});

describe.skipIf(sharedDataMissing !== null)('the generator against the best per-tag policy found by exhaustive search on the training half', () => {
  /** Held-out cost (vs the best single model) at 95% of its quality, read off the generator's held-out curve, both halves averaged. */
  function costAt95(rows: ReturnType<typeof routellmRows>, name: string): {generator: number; reference: number} {
    const {sets} = halves(rows, name);
    const models = [...new Set(rows.map((r) => r.model))].sort();
    let generator = 0;
    let reference = 0;
    for (const [a, b] of [[0, 1], [1, 0]] as const) {
      const [train, test] = [sets[a], sets[b]];
      const strong = models.reduce((x, y) => (single(train, y).quality > single(train, x).quality ? y : x));
      const ref = single(test, strong);
      const norm = (p: Point): Point => ({quality: p.quality / ref.quality, costUsd: p.costUsd / ref.costUsd});
      generator += costAt(SWEEP.map((t) => norm(expectedOn(generatePolicy(train, {minQuality: t, now: new Date(0)}).policy, test))), 0.95) / 2;
      reference += costAt(SWEEP.map((t) => norm(perTagReference(train, test, models, strong, t))), 0.95) / 2;
    }
    return {generator, reference};
  }

  it('is within 2 points of it on RouteLLM GSM8K + MT-Bench, MT-Bench alone and RouterArena', () => {
    for (const [rows, name] of [[routellmRows('both'), 'both'], [routellmRows('mt-bench'), 'mt'], [routerArenaRows(), 'arena']] as const) {
      const {generator, reference} = costAt95(rows, `frontier-${name}`);
      expect(generator, name).toBeLessThanOrEqual(reference + 0.02);
      expect(generator, name).toBeGreaterThan(0);
    }
  });
});
