import {compileValueTemplate} from '../config/render-value.ts';
import {InputError} from '../core/errors.ts';
import type {Grade, ToolCall, ToolDef} from '../core/types.ts';
import type {GradeInput, Grader} from './grader.ts';
import {describeCalls, ToolCallMatcher, type ArgumentMatch, type ExpectedCall} from './match-tool-call.ts';

type CaseInput = Pick<GradeInput, 'vars' | 'expected' | 'caseId'>;

/**
 * Several expected calls, scored by F1: precision over the calls made, recall over the calls
 * expected, each call matched at most once (in any order, or in order with `ordered`). No call
 * expected and none made scores 1.
 */
export function toolCalls(
  opts: {calls: Array<{name: string; arguments?: Record<string, unknown> | string}> | string; match: ArgumentMatch; ordered: boolean; threshold: number; name?: string},
  ctx: {file: string; tools: readonly ToolDef[]},
): Grader {
  const grader = opts.name ?? 'tool-calls';
  if (ctx.tools.length === 0) throw new InputError('a tool-calls grader needs the suite to offer `tools`', {file: ctx.file, field: grader});
  const render = compileValueTemplate(opts.calls, {file: ctx.file, field: `${grader}.calls`});
  const matcher = new ToolCallMatcher(opts.match, ctx.tools);

  function expectedOf(input: CaseInput, at?: {file: string; line?: number}): ExpectedCall[] {
    const loc = {file: at?.file ?? ctx.file, caseId: input.caseId, line: at?.line};
    let value = render({...input.vars, expected: input.expected}, loc);
    if (typeof value === 'string') {
      try {
        value = value.trim() === '' ? [] : JSON.parse(value);
      } catch {
        throw new InputError(`case "${input.caseId}": tool-calls \`calls\` rendered text that is not JSON: ${(value as string).slice(0, 80)}`, {...loc, hint: 'a dataset column of calls holds a JSON list of {name, arguments}'});
      }
    }
    if (!Array.isArray(value)) throw new InputError(`case "${input.caseId}": tool-calls \`calls\` must be a list of {name, arguments}`, loc);
    return value.map((c: unknown, i) => {
      const call = c as {name?: unknown; arguments?: unknown};
      if (!call || typeof call.name !== 'string' || (call.arguments !== undefined && (typeof call.arguments !== 'object' || call.arguments === null || Array.isArray(call.arguments)))) {
        throw new InputError(`case "${input.caseId}": tool-calls calls[${i}] must be {name, arguments?: {...}}, got ${JSON.stringify(c)}`, loc);
      }
      if (!matcher.hasTool(call.name)) throw new InputError(`case "${input.caseId}" expects a call to "${call.name}", which is not one of the suite's tools`, {...loc, hint: `tools: ${ctx.tools.map((t) => t.name).join(', ')}`});
      return matcher.typed({name: call.name, ...(call.arguments !== undefined && {arguments: call.arguments as Record<string, unknown>})});
    });
  }

  return {
    name: grader,
    check: (input, at) => void expectedOf(input, at),
    toolReference: (input) => expectedOf(input),
    grade(input): Grade {
      const made = input.toolCalls ?? [];
      const expected = expectedOf(input);
      const matched = opts.ordered ? matchInOrder(expected, made, matcher) : matchAnyOrder(expected, made, matcher);
      const f1 = expected.length + made.length === 0 ? 1 : (2 * matched) / (expected.length + made.length);
      const score = Math.round(f1 * 1e6) / 1e6;
      const pass = score >= opts.threshold;
      const reason = `${matched} of ${expected.length} expected call${expected.length === 1 ? '' : 's'} made, ${made.length - matched} other${made.length - matched === 1 ? '' : 's'} (F1 ${score.toFixed(2)}${opts.ordered ? ', in order' : ''}); got ${describeCalls(made)}`;
      return {grader, score, pass, reason};
    },
  };
}

/** The most expected calls that can be paired one-to-one with matching calls made (augmenting paths; lists are short). */
export function matchAnyOrder(expected: readonly ExpectedCall[], made: readonly ToolCall[], matcher: ToolCallMatcher): number {
  const fits = expected.map((e) => made.map((m) => matcher.mismatch(e, m) === null));
  const owner: Array<number | null> = made.map(() => null);
  const tryAssign = (e: number, seen: boolean[]): boolean => {
    for (let m = 0; m < made.length; m++) {
      if (!fits[e]![m] || seen[m]) continue;
      seen[m] = true;
      if (owner[m] === null || tryAssign(owner[m]!, seen)) {
        owner[m] = e;
        return true;
      }
    }
    return false;
  };
  let count = 0;
  for (let e = 0; e < expected.length; e++) if (tryAssign(e, made.map(() => false))) count++;
  return count;
}

/** The longest run of matching pairs that keeps both lists' order. */
export function matchInOrder(expected: readonly ExpectedCall[], made: readonly ToolCall[], matcher: ToolCallMatcher): number {
  const best = Array.from({length: expected.length + 1}, () => new Array<number>(made.length + 1).fill(0));
  for (let i = 1; i <= expected.length; i++) {
    for (let j = 1; j <= made.length; j++) {
      best[i]![j] = matcher.mismatch(expected[i - 1]!, made[j - 1]!) === null ? best[i - 1]![j - 1]! + 1 : Math.max(best[i - 1]![j]!, best[i]![j - 1]!);
    }
  }
  return best[expected.length]![made.length]!;
}
