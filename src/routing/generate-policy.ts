import {InputError} from '../core/errors.ts';
import {caseMeanInterval} from '../stats/case-mean-interval.ts';
import {percentile} from '../stats/percentile.ts';
import {tMeanInterval} from '../stats/t-mean-interval.ts';
import {studentTQuantile} from '../stats/student-t.ts';
import {type CandidateEvidence, candidateEvidence} from './candidate-evidence.ts';
import {candidateSegments} from './candidate-segments.ts';
import {compileCondition, describeCondition} from './compile-condition.ts';
import {assignFolds, type CvPoint, crossValidateRoutes, muGrid, type SegmentTotals, segmentTotals} from './cross-validate-routes.ts';
import {stickyFraction} from './create-router.ts';
import {deriveResilience} from './derive-resilience.ts';
import {nestedEstimate} from './nested-estimate.ts';
import {buildOutcomeMatrix, type OutcomeMatrix} from './outcome-matrix.ts';
import type {CurvePoint, ExpectedPerformance, ModelInfo, Objective, OutcomeSet, PolicyRule, RoutingPolicy, RuleCondition, WeightedModel} from './policy-types.ts';

export interface GenerateOptions {
  /** Share of the best single model's quality to keep while minimising cost (default 0.95). */
  minQuality?: number;
  /** Budget per 1000 requests: maximise quality within it (takes over from minQuality). */
  maxCostUsdPer1k?: number;
  /** Models whose p95 latency on a segment exceeds this are not routed to there. */
  maxP95LatencyMs?: number;
  /** Send this share of every rule's traffic to a model under evaluation. */
  canary?: WeightedModel;
  folds?: number;
  seed?: number;
  /** A segment needs this many cases to get a rule of its own. */
  minCasesPerRule?: number;
  /** Stop adding rules at this many (default: no limit; for a short policy). */
  maxRules?: number;
  /** A rule must cut the cross-validated cost by this share (or raise quality by a tenth of it, absolute) to be kept (default 0). */
  minGain?: number;
  /**
   * One-sided confidence that a rule's own model beats the default's on its cases at the chosen
   * quality/cost exchange rate (default 0.9, i.e. a two-sided 80% interval; 0 turns the check off).
   */
  evidenceLevel?: number;
  /**
   * Split traffic between two neighbouring operating points (weights within rules) to land on the
   * target instead of overshooting it (default true). Any point between two configurations is
   * reachable by mixing them, which is why RouterBench compares routers by their hull.
   */
  mix?: boolean;
  /**
   * Estimate the policy by nested cross-validation, the whole selection redone in each outer fold
   * (default true). The nested folds themselves run with false: their plain cross-validated figures
   * are what the selection optimises.
   */
  nested?: boolean;
  now?: Date;
}

export interface RuleEvidence {
  name: string;
  when: RuleCondition | null;
  n: number;
  winner: string;
  candidates: CandidateEvidence[];
  why: string;
  expected: ExpectedPerformance;
}

/** What the first `rules` rules achieve together (cross-validated, at the objective): what each extra rule buys. */
export interface SelectionStep {
  rules: number;
  /** The rule added at this step (null for the default alone). */
  added: string | null;
  quality: number;
  costUsdPer1k: number | null;
  feasible: boolean;
}

export interface GeneratedPolicy {
  policy: RoutingPolicy;
  /** The policy's rules added one at a time, in order: out-of-sample quality and cost after each. */
  steps: SelectionStep[];
  /** Per rule (default last): every candidate's evidence and why the winner won. */
  evidence: RuleEvidence[];
  warnings: string[];
}

/** An operating point: `a` with probability alpha, else `b` (the same point when nothing is mixed). */
interface Choice {
  a: CvPoint;
  b: CvPoint;
  alpha: number;
  /** Cross-validated (out-of-sample) mean quality and cost per request of the mix. */
  quality: number;
  costUsd: number;
  feasible: boolean;
}

interface Evaluation {
  rules: RuleCondition[];
  segmentOf: Int32Array;
  S: number;
  totals: SegmentTotals;
  eligible: Uint8Array;
  points: CvPoint[];
  chosen: Choice;
}

const MIN_COVERAGE = 0.5;

