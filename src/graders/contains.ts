import type {Grade} from '../core/types.ts';
import {clip} from './exact-match.ts';
import {ExpectedValues} from './expected-values.ts';
import type {Grader} from './grader.ts';

type Mode = 'contains' | 'not-contains' | 'contains-any' | 'contains-all' | 'starts-with';

/** The substring family: contains, not-contains, contains-any, contains-all, starts-with. */
export function substringGrader(
  mode: Mode,
  opts: {value?: string | string[]; caseSensitive: boolean; name?: string},
  file: string,
): Grader {
  const name = opts.name ?? mode;
  const refs = new ExpectedValues(opts.value, {file, grader: name});
  const fold = (s: string) => (opts.caseSensitive ? s : s.toLowerCase());
  const note = opts.caseSensitive ? '' : ' (ignoring case)';
  return {
    name,
    check: (input, where) => void refs.resolve(input, where),
    reference: mode === 'contains' || mode === 'starts-with' ? (input) => refs.resolve(input)[0] ?? null : undefined,
    grade(input): Grade {
      const needles = refs.resolve(input);
      const out = fold(input.output);
      const found = needles.filter((n) => (mode === 'starts-with' ? out.trimStart().startsWith(fold(n)) : out.includes(fold(n))));
      const list = needles.map((n) => JSON.stringify(n)).join(', ');
      let pass: boolean;
      let reason: string;
      switch (mode) {
        case 'contains':
        case 'starts-with':
          pass = found.length > 0;
          reason = `${pass ? '' : 'does not '}${mode === 'contains' ? 'contain' : 'start with'}${pass ? 's' : ''} ${list}${note}`;
          break;
        case 'not-contains':
          pass = found.length === 0;
          reason = pass ? `contains none of ${list}${note}` : `contains ${found.map((n) => JSON.stringify(n)).join(', ')}${note}`;
          break;
        case 'contains-any':
          pass = found.length > 0;
          reason = pass ? `contains ${JSON.stringify(found[0])}${note}` : `contains none of ${list}${note}`;
          break;
        case 'contains-all': {
          const missing = needles.filter((n) => !found.includes(n));
          pass = missing.length === 0;
          reason = pass ? `contains all of ${list}${note}` : `missing ${missing.map((n) => JSON.stringify(n)).join(', ')}${note}`;
          break;
        }
      }
      const score = mode === 'contains-all' && needles.length > 0 ? found.length / needles.length : pass ? 1 : 0;
      return {grader: name, score, pass, reason: pass ? reason : `${reason}: got ${JSON.stringify(clip(input.output))}`};
    },
  };
}
