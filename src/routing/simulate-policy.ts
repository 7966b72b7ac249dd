import {percentile} from '../stats/percentile.ts';
import {averageImprovementInQuality, type CostQualityPoint} from './cost-quality-hull.ts';
import {type GapRecovered, gapRecovered} from './gap-recovered.ts';
import {modelLabels} from './outcome-matrix.ts';
import {pricedBy, type Served, replayPolicy} from './replay-policy.ts';
import type {CaseOutcomes, ModelOutcome, OutcomeSet, RoutingPolicy} from './policy-types.ts';

export interface SimulatedPerformance {
  /** Mean score over the cases served. */
  quality: number;
  /** Total known cost over the cases served; null when no cost is known. */
  costUsd: number | null;
  costUsdPer1k: number | null;
  p95LatencyMs: number | null;
  /** Cases served (with an outcome for the model that served them). */
  n: number;
}

export interface SimulationReport {
  n: number;
  policy: SimulatedPerformance & {
    /** Quality as a share of the best single model's on these cases. */
    relativeQuality: number;
    /** Cases whose first-choice model had no outcome and a fallback served them. */
    fallbacksUsed: number;
    /** Cases no model in the route or fallback had an outcome for (left out of the figures). */
    unserved: number;
    byRule: Record<string, SimulatedPerformance>;
    servedBy: Record<string, number>;
  };
  baselines: Record<string, SimulatedPerformance>;
  oracle: SimulatedPerformance;
  bestSingleModel: string;
  /** The policy's rule set at each operating point it carries, replayed here: the cost–quality curve. */
  curve: {relativeQualityTarget: number; quality: number; costUsdPer1k: number | null}[];
  /** The rules alone (what a gateway export serves), when the policy also has a learned router. */
  rulesOnly?: SimulatedPerformance;
  /** Area under the rules' curve's hull over the single models' cost range (RouterBench AIQ). */
  aiq: number | null;
  /** The same for the zero router: random mixes of single models, no per-request information. */
  zeroRouterAiq: number | null;
  /** The learned router's curve (its threshold μ swept) and AIQ, when the policy has one. */
  learnedCurve?: {muPerUsd: number; quality: number; costUsdPer1k: number | null}[];
  learnedAiq?: number | null;
  /**
   * RouteLLM's metrics between the cheapest model (weak) and the best single model (strong): APGR,
   * CPT(50%), CPT(80%) of the rules' curve and of the learned router's; random mixing has APGR 0.5.
   * Null when the best model is also the cheapest (nothing to trade).
   */
  gapRecovered: {rules: GapRecovered | null; learned?: GapRecovered | null; oracle: {cost: number; pgr: number} | null};
  warnings: string[];
}

/**
 * Replays recorded outcomes through a policy: each case is routed by its tags, metadata and input
 * size (sticky key = case id), served by the first model in the answer that has an outcome for it,
 * and scored with that outcome. Compared with every single model and the per-case oracle on the same cases.
 */
