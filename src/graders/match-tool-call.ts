import type {Ajv, ValidateFunction} from 'ajv';
import type {ToolCall, ToolDef} from '../core/types.ts';
import {createAjv} from './create-ajv.ts';

export type ArgumentMatch = 'exact' | 'subset' | 'schema';

/** A call a grader expects: arguments absent means any arguments the tool's schema accepts. */
export interface ExpectedCall {
  name: string;
  arguments?: Record<string, unknown>;
}

/**
 * Compares a model's calls with expected ones. exact: the same arguments; subset: the expected
 * arguments among others (recursively into objects); schema: arguments the tool's JSON Schema accepts.
 * Expected values are rendered templates, so they are first typed by the tool's schema ("3" → 3
 * where it says number): a CSV column is text, the model's argument is not.
 */
export class ToolCallMatcher {
  readonly mode: ArgumentMatch;
  private readonly tools: Map<string, ToolDef>;
  private readonly validators = new Map<string, ValidateFunction>();
  private ajv: Ajv | null = null;

  constructor(mode: ArgumentMatch, tools: readonly ToolDef[]) {
    this.mode = mode;
    this.tools = new Map(tools.map((t) => [t.name, t]));
  }

  hasTool(name: string): boolean {
    return this.tools.has(name);
  }

  /** Expected arguments typed by the tool's schema. */
  typed(call: ExpectedCall): ExpectedCall {
    if (call.arguments === undefined) return call;
    return {name: call.name, arguments: coerce(call.arguments, this.tools.get(call.name)?.parameters) as Record<string, unknown>};
  }

  /** Null when `actual` matches `expected`, else what differs. */
  mismatch(expected: ExpectedCall, actual: ToolCall): string | null {
    if (actual.name !== expected.name) return `called ${actual.name}, not ${expected.name}`;
    if (typeof actual.arguments === 'string') return `${actual.name}'s arguments are not a JSON object: ${clip(actual.arguments)}`;
    if (this.mode === 'schema' || expected.arguments === undefined) {
      const validate = this.validator(expected.name);
      if (!validate) return this.mode === 'schema' ? `no tool ${expected.name} in the suite's tools to check arguments against` : null;
      if (validate(actual.arguments)) return null;
      return `${actual.name} arguments break its schema: ${(validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`).join('; ')}`;
    }
    const want = this.typed(expected).arguments!;
    const diff = this.mode === 'exact' ? difference(want, actual.arguments, '', false) : difference(want, actual.arguments, '', true);
    return diff === null ? null : `${actual.name}: ${diff}`;
  }

  private validator(name: string): ValidateFunction | null {
    const tool = this.tools.get(name);
    if (!tool) return null;
    let validate = this.validators.get(name);
    if (!validate) {
      this.ajv ??= createAjv({allErrors: true, strict: false});
      validate = this.ajv.compile(tool.parameters);
      this.validators.set(name, validate);
    }
    return validate;
  }
}

/** The first difference between expected and actual (a path and both values), or null when they agree. */
function difference(expected: unknown, actual: unknown, path: string, subset: boolean): string | null {
  const at = path || 'arguments';
  if (isObject(expected) && isObject(actual)) {
    for (const [k, v] of Object.entries(expected)) {
      if (!(k in actual)) return `${join(path, k)} is missing (expected ${show(v)})`;
      const d = difference(v, actual[k], join(path, k), subset);
      if (d) return d;
    }
    if (!subset) {
      const extra = Object.keys(actual).filter((k) => !(k in expected));
      if (extra.length > 0) return `unexpected ${extra.map((k) => join(path, k)).join(', ')}`;
    }
    return null;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return `${at} has ${actual.length} items, expected ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const d = difference(expected[i], actual[i], `${at}[${i}]`, subset);
      if (d) return d;
    }
    return null;
  }
  return expected === actual ? null : `${at} is ${show(actual)}, expected ${show(expected)}`;
}

/** Text rendered from a template, typed where the schema names a number, integer, boolean or null. */
function coerce(value: unknown, schema: unknown): unknown {
  if (!isObject(schema)) return value;
  if (isObject(value)) {
    const props = isObject(schema.properties) ? schema.properties : {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerce(v, props[k])]));
  }
  if (Array.isArray(value)) return value.map((v) => coerce(v, schema.items));
  if (typeof value !== 'string') return value;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('string')) return value;
  const text = value.trim();
  if ((types.includes('number') || types.includes('integer')) && text !== '' && Number.isFinite(Number(text))) return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.includes('null') && text === '') return null;
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function show(v: unknown): string {
  return clip(JSON.stringify(v) ?? String(v));
}

function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** How a list of calls reads in a reason: get_weather({"city":"Paris"}), or "no call". */
export function describeCalls(calls: readonly ToolCall[]): string {
  if (calls.length === 0) return 'no call';
  return calls.map((c) => `${c.name}(${clip(typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments))})`).join(', ');
}
