import {type FeatureRequest, Featuriser, type SparseVector} from './prompt-features.ts';
import type {LearnedRouter} from './policy-types.ts';

export interface CompiledScorer {
  /** The model this request goes to: the base, or the costlier model whose predicted gain pays for its extra cost. */
  pick(request: FeatureRequest): string;
  /** Per costlier model (policy order): predicted quality gain over the base. */
  gains(request: FeatureRequest): number[];
}

/** Float32 little-endian weights, base64: compact in YAML and exact across machines. */
export function encodeWeights(w: Float32Array): string {
  return Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString('base64');
}

export function decodeWeights(text: string, dim: number): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== dim * 4) throw new Error(`learned weights have ${bytes.length / 4} values, the feature config says ${dim}`);
  const out = new Float32Array(dim);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function dot(x: SparseVector, w: Float32Array | Float64Array): number {
  let s = 0;
  for (let k = 0; k < x.index.length; k++) s += x.value[k]! * w[x.index[k]!]!;
  return s;
}

/**
 * Decision rule shared by training and serving, so a policy routes live traffic exactly as its
 * simulation did: go to the model m maximising predictedGain(m) − μ·costUsdDelta(m), the base
 * (gain 0, delta 0) when none is positive.
 */
export function pickIndex(gains: ArrayLike<number>, costUsdDelta: ArrayLike<number>, muPerUsd: number): number {
  let best = -1;
  let bestValue = 0;
  for (let m = 0; m < gains.length; m++) {
    const v = gains[m]! - muPerUsd * costUsdDelta[m]!;
    if (v > bestValue) {
      best = m;
      bestValue = v;
    }
  }
  return best;
}

/** Compiles a policy's learned router once: decoded weights, a reusable featuriser. */
export function compileScorer(learned: LearnedRouter): CompiledScorer {
  const featuriser = new Featuriser(learned.features);
  const weights = learned.models.map((m) => decodeWeights(m.weights, learned.features.dim));
  const intercepts = learned.models.map((m) => m.intercept);
  const deltas = learned.models.map((m) => m.costUsdDelta);
  const gains = (request: FeatureRequest) => {
    const x = featuriser.featurise(request);
    return weights.map((w, m) => intercepts[m]! + dot(x, w));
  };
  return {
    gains,
    pick(request) {
      const m = pickIndex(gains(request), deltas, learned.muPerUsd);
      return m < 0 ? learned.base : learned.models[m]!.model;
    },
  };
}
