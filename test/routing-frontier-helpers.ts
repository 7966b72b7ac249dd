// Held-out scoring shared by the real-data routing tests and bench/routing-frontier.ts: expected
// quality and cost of a policy on outcomes, single models, the oracle, the per-tag
// reference (exhaustive search on the training half) and reading a curve at a quality.
import {compileCondition} from '../src/routing/compile-condition.ts';
import {costQualityHull} from '../src/routing/cost-quality-hull.ts';
import type {OutcomeSet, RoutingPolicy} from '../src/routing/policy-types.ts';

export interface Point {
  quality: number;
  costUsd: number;
}

/** Expected quality and cost per case on held-out outcomes: a weighted route counts as its weighted mix (no sampling noise). */
export function expectedOn(policy: RoutingPolicy, test: OutcomeSet): Point {
  const rules = policy.rules.map((r) => ({holds: compileCondition(r.when), route: r.route}));
  let q = 0;
  let c = 0;
  for (const cs of test.cases) {
    const route = rules.find((r) => r.holds(cs.tags, cs.metadata, cs.inputTokens))?.route ?? policy.default.route;
    const total = route.reduce((s, w) => s + w.weight, 0);
    for (const w of route) {
      const o = cs.byModel[w.model]!;
      q += (w.weight / total) * (o.score ?? 0);
      c += (w.weight / total) * (o.costUsd ?? 0);
    }
  }
  return {quality: q / test.cases.length, costUsd: c / test.cases.length};
}

export function single(test: OutcomeSet, model: string): Point {
  let q = 0;
  let c = 0;
  for (const cs of test.cases) {
    q += cs.byModel[model]!.score ?? 0;
    c += cs.byModel[model]!.costUsd ?? 0;
  }
  return {quality: q / test.cases.length, costUsd: c / test.cases.length};
}

/**
 * The reference the issue sets: the best per-tag policy found by exhaustive search on the training
 * half (in sample): per tag set, the model mix that minimises cost subject to the target, allowing one
 * fractional split (the optimum of the relaxation, which a weighted split makes reachable).
 */
export function perTagReference(train: OutcomeSet, test: OutcomeSet, models: string[], strong: string, target: number): Point {
  const key = (tags: string[]) => tags.join(';');
  const segs = new Map<string, {n: number; q: number[]; c: number[]}>();
  for (const cs of train.cases) {
    const s = segs.get(key(cs.tags)) ?? {n: 0, q: models.map(() => 0), c: models.map(() => 0)};
    s.n++;
    models.forEach((m, j) => {
      s.q[j] += cs.byModel[m]!.score ?? 0;
      s.c[j] += cs.byModel[m]!.costUsd ?? 0;
    });
    segs.set(key(cs.tags), s);
  }
  const N = train.cases.length;
  const need = target * single(train, strong).quality * N;
  // Lagrangian sweep over μ: each segment takes argmax q − μc; the crossing point splits one segment.
  const list = [...segs.entries()];
  const pickAt = (mu: number) => list.map(([, s]) => {
    let best = 0;
    const v = (j: number) => (mu === Number.POSITIVE_INFINITY ? -s.c[j]! : s.q[j]! - mu * s.c[j]!);
    for (let j = 1; j < models.length; j++) if (v(j) > v(best) + 1e-12) best = j;
    return best;
  });
  const totalQ = (p: number[]) => list.reduce((a, [, s], i) => a + s.q[p[i]!]!, 0);
  const mus: number[] = [0];
  for (const [, s] of list) for (let a = 0; a < models.length; a++) for (let b = 0; b < models.length; b++) {
    const dq = s.q[a]! - s.q[b]!;
    const dc = s.c[a]! - s.c[b]!;
    if (dq > 0 && dc > 0) mus.push(dq / dc);
  }
  mus.sort((x, y) => x - y);
  const grid = [0, ...mus.flatMap((m) => [m * (1 - 1e-9), m * (1 + 1e-9)]), Number.POSITIVE_INFINITY];
  const configs = grid.map(pickAt);
  // configs go from quality-first (μ=0) to cost-first; find the last feasible one and its successor.
  let lastFeasible = 0;
  for (let k = 0; k < configs.length; k++) if (totalQ(configs[k]!) >= need - 1e-9) lastFeasible = k;
  const hi = configs[lastFeasible]!;
  const lo = configs[Math.min(lastFeasible + 1, configs.length - 1)]!;
  const qHi = totalQ(hi);
  const qLo = totalQ(lo);
  const alpha = qHi - qLo > 1e-12 ? Math.min(1, Math.max(0, (need - qLo) / (qHi - qLo))) : 1;
  const route = new Map(list.map(([k], i) => [k, {hi: hi[i]!, lo: lo[i]!}]));
  const fallback = models.indexOf(strong);
  let q = 0;
  let c = 0;
  for (const cs of test.cases) {
    const r = route.get(key(cs.tags)) ?? {hi: fallback, lo: fallback};
    for (const [j, w] of [[r.hi, alpha], [r.lo, 1 - alpha]] as const) {
      q += w * (cs.byModel[models[j]!]!.score ?? 0);
      c += w * (cs.byModel[models[j]!]!.costUsd ?? 0);
    }
  }
  return {quality: q / test.cases.length, costUsd: c / test.cases.length};
}

export function oracle(test: OutcomeSet, models: string[]): Point {
  let q = 0;
  let c = 0;
  for (const cs of test.cases) {
    let best = models[0]!;
    for (const m of models) {
      const o = cs.byModel[m]!;
      const b = cs.byModel[best]!;
      if (o.score! > b.score! + 1e-12 || (Math.abs(o.score! - b.score!) <= 1e-12 && o.costUsd! < b.costUsd!)) best = m;
    }
    q += cs.byModel[best]!.score!;
    c += cs.byModel[best]!.costUsd!;
  }
  return {quality: q / test.cases.length, costUsd: c / test.cases.length};
}

/** The least cost at which a held-out curve reaches the quality, on its non-decreasing hull (mixing two points is always possible). */
export function costAt(points: Point[], quality: number): number {
  const hull = costQualityHull(points.map((p) => ({costUsdPer1k: p.costUsd, quality: p.quality})));
  for (let i = 0; i < hull.length; i++) {
    if (hull[i]!.quality >= quality - 1e-12) {
      if (i === 0) return hull[0]!.costUsdPer1k;
      const a = hull[i - 1]!;
      const b = hull[i]!;
      return a.costUsdPer1k + ((quality - a.quality) / (b.quality - a.quality)) * (b.costUsdPer1k - a.costUsdPer1k);
    }
  }
  return Number.NaN;
}


/** Targets swept to trace a generator's held-out curve: 85% to 100% of the best single model in steps of 0.5%. */
export const SWEEP = Array.from({length: 31}, (_, k) => 0.85 + k * 0.005);
