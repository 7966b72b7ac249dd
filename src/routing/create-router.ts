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

  function decideIndex(request: RouteRequest): [number, readonly string[]] {
    if (scorer && request.input !== undefined) return [LEARNED, learnedOrders.get(scorer.pick(request))!];
    const tags = request.tags ?? [];
    const inputTokens = request.inputTokens ?? (request.input !== undefined ? estimateTokens(request.input) : null);
    let index = all.length - 1;
    for (let i = 0; i < compiled.length; i++) {
      if (compiled[i]!.matches(tags, request.metadata, inputTokens)) {
        index = i;
        break;
      }
    }
    const r = all[index]!;
    if (r.orders.length === 1) return [index, r.orders[0]!];
    const u = request.key !== undefined ? stickyFraction(request.key) : random();
    let pick = 0;
    while (pick < r.cumulative.length - 1 && u >= r.cumulative[pick]!) pick++;
    return [index, r.orders[pick]!];
  }

  return {
    route: (request) => decideIndex(request)[1],
    decide(request) {
      const [index, models] = decideIndex(request);
      if (index === LEARNED) return {models, rule: -1, ruleName: 'learned'};
      return {models, rule: index === all.length - 1 ? -1 : index, ruleName: all[index]!.name};
    },
  };
}

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
