import {stickyFraction} from './create-router.ts';
import type {OutcomeMatrix} from './outcome-matrix.ts';

/**
 * Cross-validation of "one model per segment" routing. The trade-off between quality and cost is a
 * single price μ (quality points a dollar per request is worth, RouterBench's willingness to pay):
 * at a given μ each segment takes the model maximising meanQuality − μ·meanCost on the training
 * folds, and is scored on the held-out fold. Sweeping μ traces the out-of-sample cost–quality curve.
 */
export interface CvPoint {
  mu: number;
  /** Pooled out-of-sample mean quality and cost per request over all folds. */
  quality: number;
  costUsd: number;
  /** Model index per segment, fitted on each fold's training part: folds × segments. */
  foldRoutes: Int32Array[];
  /** Model index per segment fitted on all the data: what the final policy uses. */
  fullRoutes: Int32Array;
}

export interface SegmentTotals {
  K: number;
  S: number;
  M: number;
  /** [(f * S + s) * M + m] sums over the cases of fold f in segment s. */
  qSum: Float64Array;
  qN: Float64Array;
  cSum: Float64Array;
  cN: Float64Array;
  /** [f * S + s] number of cases. */
  n: Float64Array;
}

/** Balanced, order-independent folds: cases sorted by a seeded hash of their id, dealt round-robin. */
export function assignFolds(caseIds: readonly string[], K: number, seed: number): Int32Array {
  const order = caseIds.map((id, i) => ({i, h: stickyFraction(`${seed}:${id}`)})).sort((a, b) => a.h - b.h || a.i - b.i);
  const fold = new Int32Array(caseIds.length);
  order.forEach(({i}, rank) => (fold[i] = rank % K));
  return fold;
}

export function segmentTotals(matrix: OutcomeMatrix, segmentOf: Int32Array, S: number, fold: Int32Array, K: number): SegmentTotals {
  const M = matrix.models.length;
  const size = K * S * M;
  const t: SegmentTotals = {K, S, M, qSum: new Float64Array(size), qN: new Float64Array(size), cSum: new Float64Array(size), cN: new Float64Array(size), n: new Float64Array(K * S)};
  const N = segmentOf.length;
  for (let i = 0; i < N; i++) {
    const base = (fold[i]! * S + segmentOf[i]!) * M;
    t.n[fold[i]! * S + segmentOf[i]!]!++;
    for (let m = 0; m < M; m++) {
      const q = matrix.score[i * M + m]!;
      if (!Number.isNaN(q)) {
        t.qSum[base + m]! += q;
        t.qN[base + m]!++;
      }
      const c = matrix.costUsd[i * M + m]!;
      if (!Number.isNaN(c)) {
        t.cSum[base + m]! += c;
        t.cN[base + m]!++;
      }
    }
  }
  return t;
}

/** Sums for segment s with fold `exclude` left out (-1: nothing left out). */
function trainSums(t: SegmentTotals, s: number, exclude: number, out: Float64Array): number {
  const {K, S, M} = t;
  out.fill(0);
  let n = 0;
  for (let f = 0; f < K; f++) {
    if (f === exclude) continue;
    const base = (f * S + s) * M;
    n += t.n[f * S + s]!;
    for (let m = 0; m < M; m++) {
      out[m] += t.qSum[base + m]!;
      out[M + m] += t.qN[base + m]!;
      out[2 * M + m] += t.cSum[base + m]!;
      out[3 * M + m] += t.cN[base + m]!;
    }
  }
  return n;
}

export interface FitOptions {
  /** eligible[s * M + m]: may segment s use model m (latency limit). */
  eligible: Uint8Array;
  /** A model needs an outcome on at least this share of a segment's cases to be chosen for it. */
  minCoverage: number;
}

/** The model a segment takes at price μ given its sums; -1 when it has no cases to judge by. */
function pick(sums: Float64Array, n: number, M: number, mu: number, eligible: Uint8Array, s: number, minCoverage: number): number {
  if (n === 0) return -1;
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let m = 0; m < M; m++) {
    if (!eligible[s * M + m]) continue;
    const qN = sums[M + m]!;
    if (qN === 0 || qN < minCoverage * n) continue;
    const quality = sums[m]! / qN;
    const cN = sums[3 * M + m]!;
    const cost = cN > 0 ? sums[2 * M + m]! / cN : 0;
    const value = mu === Number.POSITIVE_INFINITY ? -cost : quality - mu * cost;
    // Equal value: the cheaper model, then the earlier label (deterministic).
    if (value > bestValue + 1e-12 || (Math.abs(value - bestValue) <= 1e-12 && cost < bestCost)) {
      best = m;
      bestValue = value;
      bestCost = cost;
    }
  }
  return best;
}

/** Training sums per (fold left out, segment), computed once: index K = nothing left out. */
interface TrainTable {
  sums: Float64Array;
  n: Float64Array;
}