export function simulatePolicy(policy: RoutingPolicy, outcomes: OutcomeSet): SimulationReport {
  const warnings: string[] = [];
  const models = modelLabels(outcomes);
  const priced = pricedBy(policy, outcomes);
  const missing = [...new Set([...policy.rules.flatMap((r) => r.route.map((w) => w.model)), ...policy.default.route.map((w) => w.model)])].filter((m) => !models.includes(m));
  if (missing.length > 0) warnings.push(`the policy routes to ${missing.join(', ')}, which the sources have no outcomes for: their traffic falls back`);

  const replay = (p: RoutingPolicy) => replayPolicy(p, outcomes, priced);

  const main = replay(policy);
  const policyPerf = performanceOf(main.served);
  const byRule: Record<string, SimulatedPerformance> = {};
  for (const name of new Set(main.ruleOf)) byRule[name] = performanceOf(main.served.filter((_, i) => main.ruleOf[i] === name));
  const servedBy: Record<string, number> = {};
  for (const s of main.served) if (s) servedBy[s.model] = (servedBy[s.model] ?? 0) + 1;
  const unserved = main.served.filter((s) => s === null).length;
  if (unserved > 0) warnings.push(`${unserved} case(s) had no outcome for any model the policy names: left out`);

  const baselines: Record<string, SimulatedPerformance> = {};
  for (const label of models) {
    baselines[label] = performanceOf(outcomes.cases.map((c) => {
      const o = c.byModel[label];
      return o && o.score !== null ? {outcome: o, model: label, costUsd: priced(label, o)} : null;
    }));
  }
  const bestSingleModel = models.reduce((a, b) => (baselines[b]!.quality > baselines[a]!.quality ? b : a), models[0]!);
  const oracle = performanceOf(outcomes.cases.map((c) => oracleChoice(c, priced)));

  // Each stored operating point swaps the primary model of every rule (default last), keeping fallbacks.
  const curve: SimulationReport['curve'] = [];
  for (const point of policy.curve ?? []) {
    if (point.routes.length !== policy.rules.length + 1) continue;
    const {learned: _learned, ...rulesOnly} = policy;
    const variant: RoutingPolicy = {
      ...rulesOnly,
      rules: policy.rules.map((r, i) => ({...r, route: [{model: point.routes[i]!, weight: 1}]})),
      default: {...policy.default, route: [{model: point.routes[policy.rules.length]!, weight: 1}]},
    };
    const perf = performanceOf(replay(variant).served);
    curve.push({relativeQualityTarget: point.relativeQuality, quality: perf.quality, costUsdPer1k: perf.costUsdPer1k});
  }

  const singles: CostQualityPoint[] = Object.values(baselines).filter((b) => b.costUsdPer1k !== null && b.n > 0).map((b) => ({costUsdPer1k: b.costUsdPer1k!, quality: b.quality}));
  // With a learned router the policy as served is the learned one; the rules are measured on their own too.
  const rulesPerf = policy.learned ? performanceOf(replay((({learned: _l, ...rest}) => rest)(policy)).served) : policyPerf;
  const policyPoints: CostQualityPoint[] = curve.filter((p) => p.costUsdPer1k !== null).map((p) => ({costUsdPer1k: p.costUsdPer1k!, quality: p.quality}));
  if (rulesPerf.costUsdPer1k !== null) policyPoints.push({costUsdPer1k: rulesPerf.costUsdPer1k, quality: rulesPerf.quality});
  let aiq: number | null = null;
  let zeroRouterAiq: number | null = null;
  if (singles.length > 0 && policyPoints.length > 0) {
    const all = [...singles, ...policyPoints].map((p) => p.costUsdPer1k);
    const range = {lo: Math.min(...all), hi: Math.max(...all)};
    aiq = round4(averageImprovementInQuality(policyPoints, range));
    zeroRouterAiq = round4(averageImprovementInQuality(singles, range));
  }

  // The learned router's curve: its threshold swept around the chosen one (0 = the dearest choice everywhere it predicts a gain).
  let learnedCurve: SimulationReport['learnedCurve'];
  let learnedAiq: number | null | undefined;
  if (policy.learned) {
    const mu0 = policy.learned.muPerUsd;
    const mus = [0, ...Array.from({length: 41}, (_, k) => (mu0 > 0 ? mu0 : 1) * 2 ** ((k - 20) / 4)), Number.MAX_VALUE];
    learnedCurve = mus.map((mu) => {
      const perf = performanceOf(replay({...policy, learned: {...policy.learned!, muPerUsd: mu}}).served);
      return {muPerUsd: mu, quality: perf.quality, costUsdPer1k: perf.costUsdPer1k};
    });
    const pts = learnedCurve.filter((p) => p.costUsdPer1k !== null).map((p) => ({costUsdPer1k: p.costUsdPer1k!, quality: p.quality}));
    if (singles.length > 0 && pts.length > 0) {
      const all = [...singles, ...pts].map((p) => p.costUsdPer1k);
      learnedAiq = round4(averageImprovementInQuality(pts, {lo: Math.min(...all), hi: Math.max(...all)}));
    }
  }

  const strongPerf = baselines[bestSingleModel]!;
  const pricedSingles = Object.entries(baselines).filter(([, b]) => b.costUsdPer1k !== null && b.n > 0);
  const weakEntry = pricedSingles.length ? pricedSingles.reduce((a, b) => (b[1].costUsdPer1k! < a[1].costUsdPer1k! ? b : a)) : undefined;
  const gap = (pts: {quality: number; costUsdPer1k: number | null}[]) =>
    weakEntry && strongPerf.costUsdPer1k !== null
      ? gapRecovered(
          pts.filter((p) => p.costUsdPer1k !== null).map((p) => ({costUsdPer1k: p.costUsdPer1k!, quality: p.quality})),
          {model: bestSingleModel, costUsdPer1k: strongPerf.costUsdPer1k, quality: strongPerf.quality},
          {model: weakEntry[0], costUsdPer1k: weakEntry[1].costUsdPer1k!, quality: weakEntry[1].quality},
        )
      : null;
  const rulesGap = gap([...curve, rulesPerf]);
  const oracleGap =
    rulesGap && weakEntry && oracle.costUsdPer1k !== null
      ? {
          cost: round4((oracle.costUsdPer1k - weakEntry[1].costUsdPer1k!) / (strongPerf.costUsdPer1k! - weakEntry[1].costUsdPer1k!))!,
          pgr: round4((oracle.quality - weakEntry[1].quality) / (strongPerf.quality - weakEntry[1].quality))!,
        }
      : null;

  return {
    n: outcomes.cases.length,
    policy: {...policyPerf, relativeQuality: baselines[bestSingleModel]!.quality > 0 ? round4(policyPerf.quality / baselines[bestSingleModel]!.quality)! : 0, fallbacksUsed: main.fallbacksUsed, unserved, byRule, servedBy},
    baselines,
    oracle,
    bestSingleModel,
    curve,
    aiq,
    zeroRouterAiq,
    ...(learnedCurve ? {rulesOnly: rulesPerf, learnedCurve, learnedAiq: learnedAiq ?? null} : {}),
    gapRecovered: {rules: rulesGap, ...(learnedCurve ? {learned: gap(learnedCurve)} : {}), oracle: oracleGap},
    warnings,
  };
}

