import type {Grade} from '../core/types.ts';
import type {GradeInput, Grader} from './grader.ts';

/** What a custom grader function receives. */
export interface CustomGraderInput {
  output: string;
  expected: string | null;
  vars: Record<string, unknown>;
  case: {id: string; input: string};
}

/** A custom grader returns a score (0..1), a pass/fail, or both with a reason. */
export type CustomGraderResult = number | boolean | {score?: number; pass?: boolean; reason?: string};
export type CustomGraderFn = (input: CustomGraderInput) => CustomGraderResult | Promise<CustomGraderResult>;

export function custom(fn: CustomGraderFn, name: string): Grader {
  return {
    name,
    async grade(input: GradeInput): Promise<Grade> {
      let value: CustomGraderResult;
      try {
        value = await fn({output: input.output, expected: input.expected, vars: input.vars, case: {id: input.caseId, input: input.input}});
      } catch (error) {
        // A bug in the grader is not the model's failure: visible and excluded, never a 0 and never a crashed run.
        return {grader: name, score: null, pass: null, unscored: true, reason: `custom grader threw: ${(error as Error)?.message ?? String(error)}`};
      }
      if (typeof value === 'boolean') return {grader: name, score: value ? 1 : 0, pass: value, reason: value ? 'pass' : 'fail'};
      if (typeof value === 'number') {
        const score = Math.min(1, Math.max(0, value));
        return {grader: name, score, pass: score >= 0.5, reason: `score ${score}`};
      }
      if (value && typeof value === 'object') {
        const score = value.score === undefined ? (value.pass ? 1 : 0) : Math.min(1, Math.max(0, value.score));
        const pass = value.pass ?? score >= 0.5;
        return {grader: name, score, pass, reason: value.reason ?? (pass ? 'pass' : 'fail')};
      }
      return {grader: name, score: null, pass: null, unscored: true, reason: `custom grader returned ${JSON.stringify(value)}; expected a number, a boolean or {score, pass, reason}`};
    },
  };
}
