import {InputError} from '../core/errors.ts';
import type {Grade} from '../core/types.ts';
import {clip} from './exact-match.ts';
import type {Grader} from './grader.ts';

export function regex(opts: {pattern: string; flags?: string; name?: string}, file: string): Grader {
  const name = opts.name ?? 'regex';
  let re: RegExp;
  try {
    // `g` and `y` make test() stateful across calls; a grader must not depend on call order.
    re = new RegExp(opts.pattern, (opts.flags ?? '').replace(/[gy]/g, ''));
  } catch (error) {
    throw new InputError(`invalid regular expression: ${(error as Error).message}`, {file, field: `${name}.pattern`});
  }
  return {
    name,
    grade(input): Grade {
      const match = re.exec(input.output);
      return {
        grader: name,
        score: match ? 1 : 0,
        pass: match !== null,
        reason: match ? `matches /${opts.pattern}/ at ${JSON.stringify(clip(match[0], 60))}` : `no match for /${opts.pattern}/ in ${JSON.stringify(clip(input.output))}`,
      };
    },
  };
}
