import {InputError} from '../core/errors.ts';
import {assignFolds} from './cross-validate-routes.ts';
import {compileScorer, encodeWeights, pickIndex} from './learned-scorer.ts';
import {buildOutcomeMatrix} from './outcome-matrix.ts';
import {DEFAULT_FEATURES, type FeatureConfig, Featuriser, type SparseVector} from './prompt-features.ts';
import type {LearnedRouter, OutcomeSet} from './policy-types.ts';

export interface LearnOptions {
  /** Share of the best single model's quality to keep while minimising cost (default 0.95). */
  minQuality?: number;
  /** Budget per 1000 requests: maximise quality within it (takes over from minQuality). */
  maxCostUsdPer1k?: number;
  folds?: number;
  seed?: number;
  features?: Partial<FeatureConfig>;
  /** Ridge penalties to choose from by cross-validated squared error. */
  lambdas?: number[];
}

export interface LearnResult {
  learned: LearnedRouter;
  warnings: string[];
}

const DEFAULT_LAMBDAS = [3, 10, 30, 100];
const CG_ITERATIONS = 40;
/** Raises of the target (share of the best model's quality; of the budget in max-cost mode) tried until the nested estimate meets it. */
const MARGINS = [0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03];

/** Rows of hashed features (CSR) for the cases. */
interface Design {
  rows: SparseVector[];
  dim: number;
}

/**
 * Ridge regression of y on sparse x, intercept unpenalised (the target's mean): conjugate gradient
 * on (XᵀX + λI)w = Xᵀ(y − ȳ). Deterministic, no dependency, a few ms for a thousand prompts.
 */
function ridge(design: Design, idx: readonly number[], y: Float64Array, lambda: number): {intercept: number; w: Float64Array} {
  const {rows, dim} = design;
  let mean = 0;
  for (const i of idx) mean += y[i]!;
  mean /= Math.max(1, idx.length);
  const w = new Float64Array(dim);
  const xtv = (v: Float64Array, out: Float64Array) => {
    out.fill(0);
    idx.forEach((i, k) => {
      const x = rows[i]!;
      for (let j = 0; j < x.index.length; j++) out[x.index[j]!]! += x.value[j]! * v[k]!;
    });
  };
  const apply = (p: Float64Array, out: Float64Array) => {
    const xp = new Float64Array(idx.length);
    idx.forEach((i, k) => {
      const x = rows[i]!;
      let s = 0;
      for (let j = 0; j < x.index.length; j++) s += x.value[j]! * p[x.index[j]!]!;
      xp[k] = s;
    });
    xtv(xp, out);
    for (let d = 0; d < dim; d++) out[d]! += lambda * p[d]!;
  };
  const r = new Float64Array(dim);
  xtv(Float64Array.from(idx, (i) => y[i]! - mean), r);
  const p = Float64Array.from(r);
  const ap = new Float64Array(dim);
  let rr = 0;
  for (let d = 0; d < dim; d++) rr += r[d]! * r[d]!;
  const stop = rr * 1e-10;
  for (let it = 0; it < CG_ITERATIONS && rr > stop; it++) {
    apply(p, ap);
    let pap = 0;
    for (let d = 0; d < dim; d++) pap += p[d]! * ap[d]!;
    const a = rr / pap;
    let next = 0;
    for (let d = 0; d < dim; d++) {
      w[d]! += a * p[d]!;
      r[d]! -= a * ap[d]!;
      next += r[d]! * r[d]!;
    }
    const beta = next / rr;
    for (let d = 0; d < dim; d++) p[d] = r[d]! + beta * p[d]!;
    rr = next;
  }
  return {intercept: mean, w};
}

const predict = (x: SparseVector, fit: {intercept: number; w: Float64Array | Float32Array}) => {
  let s = fit.intercept;
  for (let j = 0; j < x.index.length; j++) s += x.value[j]! * fit.w[x.index[j]!]!;
  return s;
};

