import type {Grade} from '../core/types.ts';
import {ExpectedValues} from './expected-values.ts';
import type {GradeInput, Grader} from './grader.ts';
import {normalize, type Normalization} from './normalize.ts';

export function exactMatch(opts: {expected?: string | string[]; normalize: Normalization; name?: string}, file: string): Grader {
  const name = opts.name ?? 'exact-match';
  const refs = new ExpectedValues(opts.expected, {file, grader: name});
  return {
    name,
    check: (input, where) => void refs.resolve(input, where),
    reference: (input) => refs.resolve(input)[0] ?? null,
    grade(input: GradeInput): Grade {
      const expected = refs.resolve(input);
      const got = normalize(input.output, opts.normalize);
      const hit = expected.find((e) => normalize(e, opts.normalize) === got);
      const pass = hit !== undefined;
      return {
        grader: name,
        score: pass ? 1 : 0,
        pass,
        reason: pass
          ? `matches ${JSON.stringify(hit)} (normalize: ${opts.normalize})`
          : `expected ${expected.map((e) => JSON.stringify(e)).join(' or ')}, got ${JSON.stringify(clip(input.output))} (normalize: ${opts.normalize})`,
      };
    },
  };
}

export function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