/**
 * From measured outcomes to a routing policy: which segments deserve a rule, which model serves each,
 * and at what quality/cost trade-off. Every choice is made on cross-validated (out-of-sample)
 * figures, and those are what the policy reports as expected; in-sample figures are kept only for
 * contrast.
 */
export function generatePolicy(outcomes: OutcomeSet, opts: GenerateOptions = {}): GeneratedPolicy {
  const warnings = [...outcomes.warnings];
  const matrix = buildOutcomeMatrix(outcomes);
  warnings.push(...matrix.warnings);
  const N = matrix.cases.length;
  const M = matrix.models.length;
  if (M === 0) throw new InputError('no models in the sources', {field: '--from'});
  if (N < 4) throw new InputError(`only ${N} case(s): too few to validate a policy out of sample`, {field: '--from', hint: 'measure at least a few dozen cases'});
  if (opts.minQuality !== undefined && !(opts.minQuality > 0 && opts.minQuality <= 1)) throw new InputError(`min quality must be in (0, 1], got ${opts.minQuality}`, {field: '--min-quality'});
  if (opts.maxCostUsdPer1k !== undefined && !(opts.maxCostUsdPer1k >= 0)) throw new InputError(`max cost must be ≥ 0, got ${opts.maxCostUsdPer1k}`, {field: '--max-cost-usd'});
  if (opts.evidenceLevel !== undefined && !(opts.evidenceLevel >= 0 && opts.evidenceLevel < 1)) throw new InputError(`evidence level must be in [0, 1), got ${opts.evidenceLevel}`, {field: '--evidence', hint: 'e.g. 0.9 (a two-sided 80% interval), or 0 to turn the check off'});
  if (opts.maxRules !== undefined && !(opts.maxRules >= 0)) throw new InputError(`max rules must be ≥ 0, got ${opts.maxRules}`, {field: '--max-rules'});
  if (opts.canary && !(opts.canary.weight > 0 && opts.canary.weight < 1)) throw new InputError(`canary weight must be between 0 and 1, got ${opts.canary.weight}`, {field: '--canary'});
  if (!matrix.costKnown.some(Boolean)) warnings.push('no cost in any source: the policy can only choose by quality');

  const mode = opts.maxCostUsdPer1k !== undefined ? 'max-cost' : 'min-quality';
  const minQuality = opts.minQuality ?? 0.95;
  const K = Math.max(2, Math.min(opts.folds ?? 5, Math.floor(N / 2)));
  const seed = opts.seed ?? 1;
  const minCases = opts.minCasesPerRule ?? 5;
  const maxRules = opts.maxRules ?? Number.POSITIVE_INFINITY;
  const minGain = opts.minGain ?? 0;
  const evidenceLevel = opts.evidenceLevel ?? 0.9;
  const fold = assignFolds(matrix.cases.map((c) => c.caseId), K, seed);

  const single = singleModelStats(matrix);
  const best = single.reduce((a, b) => (b.quality > a.quality + 1e-12 || (Math.abs(b.quality - a.quality) <= 1e-12 && b.costUsd < a.costUsd) ? b : a));
  const target = minQuality * best.quality;
  const budgetUsd = opts.maxCostUsdPer1k !== undefined ? opts.maxCostUsdPer1k / 1000 : Number.POSITIVE_INFINITY;

  const mix = opts.mix ?? true;
  const isFeasible = (p: CvPoint) => (mode === 'min-quality' ? p.quality >= target - 1e-12 : p.costUsd <= budgetUsd + 1e-15);
  const pure = (p: CvPoint, feasible: boolean): Choice => ({a: p, b: p, alpha: 1, quality: p.quality, costUsd: p.costUsd, feasible});
  function choose(points: CvPoint[]): Choice {
    const feasible = points.filter(isFeasible);
    if (feasible.length === 0) {
      // Nothing meets the constraint: get as close as the data allows.
      return pure(mode === 'min-quality' ? maxBy(points, (p) => p.quality, (p) => -p.costUsd) : maxBy(points, (p) => -p.costUsd, (p) => p.quality), false);
    }
    const bestPure = pure(mode === 'min-quality' ? maxBy(feasible, (p) => -p.costUsd, (p) => p.quality) : maxBy(feasible, (p) => p.quality, (p) => -p.costUsd), true);
    if (!mix) return bestPure;
    // Neighbouring operating points of the μ sweep differ only in the segment(s) whose choice flips
    // there, so mixing two of them splits that one marginal segment and leaves every other rule pure:
    // the optimum of the relaxed problem (a fractional knapsack over segments), not a global blend.
    // Each configuration holds over an interval of μ. Near its ends the training folds flip at slightly
    // different μ than the full data does, so its representative is the grid point where the most
    // folds agree with it (then the one nearest the middle of the interval).
    const reps: CvPoint[] = [];
    for (let k = 0; k < points.length; ) {
      let end = k;
      while (end + 1 < points.length && sameRoutes(points[end + 1]!.fullRoutes, points[k]!.fullRoutes)) end++;
      const middle = (k + end) / 2;
      let rep = k;
      let repAgree = -1;
      for (let j = k; j <= end; j++) {
        const agree = points[j]!.foldRoutes.filter((r) => sameRoutes(r, points[j]!.fullRoutes)).length;
        if (agree > repAgree || (agree === repAgree && Math.abs(j - middle) < Math.abs(rep - middle))) {
          rep = j;
          repAgree = agree;
        }
      }
      reps.push(points[rep]!);
      k = end + 1;
    }
    let bestChoice = bestPure;
    for (let k = 1; k < reps.length; k++) {
      const p = reps[k - 1]!;
      const q = reps[k]!;
      const [hi, lo] = p.quality > q.quality || (p.quality === q.quality && p.costUsd > q.costUsd) ? [p, q] : [q, p];
      const alpha = mode === 'min-quality' ? (target - lo.quality) / (hi.quality - lo.quality) : (budgetUsd - lo.costUsd) / (hi.costUsd - lo.costUsd);
      if (!(alpha > 0 && alpha < 1)) continue;
      const quality = alpha * hi.quality + (1 - alpha) * lo.quality;
      const costUsd = alpha * hi.costUsd + (1 - alpha) * lo.costUsd;
      const gain = mode === 'min-quality' ? costUsd < bestChoice.costUsd - 1e-15 : quality > bestChoice.quality + 1e-12;
      if (gain) bestChoice = {a: hi, b: lo, alpha, quality, costUsd, feasible: true};
    }
    return bestChoice;
  }

  const masks = new Map<RuleCondition, Uint8Array>();
  const maskOf = (when: RuleCondition) => {
    let mask = masks.get(when);
    if (!mask) {
      const holds = compileCondition(when);
      mask = Uint8Array.from(matrix.cases, (c) => (holds(c.tags, c.metadata, c.inputTokens) ? 1 : 0));
      masks.set(when, mask);
    }
    return mask;
  };
  function segmentsFor(rules: readonly RuleCondition[]): Int32Array {
    const segmentOf = new Int32Array(N).fill(rules.length);
    for (let r = rules.length - 1; r >= 0; r--) {
      const mask = maskOf(rules[r]!);
      for (let i = 0; i < N; i++) if (mask[i]) segmentOf[i] = r;
    }
    return segmentOf;
  }
  function evaluate(rules: RuleCondition[]): Evaluation {
    const S = rules.length + 1;
    const segmentOf = segmentsFor(rules);
    const totals = segmentTotals(matrix, segmentOf, S, fold, K);
    const eligible = latencyEligibility(matrix, segmentOf, S, opts.maxP95LatencyMs);
    const fit = {eligible, minCoverage: MIN_COVERAGE};
    const points = crossValidateRoutes(totals, muGrid(totals, fit), fit);
    return {rules, segmentOf, S, totals, eligible, points, chosen: choose(points)};
  }
  /** a clearly better than b: feasibility first, then cost (min-quality) or quality (max-cost) by more than the margin. */
  function better(a: Evaluation, b: Evaluation, margin: number): boolean {
    if (a.chosen.feasible !== b.chosen.feasible) return a.chosen.feasible;
    const qualityGain = a.chosen.quality - b.chosen.quality;
    if (!a.chosen.feasible) return mode === 'min-quality' ? qualityGain > margin / 10 + 1e-12 : a.chosen.costUsd < b.chosen.costUsd * (1 - margin) - 1e-15;
    return mode === 'min-quality' ? a.chosen.costUsd < b.chosen.costUsd * (1 - margin) - 1e-15 : qualityGain > margin / 10 + 1e-12;
  }
  /**
   * Whether rule r's own choice is supported by its cases: at the exchange rate μ of the chosen
   * operating point, serving them by the rule's model rather than the default's must be better with
   * the confidence asked for (a one-sided t bound on the paired per-case difference of
   * quality − μ·cost). A segment where the two are within noise stays with the default.
   */
  function supported(ev: Evaluation, r: number): boolean {
    if (evidenceLevel <= 0) return true;
    const S = ev.S;
    for (const p of [ev.chosen.a, ev.chosen.b]) {
      const mr = p.fullRoutes[r]!;
      const md = p.fullRoutes[S - 1]!;
      if (mr === md) continue;
      const mu = p.mu;
      const d: number[] = [];
      for (let i = 0; i < N; i++) {
        if (ev.segmentOf[i] !== r) continue;
        const qa = matrix.score[i * M + mr]!;
        const qb = matrix.score[i * M + md]!;
        if (Number.isNaN(qa) || Number.isNaN(qb)) continue;
        const dc = matrix.costUsd[i * M + mr]! - matrix.costUsd[i * M + md]!;
        d.push(mu === Number.POSITIVE_INFINITY ? -dc : qa - qb - mu * dc);
      }
      if (d.length < 2) return false;
      const mean = d.reduce((x, y) => x + y, 0) / d.length;
      const sd = Math.sqrt(d.reduce((x, y) => x + (y - mean) ** 2, 0) / (d.length - 1));
      const low = mean - studentTQuantile(evidenceLevel, d.length - 1) * (sd / Math.sqrt(d.length));
      if (low > 0 || (sd === 0 && mean > 0)) return true;
    }
    return false;
  }

  // Forward selection: add the segment that most improves the cross-validated objective, while one
  // does and its own choice is supported by its cases. No cap on the number of rules and no minimum
  // gain by default: many small segments that each save a little add up.
  const candidates = candidateSegments(matrix.cases, minCases);
  let current = evaluate([]);
  const tried = new Set<RuleCondition>();
  while (current.rules.length < maxRules) {
    let bestNext: Evaluation | undefined;
    for (const cand of candidates) {
      if (current.rules.includes(cand) || tried.has(cand)) continue;
      const mask = maskOf(cand);
      let fresh = 0;
      for (let i = 0; i < N; i++) if (mask[i] && current.segmentOf[i] === current.rules.length) fresh++;
      if (fresh < minCases) {
        tried.add(cand);
        continue;
      }
      const next = evaluate([...current.rules, cand]);
      if (better(next, current, minGain) && (!bestNext || better(next, bestNext, 0)) && supported(next, next.rules.length - 1)) bestNext = next;
    }
    if (!bestNext) break;
    current = bestNext;
  }
  // Backward elimination: a rule whose removal does not make the objective worse merges into the
  // default (rules that end up routing like the default buy nothing and only lengthen the policy).
  for (let r = current.rules.length - 1; r >= 0; r--) {
    const without = evaluate(current.rules.filter((_, j) => j !== r));
    if (!better(current, without, minGain / 2)) current = without;
  }
  if (!current.chosen.feasible) {
    warnings.push(
      mode === 'min-quality'
        ? `no policy keeps ${(minQuality * 100).toFixed(1)}% of ${best.model}'s quality out of sample; using the best reachable (${((current.chosen.quality / best.quality) * 100).toFixed(1)}%)`
        : `no policy fits $${opts.maxCostUsdPer1k} per 1k requests out of sample; using the cheapest (${fmtUsd(current.chosen.costUsd * 1000)} per 1k)`,
    );
  }
  const anyCost = matrix.costKnown.some(Boolean);
  const steps: SelectionStep[] = [];
  for (let r = 0; r <= current.rules.length; r++) {
    const prefix = r === current.rules.length ? current : evaluate(current.rules.slice(0, r));
    steps.push({
      rules: r,
      added: r === 0 ? null : describeCondition(current.rules[r - 1]!),
      quality: round(prefix.chosen.quality, 4),
      costUsdPer1k: anyCost ? sig(prefix.chosen.costUsd * 1000) : null,
      feasible: prefix.chosen.feasible,
    });
  }
  const built = buildPolicy(outcomes, matrix, current, fold, {opts, mode, minQuality, best, single, K, seed, warnings});
  if (opts.nested !== false) withNestedEstimate(built.policy, outcomes, opts, {K, seed, target: mode === 'min-quality' ? target : null, warnings});
  return {...built, steps};
}

