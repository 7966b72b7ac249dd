import type {Grade} from '../core/types.ts';
import type {Grader} from './grader.ts';

const FENCE = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/;

/** Parses output as JSON; a single ```json fence around it is accepted (and said so in the reason). */
export function parseJsonOutput(output: string): {ok: true; value: unknown; fenced: boolean} | {ok: false; error: string} {
  const trimmed = output.trim();
  const fenced = FENCE.exec(trimmed);
  const body = fenced ? fenced[1]! : trimmed;
  try {
    return {ok: true, value: JSON.parse(body), fenced: fenced !== null};
  } catch (error) {
    return {ok: false, error: (error as Error).message};
  }
}

export function jsonValid(opts: {name?: string}): Grader {
  const name = opts.name ?? 'json-valid';
  return {
    name,
    grade(input): Grade {
      const parsed = parseJsonOutput(input.output);
      return parsed.ok
        ? {grader: name, score: 1, pass: true, reason: parsed.fenced ? 'valid JSON (inside a ``` fence)' : 'valid JSON'}
        : {grader: name, score: 0, pass: false, reason: `not valid JSON: ${parsed.error}`};
    },
  };
}
