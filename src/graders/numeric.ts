import {InputError} from '../core/errors.ts';
import type {Grade} from '../core/types.ts';
import {clip} from './exact-match.ts';
import {ExpectedValues} from './expected-values.ts';
import type {Grader} from './grader.ts';

const NUMBER = String.raw`[-−+]?\s*[$€£¥]?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?`;

/** Parses "1,234.5", "$1,234", "−3", "12%" (as 12): currency signs and thousands separators dropped. */
export function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(/−/g, '-').replace(/[$€£¥\s]/g, '').replace(/%$/, '');
  if (!/^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(cleaned)) return null;
  const n = Number(cleaned.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

/**
 * The answer a model gave, GSM8K-style: after "####", after "ANSWER:", inside \boxed{}, else the
 * last number in the text. Returns where it came from, for the reason.
 */
export function extractNumber(output: string): {value: number; via: string} | null {
  const rules: Array<[RegExp, string]> = [
    [new RegExp(String.raw`####\s*(${NUMBER})`), '####'],
    [new RegExp(String.raw`ANSWER\s*:\s*\**\s*(${NUMBER})`, 'i'), 'ANSWER:'],
    [new RegExp(String.raw`\\boxed\{\s*(${NUMBER})\s*\}`), '\\boxed{}'],
  ];
  for (const [re, via] of rules) {
    const m = re.exec(output);
    const value = m ? parseNumber(m[1]!) : null;
    if (value !== null) return {value, via};
  }
  const all = [...output.matchAll(new RegExp(NUMBER, 'g'))];
  for (let i = all.length - 1; i >= 0; i--) {
    const value = parseNumber(all[i]![0]);
    if (value !== null) return {value, via: 'last number'};
  }
  return null;
}

export function numeric(opts: {expected?: string; absTol: number; relTol: number; name?: string}, file: string): Grader {
  const name = opts.name ?? 'numeric';
  const refs = new ExpectedValues(opts.expected, {file, grader: name});
  const expectedNumber = (input: Parameters<Grader['grade']>[0] | Parameters<NonNullable<Grader['check']>>[0], at?: {file: string; line?: number}) => {
    const raw = refs.resolve(input, at)[0] ?? '';
    const value = parseNumber(raw);
    if (value === null) {
      throw new InputError(`case "${input.caseId}": expected value ${JSON.stringify(raw)} is not a number (grader ${name})`, {
        file: at?.file ?? file,
        line: at?.line,
        hint: 'numeric graders compare numbers: write the expected value as e.g. 42, -3.5 or 1,234',
      });
    }
    return value;
  };
  return {
    name,
    check: (input, where) => void expectedNumber(input, where),
    reference: (input) => refs.resolve(input)[0] ?? null,
    grade(input): Grade {
      const want = expectedNumber(input);
      const got = extractNumber(input.output);
      if (!got) return {grader: name, score: 0, pass: false, reason: `no number found in ${JSON.stringify(clip(input.output))}; expected ${want}`};
      const tolerance = Math.max(opts.absTol, opts.relTol * Math.abs(want));
      const pass = Math.abs(got.value - want) <= tolerance;
      return {
        grader: name,
        score: pass ? 1 : 0,
        pass,
        reason: `${pass ? '' : 'wrong: '}got ${got.value} (from ${got.via}), expected ${want}${tolerance > 0 ? ` ± ${tolerance}` : ''}`,
      };
    },
  };
}