/**
 * Replaces the policy's plain cross-validated estimate (which the selection optimised, so it meets the
 * target by construction) with the nested one and its intervals; the plain figure stays for contrast.
 */
function withNestedEstimate(policy: RoutingPolicy, outcomes: OutcomeSet, opts: GenerateOptions, ctx: {K: number; seed: number; target: number | null; warnings: string[]}): void {
  const plain = policy.expected!;
  const nested = nestedEstimate(outcomes, ctx.K, ctx.seed, (training) => generatePolicy(training, {...opts, nested: false}).policy);
  if (!nested) return;
  const relative = (q: number) => `${((q / plain.bestSingleQuality) * 100).toFixed(1)}%`;
  policy.expected = {
    ...plain,
    // Nested: the whole selection is redone in each outer fold (docs/statistics.md, "Routing estimates").
    method: `nested ${ctx.K}-fold cross-validation`,
    n: nested.n,
    quality: round(nested.quality, 4),
    qualityCi95: [round(nested.qualityCi95[0], 4), round(nested.qualityCi95[1], 4)],
    costUsdPer1k: nested.costUsdPer1k === null ? null : sig(nested.costUsdPer1k),
    costUsdPer1kCi95: nested.costUsdPer1kCi95 && [sig(nested.costUsdPer1kCi95[0]), sig(nested.costUsdPer1kCi95[1])],
    selectionQuality: plain.quality,
    selectionCostUsdPer1k: plain.costUsdPer1k,
  };
  if (ctx.target !== null && nested.quality < ctx.target - 1e-9 && plain.bestSingleQuality > 0) {
    const [lo, hi] = nested.qualityCi95;
    ctx.warnings.push(`out of sample the policy keeps ${relative(nested.quality)} of ${plain.bestSingleModel}'s quality (95% interval ${relative(lo)}–${relative(hi)}), under the ${relative(ctx.target)} asked`);
  }
}