function trainTable(t: SegmentTotals): TrainTable {
  const {K, S, M} = t;
  const sums = new Float64Array((K + 1) * S * 4 * M);
  const n = new Float64Array((K + 1) * S);
  const scratch = new Float64Array(4 * M);
  for (let e = 0; e <= K; e++) {
    for (let s = 0; s < S; s++) {
      n[e * S + s] = trainSums(t, s, e === K ? -1 : e, scratch);
      sums.set(scratch, (e * S + s) * 4 * M);
    }
  }
  return {sums, n};
}

function fitRoutes(t: SegmentTotals, table: TrainTable, exclude: number, mu: number, opts: FitOptions): Int32Array {
  const e = exclude < 0 ? t.K : exclude;
  const routes = new Int32Array(t.S);
  for (let s = 0; s < t.S; s++) {
    const at = (e * t.S + s) * 4 * t.M;
    routes[s] = pick(table.sums.subarray(at, at + 4 * t.M), table.n[e * t.S + s]!, t.M, mu, opts.eligible, s, opts.minCoverage);
  }
  // A segment with nothing to learn from (absent from these training folds) follows the default.
  const fallback = routes[t.S - 1]! >= 0 ? routes[t.S - 1]! : 0;
  for (let s = 0; s < t.S; s++) if (routes[s]! < 0) routes[s] = fallback;
  return routes;
}

/**
 * The μ values at which some segment's choice flips on the full data, with midpoints between them:
 * between two breakpoints the full-data assignment is constant, so this grid sees every operating
 * point the data supports. A segment's choice can only flip between neighbours on the upper hull
 * of its models' (cost, quality) points, so only those slopes are breakpoints.
 */
export function muGrid(t: SegmentTotals, opts?: FitOptions): number[] {
  const {S, M} = t;
  const scratch = new Float64Array(4 * M);
  const breaks = new Set<number>();
  for (let s = 0; s < S; s++) {
    const n = trainSums(t, s, -1, scratch);
    if (n === 0) continue;
    const pts: {c: number; q: number}[] = [];
    for (let m = 0; m < M; m++) {
      if (!scratch[M + m] || !scratch[3 * M + m]) continue;
      if (opts && (!opts.eligible[s * M + m] || scratch[M + m]! < opts.minCoverage * n)) continue;
      pts.push({c: scratch[2 * M + m]! / scratch[3 * M + m]!, q: scratch[m]! / scratch[M + m]!});
    }
    pts.sort((a, b) => a.c - b.c || b.q - a.q);
    const hull: {c: number; q: number}[] = [];
    for (const p of pts) {
      if (hull.length > 0 && p.q <= hull[hull.length - 1]!.q) continue;
      while (hull.length >= 2) {
        const a = hull[hull.length - 2]!;
        const b = hull[hull.length - 1]!;
        if ((b.c - a.c) * (p.q - a.q) - (b.q - a.q) * (p.c - a.c) >= 0) hull.pop();
        else break;
      }
      hull.push(p);
    }
    for (let i = 1; i < hull.length; i++) {
      const dq = hull[i]!.q - hull[i - 1]!.q;
      const dc = hull[i]!.c - hull[i - 1]!.c;
      if (dq > 0 && dc > 0) breaks.add(dq / dc);
    }
  }
  const sorted = [...breaks].sort((x, y) => x - y);
  const grid = [0];
  for (let i = 0; i < sorted.length; i++) {
    grid.push(sorted[i]! * (1 - 1e-9), sorted[i]! * (1 + 1e-9));
    if (i + 1 < sorted.length) grid.push(Math.sqrt(sorted[i]! * sorted[i + 1]!));
  }
  grid.push(Number.POSITIVE_INFINITY);
  return grid;
}

export function crossValidateRoutes(t: SegmentTotals, mus: readonly number[], opts: FitOptions): CvPoint[] {
  const {K, S, M} = t;
  const table = trainTable(t);
  let total = 0;
  for (let i = 0; i < t.n.length; i++) total += t.n[i]!;
  return mus.map((mu) => {
    let qualitySum = 0;
    let costSum = 0;
    const foldRoutes: Int32Array[] = [];
    for (let f = 0; f < K; f++) {
      const routes = fitRoutes(t, table, f, mu, opts);
      foldRoutes.push(routes);
      for (let s = 0; s < S; s++) {
        const nTest = t.n[f * S + s]!;
        if (nTest === 0) continue;
        const m = routes[s]!;
        const base = (f * S + s) * M + m;
        // Held-out cases the chosen model has no outcome for are imputed with its training mean.
        const at = (f * S + s) * 4 * M;
        const sums = table.sums;
        const qTrain = sums[at + M + m]! > 0 ? sums[at + m]! / sums[at + M + m]! : 0;
        const cTrain = sums[at + 3 * M + m]! > 0 ? sums[at + 2 * M + m]! / sums[at + 3 * M + m]! : 0;
        qualitySum += t.qSum[base]! + (nTest - t.qN[base]!) * qTrain;
        costSum += t.cSum[base]! + (nTest - t.cN[base]!) * cTrain;
      }
    }
    return {mu, quality: total ? qualitySum / total : 0, costUsd: total ? costSum / total : 0, foldRoutes, fullRoutes: fitRoutes(t, table, -1, mu, opts)};
  });
}
