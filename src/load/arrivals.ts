import {standardNormal} from './length-dist.ts';

export type ArrivalProcess = 'constant' | 'poisson';

export interface ArrivalOptions {
  rateRps: number;
  process: ArrivalProcess;
  /**
   * Gamma shape for `poisson` arrivals, as vLLM's benchmark_serving uses it: 1 is a Poisson process,
   * below 1 burstier, above 1 more even; the mean gap stays 1/rate whatever the shape.
   */
  burstiness?: number;
  /** A seeded uniform source: the same seed gives the same schedule. */
  random: () => number;
}

/**
 * Scheduled send times in ms after the step starts: the first at 0, then gaps of 1/rate (constant) or
 * Gamma(burstiness, 1/(rate·burstiness)) (poisson). Endless; the caller stops at its bound.
 */
export function* arrivalTimesMs(opts: ArrivalOptions): Generator<number> {
  const meanGapMs = 1000 / opts.rateRps;
  const shape = opts.burstiness ?? 1;
  let t = 0;
  for (let i = 0; ; i++) {
    yield t;
    t = opts.process === 'constant' ? (i + 1) * meanGapMs : t + gamma(shape, opts.random) * (meanGapMs / shape);
  }
}

/** A Gamma(shape, 1) draw (Marsaglia and Tsang 2000; shapes below 1 by the boost U^(1/shape)). */
export function gamma(shape: number, random: () => number): number {
  if (shape === 1) return -Math.log(1 - random());
  if (shape < 1) return gamma(shape + 1, random) * Math.pow(Math.max(random(), 1e-12), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