interface SingleStats {
  model: string;
  index: number;
  quality: number;
  costUsd: number;
}

function singleModelStats(matrix: OutcomeMatrix): SingleStats[] {
  const M = matrix.models.length;
  const N = matrix.cases.length;
  const out = matrix.models.map((model, m) => {
    let q = 0;
    let qN = 0;
    let c = 0;
    let cN = 0;
    for (let i = 0; i < N; i++) {
      const s = matrix.score[i * M + m]!;
      if (!Number.isNaN(s)) {
        q += s;
        qN++;
      }
      const cost = matrix.costUsd[i * M + m]!;
      if (!Number.isNaN(cost)) {
        c += cost;
        cN++;
      }
    }
    return {model, index: m, quality: qN ? q / qN : 0, costUsd: cN ? c / cN : 0, coverage: qN / N};
  });
  // A model measured on a sliver of the cases cannot be "the best single model" for all of them.
  const covered = out.filter((s) => s.coverage >= MIN_COVERAGE);
  return covered.length > 0 ? covered : out;
}

function latencyEligibility(matrix: OutcomeMatrix, segmentOf: Int32Array, S: number, maxP95LatencyMs: number | undefined): Uint8Array {
  const M = matrix.models.length;
  const eligible = new Uint8Array(S * M).fill(1);
  if (maxP95LatencyMs === undefined) return eligible;
  for (let s = 0; s < S; s++) {
    let any = false;
    for (let m = 0; m < M; m++) {
      const latencies: number[] = [];
      for (let i = 0; i < segmentOf.length; i++) if (segmentOf[i] === s && !Number.isNaN(matrix.latencyMs[i * M + m]!)) latencies.push(matrix.latencyMs[i * M + m]!);
      const p95 = percentile(latencies, 95);
      // Unknown latency is not evidence of slowness: such a model stays eligible.
      eligible[s * M + m] = p95 === null || p95 <= maxP95LatencyMs ? 1 : 0;
      any ||= eligible[s * M + m] === 1;
    }
    if (!any) for (let m = 0; m < M; m++) eligible[s * M + m] = 1;
  }
  return eligible;
}

