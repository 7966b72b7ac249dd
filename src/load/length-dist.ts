import {InputError} from '../core/errors.ts';

/** A token length drawn per request: fixed, uniform between bounds, or normal (clamped to at least 1). */
export type LengthDist =
  | {kind: 'fixed'; value: number}
  | {kind: 'uniform'; min: number; max: number}
  | {kind: 'normal'; mean: number; sd: number};

const FORMS = '"128", "uniform:64-256" or "normal:128,32"';

/** Parses a length flag: `128`, `uniform:64-256`, `normal:128,32`. `field` names the flag (without dashes) in errors. */
export function parseLengthDist(text: string, field: string): LengthDist {
  const bad = () => new InputError(`--${field}: cannot read ${JSON.stringify(text)} as a token length`, {hint: `write ${FORMS}`});
  const t = text.trim();
  const whole = (s: string | undefined) => {
    const n = Number(s);
    if (s === undefined || s.trim() === '' || !Number.isInteger(n) || n < 1) throw bad();
    return n;
  };
  if (/^\d+$/.test(t)) return {kind: 'fixed', value: whole(t)};
  const uniform = /^uniform:(\d+)-(\d+)$/.exec(t);
  if (uniform) {
    const min = whole(uniform[1]);
    const max = whole(uniform[2]);
    if (max < min) throw new InputError(`--${field}: uniform:${min}-${max} has its bounds the wrong way round`, {hint: `write uniform:${max}-${min}`});
    return {kind: 'uniform', min, max};
  }
  const normal = /^normal:(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(t);
  if (normal) {
    const mean = Number(normal[1]);
    if (!(mean >= 1)) throw bad();
    return {kind: 'normal', mean, sd: Number(normal[2])};
  }
  throw bad();
}

/** One draw, a whole number of tokens, at least 1. */
export function sampleLength(dist: LengthDist, random: () => number): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return dist.min + Math.floor(random() * (dist.max - dist.min + 1));
    case 'normal':
      return Math.max(1, Math.round(dist.mean + dist.sd * standardNormal(random)));
  }
}

/** The mean a distribution is meant to have (for planning, not for reporting). */
export function meanLength(dist: LengthDist): number {
  return dist.kind === 'fixed' ? dist.value : dist.kind === 'uniform' ? (dist.min + dist.max) / 2 : dist.mean;
}

export function describeLength(dist: LengthDist): string {
  return dist.kind === 'fixed' ? String(dist.value) : dist.kind === 'uniform' ? `uniform:${dist.min}-${dist.max}` : `normal:${dist.mean},${dist.sd}`;
}

/** Box–Muller from a seeded uniform source. */
export function standardNormal(random: () => number): number {
  const u1 = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
}
