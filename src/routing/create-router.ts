import {estimateTokens} from '../providers/estimate-tokens.ts';
import {type CompiledCondition, compileCondition, type RouteRequest} from './compile-condition.ts';
import {compileScorer} from './learned-scorer.ts';
import type {RoutingPolicy, WeightedModel} from './policy-types.ts';

export type {RouteRequest} from './compile-condition.ts';

export interface RouteDecision {
  /** Model labels to try, in order: the weighted pick, the rest of the route, then the fallbacks. */
  models: readonly string[];
  /** Index of the rule that matched, or -1 for the default (and for the learned router). */
  rule: number;
  /** The rule's name, `default`, or `learned` when the policy's learned router chose (the request carried its prompt). */
  ruleName: string;
}

export interface Router {
  /** Ordered model labels to try for this request. The array is shared and frozen: copy before changing it. */
  route(request: RouteRequest): readonly string[];
  /** The same, with which rule decided. */
  decide(request: RouteRequest): RouteDecision;
}

interface CompiledRoute {
  matches: CompiledCondition;
  name: string;
  /** Cumulative weights, normalised to end at 1. */
  cumulative: number[];
  /** One precomputed, frozen answer per possible pick: route() allocates nothing. */
  orders: ReadonlyArray<readonly string[]>;
}

/**
 * The in-process runtime of a policy: first matching rule wins, a weighted pick among its route
 * (sticky by request key: the same key lands on the same model, so a canary user stays in the canary),
 * then the rest of the route and the fallbacks. Everything is compiled once here.
 */
export function createRouter(policy: RoutingPolicy, opts: {random?: () => number} = {}): Router {
  const random = opts.random ?? Math.random;
  const compiled: CompiledRoute[] = policy.rules.map((r) => compileRoute(compileCondition(r.when), r.name, r.route, r.fallback));
  const fallbackRoute = compileRoute(() => true, 'default', policy.default.route, policy.default.fallback);
  const all = [...compiled, fallbackRoute];
  // A learned router decides for requests that carry their prompt; the rules serve the rest.
  const scorer = policy.learned ? compileScorer(policy.learned) : null;
  const learnedOrders = new Map<string, readonly string[]>();
  if (policy.learned) {
    const tail = [...policy.default.route].sort((a, b) => b.weight - a.weight).map((w) => w.model);
    for (const label of [policy.learned.base, ...policy.learned.models.map((m) => m.model)]) learnedOrders.set(label, Object.freeze(dedupe([label, ...tail, ...policy.default.fallback])));
  }
  const LEARNED = -2;
  const defaultIndex = compiled.length;
  // A rule with tags can only match a request carrying its first tag, and a rule on metadata only a
  // request with its first field's value: indexed there, a rule is checked only for requests that
  // could match it, so route() costs what the request selects, not the rule count. Rules on input
  // size alone are checked in order.
  const byTag = new Map<string, number[]>();
  const byField = new Map<string, Map<string, number[]>>();
  const unindexed: number[] = [];
  const push = <K>(map: Map<K, number[]>, key: K, i: number) => {
    const list = map.get(key);
    if (list) list.push(i);
    else map.set(key, [i]);
  };
  policy.rules.forEach((r, i) => {
    const tag = r.when.tags?.[0];
    const field = Object.entries(r.when.metadata ?? {})[0];
    if (tag !== undefined) push(byTag, tag, i);
    else if (field) {
      let values = byField.get(field[0]);
      if (!values) byField.set(field[0], (values = new Map()));
      push(values, field[1], i);
    } else unindexed.push(i);
  });
  const fields = [...byField.entries()];

  /** The first rule (lowest index) of `list` that matches, if it comes before `best`. */
  function firstMatch(list: readonly number[], best: number, tags: readonly string[], metadata: RouteRequest['metadata'], inputTokens: number | null): number {
    for (let k = 0; k < list.length; k++) {
      const i = list[k]!;
      if (i >= best) return best;
      if (compiled[i]!.matches(tags, metadata, inputTokens)) return i;
    }
    return best;
  }

  /** The first rule that matches, the default's index, or LEARNED. */
  function matchIndex(request: RouteRequest): number {
    if (scorer && request.input !== undefined) return LEARNED;
    const tags = request.tags ?? NO_TAGS;
    const metadata = request.metadata;
    const inputTokens = request.inputTokens ?? (request.input !== undefined ? estimateTokens(request.input) : null);
    let best = defaultIndex;
    for (let t = 0; t < tags.length; t++) {
      const list = byTag.get(tags[t]!);
      if (list !== undefined) best = firstMatch(list, best, tags, metadata, inputTokens);
    }
    if (metadata) {
      for (let f = 0; f < fields.length; f++) {
        const value = metadata[fields[f]![0]];
        if (value === undefined || value === null) continue;
        const list = fields[f]![1].get(typeof value === 'string' ? value : String(value));
        if (list !== undefined) best = firstMatch(list, best, tags, metadata, inputTokens);
      }
    }
    return firstMatch(unindexed, best, tags, metadata, inputTokens);
  }

  function orderOf(index: number, request: RouteRequest): readonly string[] {
    if (index === LEARNED) return learnedOrders.get(scorer!.pick(request))!;
    const r = all[index]!;
    if (r.orders.length === 1) return r.orders[0]!;
    const u = request.key !== undefined ? stickyFraction(request.key) : random();
    let pick = 0;
    while (pick < r.cumulative.length - 1 && u >= r.cumulative[pick]!) pick++;
    return r.orders[pick]!;
  }

  return {
    route: (request) => orderOf(matchIndex(request), request),
    decide(request) {
      const index = matchIndex(request);
      const models = orderOf(index, request);
      if (index === LEARNED) return {models, rule: -1, ruleName: 'learned'};
      return {models, rule: index === defaultIndex ? -1 : index, ruleName: all[index]!.name};
    },
  };
}

const NO_TAGS: readonly string[] = Object.freeze([]);

function compileRoute(matches: CompiledCondition, name: string, route: readonly WeightedModel[], fallback: readonly string[]): CompiledRoute {
  const picks = routeOrders(route, fallback);
  const total = picks.reduce((s, p) => s + p.weight, 0) || 1;
  let running = 0;
  const cumulative = picks.map((p) => (running += p.weight / total));
  return {matches, name, cumulative, orders: picks.map((p) => p.order)};
}

export interface RoutePick {
  model: string;
  /** Share of the rule's traffic that picks this model first (unnormalised, as in the policy). */
  weight: number;
  /** Every model to try when this one is picked: it, the rest of the route heaviest first, then the fallbacks. */
  order: readonly string[];
}

/**
 * The orders createRouter serves for one route, one per possible weighted pick. Gateway exports build
 * their chains from this too, so a gateway walks the same models in the same order as route().
 */
export function routeOrders(route: readonly WeightedModel[], fallback: readonly string[]): RoutePick[] {
  const live = route.filter((w) => w.weight > 0);
  const picks = live.length > 0 ? live : route.slice(0, 1);
  // The rest of the route after the pick goes heaviest first: the model carrying most traffic is the best-known one.
  const byWeight = [...route].sort((a, b) => b.weight - a.weight).map((w) => w.model);
  return picks.map((p) => ({model: p.model, weight: p.weight, order: Object.freeze(dedupe([p.model, ...byWeight, ...fallback]))}));
}

function dedupe(labels: readonly string[]): string[] {
  return [...new Set(labels)];
}

/** FNV-1a over the key, mapped to [0, 1): stable across processes and versions, unlike Math.random. */
export function stickyFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // FNV's low bits mix poorly on short keys; a final avalanche (murmur3 fmix32) spreads them.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