function sameRoutes(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function maxBy<T>(items: readonly T[], key: (t: T) => number, tieBreak: (t: T) => number): T {
  let best: T = items[0]!;
  for (const item of items.slice(1)) {
    const d = key(item) - key(best);
    if (d > 1e-12 || (Math.abs(d) <= 1e-12 && tieBreak(item) > tieBreak(best))) best = item;
  }
  return best;
}

const fmtUsd = (usd: number) => `$${usd < 0.01 ? usd.toPrecision(2) : usd.toFixed(2)}`;

interface BuildContext {
  opts: GenerateOptions;
  mode: 'min-quality' | 'max-cost';
  minQuality: number;
  best: SingleStats;
  single: SingleStats[];
  K: number;
  seed: number;
  warnings: string[];
}

function buildPolicy(outcomes: OutcomeSet, matrix: OutcomeMatrix, ev: Evaluation, fold: Int32Array, ctx: BuildContext): Omit<GeneratedPolicy, 'steps'> {
  const M = matrix.models.length;
  const N = matrix.cases.length;
  const {S, segmentOf, chosen} = ev;
  const {a, b, alpha} = chosen;
  const anyCost = matrix.costKnown.some(Boolean);
  const models = matrix.models;

  const segMean = (s: number, m: number, arr: Float64Array) => {
    let sum = 0;
    let k = 0;
    for (let i = 0; i < N; i++) {
      if (segmentOf[i] !== s || Number.isNaN(arr[i * M + m]!)) continue;
      sum += arr[i * M + m]!;
      k++;
    }
    return k ? sum / k : 0;
  };
  const valueOf = (i: number, m: number, arr: Float64Array) => (Number.isNaN(arr[i * M + m]!) ? segMean(segmentOf[i]!, m, arr) : arr[i * M + m]!);
  // Per case: quality and cost are the mix's expectation; latency is the model the sticky split would pick.
  const predicted = (routeA: (i: number) => number, routeB: (i: number) => number) => {
    const q = new Float64Array(N);
    const c = new Float64Array(N);
    const l = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const ma = routeA(i);
      const mb = routeB(i);
      q[i] = alpha * valueOf(i, ma, matrix.score) + (1 - alpha) * valueOf(i, mb, matrix.score);
      c[i] = alpha * valueOf(i, ma, matrix.costUsd) + (1 - alpha) * valueOf(i, mb, matrix.costUsd);
      l[i] = matrix.latencyMs[i * M + (stickyFraction(matrix.cases[i]!.caseId) < alpha ? ma : mb)]!;
    }
    return {q, c, l};
  };
  // Out of sample: each case served by what its fold's training part chose.
  const oos = predicted((i) => a.foldRoutes[fold[i]!]![segmentOf[i]!]!, (i) => b.foldRoutes[fold[i]!]![segmentOf[i]!]!);
  const ins = predicted((i) => a.fullRoutes[segmentOf[i]!]!, (i) => b.fullRoutes[segmentOf[i]!]!);
  const summarise = (p: {q: Float64Array; c: Float64Array; l: Float64Array}, include: (i: number) => boolean): ExpectedPerformance => {
    const qs: number[] = [];
    const cs: number[] = [];
    const lat: number[] = [];
    for (let i = 0; i < N; i++) {
      if (!include(i)) continue;
      qs.push(p.q[i]!);
      cs.push(p.c[i]!);
      if (!Number.isNaN(p.l[i]!)) lat.push(p.l[i]!);
    }
    const n = qs.length;
    const q = qs.reduce((a, b) => a + b, 0);
    const c = cs.reduce((a, b) => a + b, 0);
    const qualityCi = caseMeanInterval(qs);
    const costCi = anyCost ? tMeanInterval(cs, 0) : null;
    return {
      quality: round(n ? q / n : 0, 4),
      costUsdPer1k: anyCost && n ? sig((c / n) * 1000) : null,
      p95LatencyMs: roundOrNull(percentile(lat, 95), 1),
      n,
      ...(qualityCi && {qualityCi95: [round(qualityCi.ciLow, 4), round(qualityCi.ciHigh, 4)] as [number, number]}),
      ...(anyCost && n > 0 && {costUsdPer1kCi95: costCi && ([sig(costCi.ciLow * 1000), sig(costCi.ciHigh * 1000)] as [number, number])}),
    };
  };

  const evidence: RuleEvidence[] = [];
  const routes: {route: WeightedModel[]; fallback: string[]; expected: ExpectedPerformance; rationale: string}[] = [];
  for (let s = 0; s < S; s++) {
    const ma = a.fullRoutes[s]!;
    const mb = b.fullRoutes[s]!;
    const split: WeightedModel[] = ma === mb ? [{model: models[ma]!, weight: 1}] : [{model: models[ma]!, weight: round(alpha, 3)}, {model: models[mb]!, weight: round(1 - round(alpha, 3), 3)}];
    split.sort((x, y) => y.weight - x.weight);
    const winner = models.indexOf(split[0]!.model);
    const indices: number[] = [];
    for (let i = 0; i < N; i++) if (segmentOf[i] === s) indices.push(i);
    const candidates = candidateEvidence(matrix, indices, winner);
    const expected = summarise(oos, (i) => segmentOf[i] === s);
    const segment = s === S - 1 ? null : describeCondition(ev.rules[s]!);
    let why = explainWinner(candidates, winner, indices.length, segment, anyCost);
    if (split.length > 1) {
      const first = Math.round(split[0]!.weight * 100);
      why = `split ${first}% ${split[0]!.model} / ${100 - first}% ${split[1]!.model} on ${indices.length} ${segment ? `cases with ${segment}` : 'remaining cases'}: mixing two operating points lands on the target instead of overshooting it (${why})`;
    }
    evidence.push({name: segment ?? 'default', when: s === S - 1 ? null : ev.rules[s]!, n: indices.length, winner: models[winner]!, candidates, why, expected});
    const primaries = new Set(split.map((w) => w.model));
    routes.push({
      route: withCanary(split, ctx.opts.canary),
      fallback: fallbackOrder(candidates, (c) => primaries.has(c.model) || c.model === ctx.opts.canary?.model),
      expected,
      rationale: why,
    });
  }

  const rules: PolicyRule[] = ev.rules.map((when, r) => ({name: describeCondition(when), when, ...routes[r]!}));
  const overall = summarise(oos, () => true);
  const inSample = summarise(ins, () => true);

  // The cost–quality curve of this rule set: every distinct operating point the μ sweep reached.
  const curve: CurvePoint[] = [];
  const seen = new Set<string>();
  for (const p of ev.points) {
    const labels = [...p.fullRoutes].map((m) => models[m]!);
    const key = labels.join('\u0000');
    if (seen.has(key)) continue;
    seen.add(key);
    curve.push({relativeQuality: round(p.quality / ctx.best.quality, 4), routes: labels});
  }
  curve.sort((x, y) => x.relativeQuality - y.relativeQuality);

  const policyModels: Record<string, ModelInfo> = {};
  for (const label of models) policyModels[label] = {...outcomes.models[label]};
  if (ctx.opts.canary && !(ctx.opts.canary.model in policyModels)) {
    policyModels[ctx.opts.canary.model] = {canary: true};
    ctx.warnings.push(`canary ${ctx.opts.canary.model} has no measurements in the sources: its share of traffic is unvalidated`);
  }

  const objective: Objective =
    ctx.mode === 'min-quality' ? {minQuality: ctx.minQuality, relativeTo: 'best-single-model'} : {maxCostUsdPer1k: ctx.opts.maxCostUsdPer1k!};
  if (ctx.opts.maxP95LatencyMs !== undefined) objective.maxP95LatencyMs = ctx.opts.maxP95LatencyMs;

  const policy: RoutingPolicy = {
    version: 1,
    generatedAt: (ctx.opts.now ?? new Date()).toISOString(),
    sources: outcomes.sources,
    objective,
    models: policyModels,
    rules,
    default: routes[S - 1]!,
    resilience: deriveResilience(outcomes.errorStats),
    ...(ctx.opts.canary ? {canary: ctx.opts.canary} : {}),
    expected: {
      method: `${ctx.K}-fold cross-validation`,
      folds: ctx.K,
      seed: ctx.seed,
      n: N,
      quality: overall.quality,
      costUsdPer1k: overall.costUsdPer1k,
      p95LatencyMs: overall.p95LatencyMs,
      bestSingleModel: ctx.best.model,
      bestSingleQuality: round(ctx.best.quality, 4),
      bestSingleCostUsdPer1k: anyCost ? sig(ctx.best.costUsd * 1000) : null,
      inSampleQuality: inSample.quality,
      inSampleCostUsdPer1k: inSample.costUsdPer1k,
      ...(overall.qualityCi95 && {qualityCi95: overall.qualityCi95}),
      ...(overall.costUsdPer1kCi95 !== undefined && {costUsdPer1kCi95: overall.costUsdPer1kCi95}),
    },
    curve,
  };
  return {policy, evidence, warnings: ctx.warnings};
}

