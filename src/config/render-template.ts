import {createRequire} from 'node:module';
import type HandlebarsNs from 'handlebars';
import {InputError} from '../core/errors.ts';

export type CompiledTemplate = (vars: Record<string, unknown>, where: {file: string; caseId: string; line?: number}) => string;

// Loaded on the first template that needs more than {{name}} substitution: most suites never do,
// and Handlebars' compiler is a noticeable part of start-up.
let hbs: typeof HandlebarsNs | null = null;
function handlebars(): typeof HandlebarsNs {
  // An isolated instance: templates here render prompts, which are raw text. HTML escaping is the
  // report's job only, so `{{x}}` inserts x verbatim.
  hbs ??= (createRequire(import.meta.url)('handlebars') as typeof HandlebarsNs).create();
  return hbs;
}

/** Text with only `{{name}}` placeholders (no helpers, paths, blocks or stray braces). */
const SIMPLE = /^(?:[^{}]|\{\{\s*[A-Za-z_][\w-]*\s*\}\}(?!\}))*$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g;

function missingVariable(name: string, at: {file: string; caseId: string; line?: number}, field: string): InputError {
  return new InputError(`case "${at.caseId}" has no value for template variable "${name}" (in ${field})`, {
    file: at.file,
    line: at.line,
    hint: `add a "${name}" column to the dataset or fix the template`,
  });
}

/**
 * `{{name}}` substitution exactly as Handlebars does it with noEscape and strict: a missing variable
 * is an error, null inserts nothing, anything else its string form. A fraction of Handlebars' cost.
 */
function compileSimple(source: string, field: string): CompiledTemplate {
  const parts = source.split(PLACEHOLDER);
  if (parts.length === 1) return () => source;
  return (vars, at) => {
    let out = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) {
      const name = parts[i]!;
      if (!(name in vars)) throw missingVariable(name, at, field);
      const value = vars[name];
      out += (value === null || value === undefined ? '' : String(value)) + parts[i + 1]!;
    }
    return out;
  };
}

export function compileTemplate(source: string, where: {file: string; field: string; line?: number}): CompiledTemplate {
  if (SIMPLE.test(source)) return compileSimple(source, where.field);
  let render: HandlebarsNs.TemplateDelegate;
  try {
    render = handlebars().compile(source, {noEscape: true, strict: true});
    // Compile eagerly so syntax errors surface at load time, not on the first case.
    handlebars().precompile(source, {noEscape: true, strict: true});
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
      if (missing) throw missingVariable(missing, at, where.field);
      throw new InputError(`case "${at.caseId}": cannot render ${where.field}: ${(error as Error).message}`, {file: at.file, line: at.line});
    }
  };
}
