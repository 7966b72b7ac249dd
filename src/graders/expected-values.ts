import {compileTemplate, type CompiledTemplate} from '../config/render-template.ts';
import {InputError} from '../core/errors.ts';
import type {GradeInput} from './grader.ts';

/**
 * The reference value(s) a grader compares against: templates over the case's variables, or the
 * case's `expected` column when the grader names none.
 */
export class ExpectedValues {
  private readonly templates: CompiledTemplate[] | null;
  private readonly where: {file: string; grader: string};

  constructor(source: string | string[] | undefined, where: {file: string; grader: string}) {
    this.where = where;
    const list = source === undefined ? null : Array.isArray(source) ? source : [source];
    this.templates = list?.map((t) => compileTemplate(t, {file: where.file, field: `${where.grader} expected`})) ?? null;
  }

  resolve(input: Pick<GradeInput, 'vars' | 'expected' | 'caseId'>, at?: {file: string; line?: number}): string[] {
    if (this.templates) {
      return this.templates.map((render) => render({...input.vars, expected: input.expected}, {file: at?.file ?? this.where.file, caseId: input.caseId, line: at?.line}));
    }
    if (input.expected === null) {
      throw new InputError(`case "${input.caseId}" has no expected value for grader ${this.where.grader}`, {
        file: at?.file ?? this.where.file,
        line: at?.line,
        hint: 'add an "expected" column to the dataset, or give the grader an `expected:` template',
      });
    }
    return [input.expected];
  }
}