/** The canary takes its share off every model of the route, proportionally (adding to its own share if it is already there). */
function withCanary(split: WeightedModel[], canary: WeightedModel | undefined): WeightedModel[] {
  if (!canary) return split;
  const scaled = split.map((w) => ({model: w.model, weight: w.weight * (1 - canary.weight)}));
  const own = scaled.find((w) => w.model === canary.model);
  if (own) own.weight += canary.weight;
  else scaled.push({model: canary.model, weight: canary.weight});
  return scaled.map((w) => ({model: w.model, weight: round(w.weight, 4)})).sort((a, b) => b.weight - a.weight);
}

/**
 * Fallbacks: models that rarely error first (a fallback exists for when things fail), then the
 * better ones on this segment, then the faster ones.
 */
function fallbackOrder(candidates: readonly CandidateEvidence[], inRoute: (c: CandidateEvidence) => boolean): string[] {
  const rates = candidates.map((c) => c.errorRate ?? 0);
  const flaky = Math.max(0.05, 2 * Math.min(...rates));
  return candidates
    .filter((c) => !inRoute(c) && c.n > 0)
    .sort(
      (a, b) =>
        Number((a.errorRate ?? 0) > flaky) - Number((b.errorRate ?? 0) > flaky) ||
        (b.quality ?? 0) - (a.quality ?? 0) ||
        (a.p95LatencyMs ?? Number.POSITIVE_INFINITY) - (b.p95LatencyMs ?? Number.POSITIVE_INFINITY),
    )
    .map((c) => c.model);
}

