// The generator on synthetic outcomes whose best per-tag policy is known: many small tags, each
// with its own quality gain for the dearer model. No rule cap, one split at most, evidence per rule.
import {describe, expect, it} from 'vitest';
import {stickyFraction} from '../src/routing/create-router.ts';
import {generatePolicy} from '../src/routing/generate-policy.ts';
import {explainPolicy} from '../src/routing/explain-policy.ts';
import {gapRecovered} from '../src/routing/gap-recovered.ts';
import type {CaseOutcomes, OutcomeSet} from '../src/routing/policy-types.ts';

/**
 * 24 tags of 40 cases (each under 5% of traffic). On tag k the strong model is right on 90% of
 * cases and the weak one on a share that falls with k (from 90% to 20%): a per-tag choice gains a
 * lot, a single global blend little. Scores are drawn from a fixed hash, so the data is the same on every run.
 */
function manyTags(): OutcomeSet {
  const cases: CaseOutcomes[] = [];
  for (let k = 0; k < 24; k++) {
    const weakRate = 0.9 - (0.7 * k) / 23;
    for (let i = 0; i < 40; i++) {
      const caseId = `t${k}-${i}`;
      const u = stickyFraction(`strong:${caseId}`);
      const v = stickyFraction(`weak:${caseId}`);
      const outcome = (score: number, costUsd: number) => ({score, costUsd, latencyMs: null, inputTokens: 100, outputTokens: 100, requests: 1, errors: 0});
      cases.push({
        caseId,
        tags: [`tag${String(k).padStart(2, '0')}`],
        metadata: {},
        inputTokens: 100,
        byModel: {strong: outcome(u < 0.9 ? 1 : 0, 0.01), weak: outcome(v < weakRate ? 1 : 0, 0.0005)},
      });
    }
  }
  return {sources: ['synthetic'], models: {strong: {}, weak: {}}, cases, errorStats: {}, warnings: []};
}

describe('generatePolicy on many small tags', () => {
  const outcomes = manyTags();

  it('writes as many rules as the evidence supports, splits at most one, and meets the target out of sample', () => {
    const generated = generatePolicy(outcomes, {minQuality: 0.95, now: new Date(0)});
    const {policy} = generated;
    expect(policy.rules.length).toBeGreaterThan(8);
    const split = [...policy.rules.map((r) => r.route), policy.default.route].filter((route) => route.length > 1);
    expect(split.length).toBeLessThanOrEqual(1);
    // Tags where the weak model is nearly as good go to it; where it is far behind, to the strong one.
    const routeOf = (tag: string) => (policy.rules.find((r) => r.when.tags?.includes(tag))?.route ?? policy.default.route)[0]!.model;
    expect(routeOf('tag00')).toBe('weak');
    expect(routeOf('tag23')).toBe('strong');
    const e = policy.expected!;
    expect(e.quality / e.bestSingleQuality).toBeGreaterThanOrEqual(0.95 - 1e-3);
    expect(e.costUsdPer1k!).toBeLessThan(0.75 * e.bestSingleCostUsdPer1k!);
    // Rules are listed with what each one bought, cheapest default first.
    expect(generated.steps.length).toBe(policy.rules.length + 1);
    expect(generated.steps.at(-1)!.costUsdPer1k!).toBeLessThan(generated.steps[0]!.costUsdPer1k!);
    expect(explainPolicy(generated)).toContain('what each rule buys');
  });

  it('--max-rules keeps the policy short at a cost', () => {
    const full = generatePolicy(outcomes, {minQuality: 0.95, now: new Date(0)}).policy;
    const short = generatePolicy(outcomes, {minQuality: 0.95, maxRules: 3, now: new Date(0)}).policy;
    expect(short.rules.length).toBeLessThanOrEqual(3);
    expect(short.expected!.costUsdPer1k!).toBeGreaterThan(full.expected!.costUsdPer1k!);
  });

  it('a stricter evidence level keeps fewer rules; bad levels are input errors', () => {
    const loose = generatePolicy(outcomes, {minQuality: 0.95, evidenceLevel: 0, now: new Date(0)}).policy;
    const strict = generatePolicy(outcomes, {minQuality: 0.95, evidenceLevel: 0.999, now: new Date(0)}).policy;
    expect(strict.rules.length).toBeLessThan(loose.rules.length);
    expect(() => generatePolicy(outcomes, {evidenceLevel: 1})).toThrow(/evidence level/);
  });
});

describe('RouteLLM metrics: APGR and CPT', () => {
  const weak = {model: 'weak', costUsdPer1k: 1, quality: 0.5};
  const strong = {model: 'strong', costUsdPer1k: 11, quality: 0.9};

  it('random mixing recovers the gap linearly: APGR 0.5, CPT(50%) 50%, CPT(80%) 80%', () => {
    expect(gapRecovered([], strong, weak)).toEqual(expect.objectContaining({apgr: 0.5, cpt50: 0.5, cpt80: 0.8}));
  });

  it('a router at 20% cost recovering 80% of the gap: APGR 0.8, CPT(50%) 12.5%, CPT(80%) 20%', () => {
    const g = gapRecovered([{costUsdPer1k: 3, quality: 0.82}], strong, weak)!;
    expect(g.apgr).toBeCloseTo(0.8, 4);
    expect(g.cpt50).toBeCloseTo(0.125, 4);
    expect(g.cpt80).toBeCloseTo(0.2, 4);
    expect(g.points).toEqual([{cost: 0.2, pgr: 0.8}]);
  });

  it('is undefined when the best model is also the cheapest', () => {
    expect(gapRecovered([], {...strong, costUsdPer1k: 0.5}, weak)).toBeNull();
  });
});
