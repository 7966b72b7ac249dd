import {compileTemplate} from '../config/render-template.ts';
import {compileValueTemplate} from '../config/render-value.ts';
import {InputError} from '../core/errors.ts';
import type {Grade, ToolDef} from '../core/types.ts';
import type {GradeInput, Grader} from './grader.ts';
import {describeCalls, ToolCallMatcher, type ArgumentMatch, type ExpectedCall} from './match-tool-call.ts';

type CaseInput = Pick<GradeInput, 'vars' | 'expected' | 'caseId'>;

/**
 * One expected call: the model called `name` with matching arguments (among any other calls it
 * made), or, with `name: null` (or a name template that renders empty), made no call at all.
 */
export function toolCall(opts: {name: string | null; arguments?: Record<string, unknown> | string; match: ArgumentMatch}, ctx: {file: string; tools: readonly ToolDef[]}): Grader {
  const grader = 'tool-call';
  const where = {file: ctx.file, field: grader};
  if (opts.name !== null && opts.match === 'schema' && opts.arguments !== undefined) {
    throw new InputError('match: schema checks arguments against the tool\'s parameters; leave `arguments` out, or use match: subset', {file: ctx.file, field: 'arguments'});
  }
  if (ctx.tools.length === 0) throw new InputError('a tool-call grader needs the suite to offer `tools`', {file: ctx.file, field: grader});
  const renderName = opts.name === null ? null : compileTemplate(opts.name, {...where, field: `${grader}.name`});
  const renderArgs = opts.arguments === undefined ? null : compileValueTemplate(opts.arguments, {...where, field: `${grader}.arguments`});
  const matcher = new ToolCallMatcher(opts.match, ctx.tools);

  function expectedOf(input: CaseInput, at?: {file: string; line?: number}): ExpectedCall | null {
    const loc = {file: at?.file ?? ctx.file, caseId: input.caseId, line: at?.line};
    const vars = {...input.vars, expected: input.expected};
    const name = renderName?.(vars, loc).trim() || null;
    if (name === null) return null;
    if (!matcher.hasTool(name)) throw new InputError(`case "${input.caseId}" expects a call to "${name}", which is not one of the suite's tools`, {...loc, hint: `tools: ${[...ctx.tools.map((t) => t.name)].join(', ')}`});
    const args = renderArgs?.(vars, loc);
    if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
      throw new InputError(`case "${input.caseId}": tool-call arguments must render to an object, got ${JSON.stringify(args)}`, loc);
    }
    return matcher.typed({name, ...(args !== undefined && {arguments: args as Record<string, unknown>})});
  }

  return {
    name: grader,
    check: (input, at) => void expectedOf(input, at),
    toolReference: (input) => {
      const expected = expectedOf(input);
      return expected ? [expected] : [];
    },
    grade(input): Grade {
      const calls = input.toolCalls ?? [];
      const expected = expectedOf(input);
      if (!expected) {
        const pass = calls.length === 0;
        return {grader, score: pass ? 1 : 0, pass, reason: pass ? 'no call, as expected' : `called ${describeCalls(calls)} where no call was expected`};
      }
      const named = calls.filter((c) => c.name === expected.name);
      if (named.length === 0) return {grader, score: 0, pass: false, reason: `no call to ${expected.name} (got ${describeCalls(calls)})`};
      const misses = named.map((c) => matcher.mismatch(expected, c));
      if (misses.includes(null)) return {grader, score: 1, pass: true, reason: `called ${expected.name} with ${opts.match === 'schema' ? 'arguments its schema accepts' : `${opts.match === 'exact' ? 'the expected' : 'the expected (subset of)'} arguments`}`};
      return {grader, score: 0, pass: false, reason: misses[0]!};
    },
  };
}