/**
 * A learned per-request router: per costlier model, a ridge regression of its quality gain over the
 * cheapest model on hashed prompt features; the decision threshold μ (quality points a dollar per
 * request is worth) is chosen on out-of-fold predictions to meet the objective, and the reported
 * estimate is nested: inside every outer training part the penalty's fits and the threshold are
 * redone, and only the held-out fold scores it.
 */
export function learnRouter(outcomes: OutcomeSet, opts: LearnOptions = {}): LearnResult {
  const warnings: string[] = [];
  const matrix = buildOutcomeMatrix(outcomes);
  const N = matrix.cases.length;
  const M = matrix.models.length;
  if (M < 2) throw new InputError('--learn needs outcomes of at least two models', {field: '--from'});
  if (N < 20) throw new InputError(`only ${N} case(s): too few to learn a per-request router`, {field: '--from', hint: 'measure at least a few hundred cases with their prompts'});
  const minQuality = opts.minQuality ?? 0.95;
  const budgetUsd = opts.maxCostUsdPer1k !== undefined ? opts.maxCostUsdPer1k / 1000 : undefined;
  const K = Math.max(2, Math.min(opts.folds ?? 5, Math.floor(N / 10)));
  const seed = opts.seed ?? 1;
  const features: FeatureConfig = {...DEFAULT_FEATURES, ...opts.features};
  const withPrompt = matrix.cases.filter((c) => c.prompt !== undefined && c.prompt !== '').length;
  if (withPrompt === 0) warnings.push('no case has its prompt (results.jsonl input, outcomes CSV prompt column): the learned router sees only tags, metadata and size');
  else if (withPrompt < N) warnings.push(`${N - withPrompt} of ${N} cases have no prompt: they are learned from tags, metadata and size only`);

  const featuriser = new Featuriser(features);
  const design: Design = {rows: matrix.cases.map((c) => featuriser.featurise({input: c.prompt, tags: c.tags, metadata: c.metadata, inputTokens: c.inputTokens})), dim: features.dim};

  // Per model: mean quality and cost; the base is the cheapest, every other model predicts its gain over it.
  const meanOf = (arr: Float64Array, m: number, idx: readonly number[]) => {
    let s = 0;
    let n = 0;
    for (const i of idx) if (!Number.isNaN(arr[i * M + m]!)) (s += arr[i * M + m]!), n++;
    return n ? s / n : Number.NaN;
  };
  const all = Array.from({length: N}, (_, i) => i);
  const meanCost = matrix.models.map((_, m) => meanOf(matrix.costUsd, m, all));
  const meanQuality = matrix.models.map((_, m) => meanOf(matrix.score, m, all));
  const base = meanCost.reduce((b, c, m) => (c < meanCost[b]! ? m : b), 0);
  const others = matrix.models.map((_, m) => m).filter((m) => m !== base);
  const best = meanQuality.reduce((b, q, m) => (q > meanQuality[b]! ? m : b), 0);
  const target = minQuality * meanQuality[best]!;
  const gainTarget = others.map((m) => Float64Array.from(all, (i) => matrix.score[i * M + m]! - matrix.score[i * M + base]!));
  const usable = (m: number, idx: readonly number[]) => idx.filter((i) => !Number.isNaN(gainTarget[m]![i]!));

  const fitAll = (idx: readonly number[], lambda: number) => others.map((_, k) => ridge(design, usable(k, idx), gainTarget[k]!, lambda));
  const deltasOn = (idx: readonly number[]) => others.map((m) => meanOf(matrix.costUsd, m, idx) - meanOf(matrix.costUsd, base, idx));

  /** Out-of-fold gain predictions over `idx`, folds by a seeded hash: [k][position in idx]. */
  const outOfFold = (idx: readonly number[], lambda: number, foldSeed: number): Float64Array[] => {
    const fold = assignFolds(idx.map((i) => matrix.cases[i]!.caseId), K, foldSeed);
    const pred = others.map(() => new Float64Array(idx.length));
    for (let f = 0; f < K; f++) {
      const train = idx.filter((_, p) => fold[p] !== f);
      const fits = fitAll(train, lambda);
      idx.forEach((i, p) => {
        if (fold[p] !== f) return;
        fits.forEach((fit, k) => (pred[k]![p] = predict(design.rows[i]!, fit)));
      });
    }
    return pred;
  };

  // The penalty: least cross-validated squared error of the gain predictions.
  const lambdas = opts.lambdas ?? DEFAULT_LAMBDAS;
  let lambda = lambdas[0]!;
  let bestErr = Number.POSITIVE_INFINITY;
  for (const l of lambdas) {
    const pred = outOfFold(all, l, seed);
    let err = 0;
    others.forEach((_, k) => all.forEach((i) => {
      const g = gainTarget[k]![i]!;
      if (!Number.isNaN(g)) err += (pred[k]![i]! - g) ** 2;
    }));
    if (err < bestErr - 1e-12) (bestErr = err), (lambda = l);
  }

  /** Quality and cost of routing `idx` by the given gains at μ. */
  const outcomeAt = (idx: readonly number[], gains: Float64Array[], deltas: number[], mu: number) => {
    let q = 0;
    let c = 0;
    const g = new Float64Array(others.length);
    idx.forEach((i, p) => {
      for (let k = 0; k < others.length; k++) g[k] = gains[k]![p]!;
      const pick = pickIndex(g, deltas, mu);
      const m = pick < 0 ? base : others[pick]!;
      q += Number.isNaN(matrix.score[i * M + m]!) ? meanQuality[m]! : matrix.score[i * M + m]!;
      c += Number.isNaN(matrix.costUsd[i * M + m]!) ? meanCost[m]! : matrix.costUsd[i * M + m]!;
    });
    return {quality: q / idx.length, costUsd: c / idx.length};
  };
  /** The threshold: on out-of-fold predictions, the cheapest μ that meets the target (or the best quality within the budget). */
  const chooseMu = (idx: readonly number[], gains: Float64Array[], deltas: number[], margin: number): number => {
    const aim = target + margin * meanQuality[best]!;
    const cap = budgetUsd === undefined ? undefined : budgetUsd * (1 - margin);
    const ratios = new Set<number>([0]);
    gains.forEach((g, k) => {
      if (deltas[k]! > 0) for (const v of g) if (v > 0) ratios.add(v / deltas[k]!);
    });
    const sorted = [...ratios].sort((a, b) => a - b);
    const grid = [...sorted.map((r) => r * (1 + 1e-9)), (sorted.at(-1)! + 1) * 2];
    let chosen = grid[0]!;
    let chosenPerf = outcomeAt(idx, gains, deltas, chosen);
    for (const mu of grid) {
      const perf = outcomeAt(idx, gains, deltas, mu);
      const ok = cap === undefined ? perf.quality >= aim - 1e-12 : perf.costUsd <= cap + 1e-15;
      const chosenOk = cap === undefined ? chosenPerf.quality >= aim - 1e-12 : chosenPerf.costUsd <= cap + 1e-15;
      const better = cap === undefined ? perf.costUsd < chosenPerf.costUsd - 1e-15 : perf.quality > chosenPerf.quality + 1e-12;
      if ((ok && (!chosenOk || better)) || (!ok && !chosenOk && (cap === undefined ? perf.quality > chosenPerf.quality : perf.costUsd < chosenPerf.costUsd))) {
        chosen = mu;
        chosenPerf = perf;
      }
    }
    return chosen;
  };

  // Nested cross-validation: every outer fold re-chooses μ from its own inner out-of-fold
  // predictions and is scored on its held-out cases. Choosing μ on out-of-fold predictions is itself
  // optimistic, so the target is raised by the least margin that makes the nested estimate meet it.
  const outer = assignFolds(matrix.cases.map((c) => c.caseId), K, seed + 7919);
  const parts = Array.from({length: K}, (_, f) => {
    const train = all.filter((i) => outer[i] !== f);
    const test = all.filter((i) => outer[i] === f);
    const deltas = deltasOn(train);
    const inner = outOfFold(train, lambda, seed + f + 1);
    const fits = fitAll(train, lambda);
    const gains = fits.map((fit) => Float64Array.from(test, (i) => predict(design.rows[i]!, fit)));
    return {train, test, deltas, inner, gains};
  });
  const nested = (margin: number) => {
    let q = 0;
    let c = 0;
    const served = new Map<string, number>();
    for (const part of parts) {
      const mu = chooseMu(part.train, part.inner, part.deltas, margin);
      const perf = outcomeAt(part.test, part.gains, part.deltas, mu);
      q += perf.quality * part.test.length;
      c += perf.costUsd * part.test.length;
      const g = new Float64Array(others.length);
      part.test.forEach((_, p) => {
        for (let k = 0; k < others.length; k++) g[k] = part.gains[k]![p]!;
        const pick = pickIndex(g, part.deltas, mu);
        const label = matrix.models[pick < 0 ? base : others[pick]!]!;
        served.set(label, (served.get(label) ?? 0) + 1);
      });
    }
    return {quality: q / N, costUsd: c / N, served};
  };
  let margin = 0;
  let est = nested(0);
  for (const m of MARGINS) {
    if (budgetUsd === undefined ? est.quality >= target - 1e-12 : est.costUsd <= budgetUsd + 1e-15) break;
    margin = m;
    est = nested(m);
  }
  const qOut = est.quality * N;
  const cOut = est.costUsd * N;
  const served = est.served;

  // The final router: fitted on everything, weights rounded to float32 as stored, μ from all the data's out-of-fold predictions.
  const deltas = deltasOn(all);
  const mu = chooseMu(all, outOfFold(all, lambda, seed), deltas, margin);
  const fits = fitAll(all, lambda);
  const learned: LearnedRouter = {
    version: 1,
    kind: 'linear-gain',
    base: matrix.models[base]!,
    features,
    models: others.map((m, k) => ({model: matrix.models[m]!, costUsdDelta: sig(deltas[k]!), intercept: fits[k]!.intercept, weights: encodeWeights(Float32Array.from(fits[k]!.w))})),
    muPerUsd: mu,
    lambda,
    targetMargin: margin,
    expected: {
      method: `nested ${K}-fold cross-validation (threshold re-chosen inside each outer fold${margin > 0 ? `, target raised by ${(margin * 100).toFixed(2)} points to meet it` : ''})`,
      folds: K,
      seed,
      n: N,
      quality: round4(qOut / N),
      costUsdPer1k: sig((cOut / N) * 1000),
      p95LatencyMs: null,
      bestSingleModel: matrix.models[best]!,
      bestSingleQuality: round4(meanQuality[best]!),
      bestSingleCostUsdPer1k: sig(meanCost[best]! * 1000),
      inSampleQuality: 0,
      inSampleCostUsdPer1k: null,
      share: Object.fromEntries([...served].map(([k, v]) => [k, round4(v / N)])),
    },
  };
  // In sample, for contrast: the stored router (float32 weights) on its own training cases.
  const scorer = compileScorer(learned);
  let qIn = 0;
  let cIn = 0;
  matrix.cases.forEach((c, i) => {
    const m = matrix.models.indexOf(scorer.pick({input: c.prompt, tags: c.tags, metadata: c.metadata, inputTokens: c.inputTokens}));
    qIn += Number.isNaN(matrix.score[i * M + m]!) ? meanQuality[m]! : matrix.score[i * M + m]!;
    cIn += Number.isNaN(matrix.costUsd[i * M + m]!) ? meanCost[m]! : matrix.costUsd[i * M + m]!;
  });
  learned.expected.inSampleQuality = round4(qIn / N);
  learned.expected.inSampleCostUsdPer1k = sig((cIn / N) * 1000);
  if (learned.expected.quality < target - 1e-9 && budgetUsd === undefined) warnings.push(`the learned router keeps ${((learned.expected.quality / meanQuality[best]!) * 100).toFixed(1)}% of ${learned.expected.bestSingleModel}'s quality out of sample, under the ${(minQuality * 100).toFixed(1)}% asked`);
  return {learned, warnings};
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
const sig = (x: number) => Number(x.toPrecision(6));
