import Handlebars from 'handlebars';
import {InputError} from '../core/errors.ts';

// An isolated instance: templates here render prompts, which are raw text. HTML escaping is the
// report's job only, so `{{x}}` inserts x verbatim.
const hbs = Handlebars.create();

export type CompiledTemplate = (vars: Record<string, unknown>, where: {file: string; caseId: string; line?: number}) => string;

export function compileTemplate(source: string, where: {file: string; field: string; line?: number}): CompiledTemplate {
  let render: Handlebars.TemplateDelegate;
  try {
    render = hbs.compile(source, {noEscape: true, strict: true});
    // Compile eagerly so syntax errors surface at load time, not on the first case.
    hbs.precompile(source, {noEscape: true, strict: true});
  } catch (error) {
    throw new InputError(`invalid template: ${(error as Error).message.split('\n')[0]}`, {
      ...where,
      hint: 'templates use Handlebars syntax: {{name}} inserts the dataset column "name"',
    });
  }
  return (vars, at) => {
    try {
      return render(vars);
    } catch (error) {
      const missing = /"([^"]+)" not defined/.exec((error as Error).message)?.[1];
      throw new InputError(
        missing
          ? `case "${at.caseId}" has no value for template variable "${missing}" (in ${where.field})`
          : `case "${at.caseId}": cannot render ${where.field}: ${(error as Error).message}`,
        {file: at.file, line: at.line, hint: missing ? `add a "${missing}" column to the dataset or fix the template` : undefined},
      );
    }
  };
}
