import {describe, expect, it} from 'vitest';
import {compileCondition} from '../src/routing/compile-condition.ts';
import {createRouter, stickyFraction} from '../src/routing/create-router.ts';
import type {RoutingPolicy} from '../src/routing/policy-types.ts';

const resilience: RoutingPolicy['resilience'] = {
  retry: {maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 30_000, retryOn: ['rate-limit', 'server'], retryOnStatus: [429, 500, 502, 503, 504], respectRetryAfter: true},
  circuitBreaker: {errorRate: 0.5, minRequests: 20, cooldownMs: 30_000, windowMs: 60_000, countClasses: ['server', 'timeout']},
  basis: [],
};
const expected = {quality: 0.9, costUsdPer1k: 1, p95LatencyMs: 500, n: 100};

function policy(): RoutingPolicy {
  return {
    version: 1,
    generatedAt: '2026-01-01T00:00:00.000Z',
    sources: [],
    objective: {minQuality: 0.95, relativeTo: 'best-single-model'},
    models: {large: {}, medium: {}, mini: {}, canary: {}},
    rules: [
      {name: 'math', when: {tags: ['math']}, route: [{model: 'large', weight: 1}], fallback: ['medium'], expected, rationale: ''},
      {name: 'classify-en', when: {tags: ['classify'], metadata: {lang: 'en'}}, route: [{model: 'mini', weight: 0.9}, {model: 'canary', weight: 0.1}], fallback: ['medium', 'large'], expected, rationale: ''},
      {name: 'short', when: {inputTokens: {max: 100}}, route: [{model: 'medium', weight: 1}], fallback: ['large'], expected, rationale: ''},
    ],
    default: {route: [{model: 'large', weight: 0.7}, {model: 'medium', weight: 0.3}], fallback: ['mini'], expected, rationale: ''},
    resilience,
  };
}

describe('createRouter(policy).route(request)', () => {
  const router = createRouter(policy());

  it('takes the first matching rule, then the fallbacks', () => {
    expect(router.route({tags: ['math', 'classify'], metadata: {lang: 'en'}})).toEqual(['large', 'medium']);
    expect(router.decide({tags: ['math']}).ruleName).toBe('math');
  });

  it('needs every part of a condition: tags and metadata equality', () => {
    expect(router.decide({tags: ['classify'], metadata: {lang: 'de'}, inputTokens: 500, key: 'k'}).rule).toBe(-1);
    expect(router.decide({tags: ['classify'], metadata: {lang: 'en'}, key: 'k'}).rule).toBe(1);
  });

  it('matches input-size ranges half-open, and estimates tokens from the input when not given', () => {
    expect(router.decide({inputTokens: 99}).ruleName).toBe('short');
    expect(router.decide({inputTokens: 100, key: 'x'}).ruleName).toBe('default');
    expect(router.decide({input: 'a short prompt'}).ruleName).toBe('short');
    expect(router.decide({input: 'word '.repeat(400), key: 'x'}).ruleName).toBe('default');
    // Unknown size never matches a size rule.
    expect(router.decide({key: 'x'}).ruleName).toBe('default');
  });

  it('is sticky: the same key always gets the same answer, across router instances', () => {
    const other = createRouter(policy());
    for (let i = 0; i < 200; i++) {
      const req = {tags: ['classify'], metadata: {lang: 'en'}, key: `user-${i}`};
      expect(other.route(req)).toEqual(router.route(req));
      expect(router.route(req)).toEqual(router.route(req));
    }
  });

  it('splits keyed traffic by the weights (canary 10%, default 70/30)', () => {
    let canary = 0;
    let large = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      if (router.route({tags: ['classify'], metadata: {lang: 'en'}, key: `u${i}`})[0] === 'canary') canary++;
      if (router.route({key: `u${i}`, inputTokens: 1000})[0] === 'large') large++;
    }
    expect(canary / n).toBeGreaterThan(0.09);
    expect(canary / n).toBeLessThan(0.11);
    expect(large / n).toBeGreaterThan(0.68);
    expect(large / n).toBeLessThan(0.72);
  });

  it('lists the rest of the route after the pick, then the fallbacks, without duplicates', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(router.route({tags: ['classify'], metadata: {lang: 'en'}, key: `k${i}`}).join(','));
    expect([...seen].sort()).toEqual(['canary,mini,medium,large', 'mini,canary,medium,large'].sort());
  });

  it('uses the injected random source without a key', () => {
    const r = createRouter(policy(), {random: () => 0.95});
    expect(r.route({inputTokens: 1000})[0]).toBe('medium');
    expect(createRouter(policy(), {random: () => 0.1}).route({inputTokens: 1000})[0]).toBe('large');
  });

  it('sticky fractions are uniform enough and stable', () => {
    expect(stickyFraction('user-42')).toBe(stickyFraction('user-42'));
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(stickyFraction(`id-${i}`) * 10)]++;
    for (const b of buckets) expect(Math.abs(b - 1000)).toBeLessThan(150);
  });

  it('routes in microseconds', () => {
    const req = {tags: ['chat'], metadata: {lang: 'fr'}, inputTokens: 1000, key: 'user-1'};
    for (let i = 0; i < 10_000; i++) router.route(req);
    const n = 100_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) router.route(req);
    const usPerCall = ((performance.now() - t0) * 1000) / n;
    // Generous bound for a loaded CI machine; bench/route-latency.ts measures it properly.
    expect(usPerCall).toBeLessThan(20);
  });
});

describe('route() with indexed rules', () => {
  it('picks the same rule as checking every rule in order, on random policies and requests', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pickOf = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const TAGS = ['a', 'b', 'c', 'd', 'e'];
    for (let trial = 0; trial < 40; trial++) {
      const rules: RoutingPolicy['rules'] = Array.from({length: 1 + Math.floor(rand() * 30)}, (_, i) => {
        const when: RoutingPolicy['rules'][number]['when'] = {};
        if (rand() < 0.6) when.tags = Array.from({length: 1 + Math.floor(rand() * 2)}, () => pickOf(TAGS));
        if (rand() < 0.4) when.metadata = rand() < 0.5 ? {suite: pickOf(['x', 'y'])} : {suite: pickOf(['x', 'y']), lang: pickOf(['en', 'de'])};
        if (rand() < 0.3) when.inputTokens = rand() < 0.5 ? {max: 100} : {min: 50, max: 400};
        return {name: `r${i}`, when, route: [{model: 'mini', weight: 1}], fallback: [], expected, rationale: ''};
      });
      const p = {...policy(), rules};
      const router = createRouter(p);
      const conditions = rules.map((r) => compileCondition(r.when));
      for (let q = 0; q < 60; q++) {
        const tags = TAGS.filter(() => rand() < 0.3);
        const metadata = rand() < 0.7 ? {suite: pickOf(['x', 'y', 'z']), ...(rand() < 0.5 ? {lang: pickOf(['en', 'de'])} : {})} : undefined;
        const inputTokens = rand() < 0.8 ? Math.floor(rand() * 600) : null;
        const linear = conditions.findIndex((c) => c(tags, metadata, inputTokens));
        expect(router.decide({tags, metadata, inputTokens, key: 'k'}).rule).toBe(linear);
      }
    }
  });
});
