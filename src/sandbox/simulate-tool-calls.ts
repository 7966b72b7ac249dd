import type {ToolCall, ToolChoice, ToolDef} from '../core/types.ts';
import type {ExpectedCall} from '../graders/match-tool-call.ts';

/** The tools a request offered, and its tool choice as the wire said it. */
export interface ToolOffer {
  tools: ToolDef[];
  choice: ToolChoice | undefined;
}

/** Text said instead of a call. */
export const NO_CALL_TEXT = 'I can answer this without calling a tool.';

/** The right calls: expected arguments, with whatever the tool requires and the grader left open filled in. */
export function rightCalls(expected: readonly ExpectedCall[], offer: ToolOffer): ToolCall[] {
  return expected.map((c) => ({name: c.name, arguments: {...exampleArguments(toolOf(offer, c.name)?.parameters), ...c.arguments}}));
}

/**
 * A plausible wrong answer to a request with tools: an argument off, the wrong tool, a call left
 * out of several, or no call at all; a call where none was expected. Deterministic for the draws.
 */
export function wrongCalls(expected: readonly ExpectedCall[], offer: ToolOffer, random: () => number): ToolCall[] {
  const forced = offer.choice === 'required' || typeof offer.choice === 'object';
  if (expected.length === 0) return [forcedCall(offer, random)];
  const right = rightCalls(expected, offer);
  const others = offer.tools.filter((t) => !expected.some((c) => c.name === t.name));
  const mistakes = ['argument', ...(others.length > 0 && !forced ? ['tool'] : []), ...(forced ? [] : ['none']), ...(right.length > 1 ? ['drop'] : [])];
  const mistake = mistakes[Math.floor(random() * mistakes.length)]!;
  if (mistake === 'none') return [];
  if (mistake === 'drop') return right.slice(0, -1);
  if (mistake === 'tool') {
    // Another tool, fed what the question was about: the right call's values where the names match, else its first text.
    const tool = others[Math.floor(random() * others.length)]!;
    const source = right[0]!.arguments as Record<string, unknown>;
    const text = Object.values(source).find((v) => typeof v === 'string');
    const args = Object.fromEntries(Object.entries(exampleArguments(tool.parameters)).map(([k, v]) => [k, k in source && typeof source[k] === typeof v ? source[k] : typeof v === 'string' && text !== undefined ? text : v]));
    return [{name: tool.name, arguments: args}, ...right.slice(1)];
  }
  const i = Math.floor(random() * right.length);
  return right.map((c, j) => (j === i ? {name: c.name, arguments: offArgument(c.arguments as Record<string, unknown>, Object.keys(expected[i]!.arguments ?? {}), random)} : c));
}

/** A call the tool choice demands when the model would make none: the named tool, or one of those offered. */
export function forcedCall(offer: ToolOffer, random: () => number): ToolCall {
  const tool = typeof offer.choice === 'object' ? (toolOf(offer, offer.choice.name) ?? offer.tools[0]!) : offer.tools[Math.floor(random() * offer.tools.length)]!;
  return {name: tool.name, arguments: exampleArguments(tool.parameters)};
}

function toolOf(offer: ToolOffer, name: string): ToolDef | undefined {
  return offer.tools.find((t) => t.name === name);
}

/**
 * One argument off, among those the grader checks: a number moved, a string's case flipped (or
 * replaced when it has none), a flag inverted. Where the grader names none (it checks the schema), a
 * required argument is left out instead.
 */
function offArgument(args: Record<string, unknown>, checked: string[], random: () => number): Record<string, unknown> {
  if (checked.length === 0) {
    const keys = Object.keys(args);
    if (keys.length === 0) return {unexpected: true};
    const dropped = keys[Math.floor(random() * keys.length)]!;
    return Object.fromEntries(Object.entries(args).filter(([k]) => k !== dropped));
  }
  const key = checked[Math.floor(random() * checked.length)]!;
  const v = args[key];
  const off =
    typeof v === 'number' ? v + 1 + Math.floor(random() * 9) : typeof v === 'boolean' ? !v : typeof v === 'string' ? (v.toUpperCase() !== v ? v.toUpperCase() : v.toLowerCase() !== v ? v.toLowerCase() : `${v}x`) : null;
  return {...args, [key]: off};
}

/** Values a JSON Schema accepts for the properties it requires (all of them when it lists none): the first enum value, else a typical one. */
export function exampleArguments(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const value = example(schema);
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A value a JSON Schema accepts: the first enum value or const, else a typical one of its type, objects with their required properties. */
export function example(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object') return null;
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ('const' in s) return s.const;
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return 'example';
    case 'number':
    case 'integer':
      return typeof s.minimum === 'number' ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'null':
      return null;
    default: {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const keys = Array.isArray(s.required) ? (s.required as string[]) : Object.keys(props);
      return Object.fromEntries(keys.map((k) => [k, example(props[k])]));
    }
  }
}