function explainWinner(candidates: readonly CandidateEvidence[], winner: number, n: number, segment: string | null, anyCost: boolean): string {
  const w = candidates[winner]!;
  const others = candidates.filter((c, m) => m !== winner && c.quality !== null);
  const where = segment ? `${n} cases with ${segment}` : `${n} remaining cases`;
  if (others.length === 0) return `only measured model on ${where}`;
  const bestOther = others.reduce((a, b) => ((b.quality ?? 0) > (a.quality ?? 0) ? b : a));
  const pts = (x: number) => `${(Math.abs(x) * 100).toFixed(1)} points`;
  const gap = (bestOther.quality ?? 0) - (w.quality ?? 0);
  const costRatio = w.costUsdPer1k && bestOther.costUsdPer1k ? bestOther.costUsdPer1k / w.costUsdPer1k : null;
  const significant = bestOther.vsWinner && (bestOther.vsWinner.ciLow > 0 || bestOther.vsWinner.ciHigh < 0);
  if (gap <= 0) {
    const cheaper = others.filter((c) => anyCost && c.costUsdPer1k !== null && w.costUsdPer1k !== null && c.costUsdPer1k < w.costUsdPer1k);
    if (cheaper.length === 0) return `best quality and cheapest on ${where} (${pts(gap)} ahead of ${bestOther.model})`;
    const cheapest = cheaper.reduce((a, b) => (b.costUsdPer1k! < a.costUsdPer1k! ? b : a));
    return `best quality on ${where}: ${pts((w.quality ?? 0) - (cheapest.quality ?? 0))} above the cheaper ${cheapest.model}, worth its ${(w.costUsdPer1k! / cheapest.costUsdPer1k!).toFixed(1)}× cost at this target`;
  }
  const ratio = costRatio ? `${costRatio.toFixed(1)}× cheaper than` : 'cheaper than';
  return `${ratio} ${bestOther.model} on ${where}, ${pts(gap)} behind it${significant ? '' : ' (within noise)'}: the saving outweighs the loss at this target`;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));
/** Six significant digits: costs per request span 1e-7..1 USD, so fixed decimals would zero the cheap ones. */
const sig = (x: number) => Number(x.toPrecision(6));
const roundOrNull = (x: number | null, digits: number) => (x === null ? null : round(x, digits));
