import type {Grade} from '../core/types.ts';
import {clip} from './exact-match.ts';
import {ExpectedValues} from './expected-values.ts';
import type {Grader} from './grader.ts';
import {normalize, type Normalization} from './normalize.ts';

/** Levenshtein edit distance, two rows of memory. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({length: b.length + 1}, (_, i) => i);
  let curr = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    for (let j = 1; j <= b.length; j++) {
      curr[j] = Math.min(prev[j]! + 1, curr[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length]!;
}

/** 1 − distance / longer length: 1 is identical, 0 shares nothing. */
export function similarityRatio(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - levenshtein(a, b) / longest;
}

export function similarity(opts: {expected?: string | string[]; threshold: number; normalize: Normalization; name?: string}, file: string): Grader {
  const name = opts.name ?? 'similarity';
  const refs = new ExpectedValues(opts.expected, {file, grader: name});
  return {
    name,
    check: (input, where) => void refs.resolve(input, where),
    reference: (input) => refs.resolve(input)[0] ?? null,
    grade(input): Grade {
      const got = normalize(input.output, opts.normalize);
      const best = refs
        .resolve(input)
        .map((e) => ({e, ratio: similarityRatio(got, normalize(e, opts.normalize))}))
        .sort((x, y) => y.ratio - x.ratio)[0]!;
      const pass = best.ratio >= opts.threshold;
      return {grader: name, score: best.ratio, pass, reason: `similarity ${best.ratio.toFixed(3)} to ${JSON.stringify(clip(best.e, 60))} (threshold ${opts.threshold})`};
    },
  };
}