/** The per-case best model; among equals the cheapest, as RouterBench's oracle does. */
function oracleChoice(c: CaseOutcomes, priced: (label: string, o: ModelOutcome) => number | null): Served | null {
  let best: Served | null = null;
  for (const [label, o] of Object.entries(c.byModel)) {
    if (o.score === null) continue;
    const cost = priced(label, o);
    const better =
      !best || o.score > best.outcome.score! + 1e-12 || (Math.abs(o.score - best.outcome.score!) <= 1e-12 && (cost ?? Number.POSITIVE_INFINITY) < (best.costUsd ?? Number.POSITIVE_INFINITY));
    if (better) best = {outcome: o, model: label, costUsd: cost};
  }
  return best;
}

function performanceOf(served: readonly (Served | null)[]): SimulatedPerformance {
  let q = 0;
  let n = 0;
  let cost = 0;
  let costN = 0;
  const latencies: number[] = [];
  for (const s of served) {
    if (!s) continue;
    q += s.outcome.score!;
    n++;
    if (s.costUsd !== null) {
      cost += s.costUsd;
      costN++;
    }
    if (s.outcome.latencyMs !== null) latencies.push(s.outcome.latencyMs);
  }
  const p95 = percentile(latencies, 95);
  return {
    quality: n ? round4(q / n)! : 0,
    costUsd: costN ? Number(cost.toPrecision(6)) : null,
    costUsdPer1k: costN ? Number(((cost / costN) * 1000).toPrecision(6)) : null,
    p95LatencyMs: p95 === null ? null : Math.round(p95 * 10) / 10,
    n,
  };
}


const round4 = (x: number | null) => (x === null ? null : Math.round(x * 1e4) / 1e4);
