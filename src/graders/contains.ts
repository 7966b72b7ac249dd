import type {Grade} from '../core/types.ts';
import {clip} from './exact-match.ts';
import {ExpectedValues} from './expected-values.ts';
import type {Grader} from './grader.ts';

export function contains(opts: {value?: string; caseSensitive: boolean; name?: string}, file: string): Grader {
  const name = opts.name ?? 'contains';
  const refs = new ExpectedValues(opts.value, {file, grader: name});
  const fold = (s: string) => (opts.caseSensitive ? s : s.toLowerCase());
  return {
    name,
    check: (input, where) => void refs.resolve(input, where),
    reference: (input) => refs.resolve(input)[0] ?? null,
    grade(input): Grade {
      const [needle = ''] = refs.resolve(input);
      const pass = fold(input.output).includes(fold(needle));
      return {
        grader: name,
        score: pass ? 1 : 0,
        pass,
        reason: `${pass ? 'contains' : 'does not contain'} ${JSON.stringify(needle)}${opts.caseSensitive ? '' : ' (ignoring case)'}${pass ? '' : `: got ${JSON.stringify(clip(input.output))}`}`,
      };
    },
  };
}
