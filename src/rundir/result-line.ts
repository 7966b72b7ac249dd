import {z} from 'zod';
import type {Result} from '../core/types.ts';
import {describeProblems} from './parse-stored.ts';

// One line of results.jsonl as read back. The identity every reader keys on is required; the fields
// readers sum or show are type-checked when present; anything else (and fields a newer assay adds)
// passes through unchanged, so reading stays cheap at 100,000 lines.

const nullableNumber = z.number().nullable().optional();

export const resultLineSchema = z.object({
  suiteId: z.string(),
  caseId: z.string(),
  model: z.string(),
  repeat: z.number().int().nonnegative(),
  status: z.enum(['ok', 'error']),
  runId: z.string().optional(),
  error: z.object({class: z.string(), message: z.string()}).nullable().optional(),
  latencyMs: nullableNumber,
  inputTokens: nullableNumber,
  outputTokens: nullableNumber,
  costUsd: nullableNumber,
  grades: z.array(z.object({grader: z.string(), score: z.number().nullable(), pass: z.boolean().nullable()})).optional(),
  score: nullableNumber,
  pass: z.boolean().nullable().optional(),
  tags: z.array(z.string()).optional(),
  toolCalls: z.array(z.object({name: z.string(), arguments: z.union([z.record(z.string(), z.unknown()), z.string()])})).optional(),
});

/** The line as a Result, or the first thing wrong with it (its field and what was expected). */
export function checkResultLine(value: unknown): {result: Result} | {problem: string} {
  const parsed = resultLineSchema.safeParse(value);
  // The original object, not zod's copy: key order and every field stay exactly as written.
  if (parsed.success) return {result: value as Result};
  return {problem: describeProblems(parsed.error, 1)};
}
