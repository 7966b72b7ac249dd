import {compileTemplate} from './render-template.ts';

export type CompiledValue = (vars: Record<string, unknown>, where: {file: string; caseId: string; line?: number}) => unknown;

const WHOLE_PLACEHOLDER = /^\{\{\s*([A-Za-z_][\w-]*)\s*\}\}$/;

/**
 * A JSON value whose strings are templates (tool-call arguments, expected calls). A string that is
 * one placeholder and nothing else inserts the variable as it is, so a JSON dataset's number, object
 * or list keeps its type; any other string renders as text.
 */
export function compileValueTemplate(value: unknown, where: {file: string; field: string; line?: number}): CompiledValue {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value)?.[1];
    const render = compileTemplate(value, where);
    if (whole === undefined) return render;
    return (vars, at) => (whole in vars && vars[whole] !== null && typeof vars[whole] !== 'string' ? vars[whole] : render(vars, at));
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileValueTemplate(v, {...where, field: `${where.field}[${i}]`}));
    return (vars, at) => items.map((item) => item(vars, at));
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compileValueTemplate(v, {...where, field: `${where.field}.${k}`})] as const);
    return (vars, at) => Object.fromEntries(entries.map(([k, render]) => [k, render(vars, at)]));
  }
  return () => value;
}
