import {z} from 'zod';
import type {ErrorCause} from '../core/types.ts';

// run.json: written when a run starts and again when it ends; --resume reads it back
// (runner/resume-meta.ts). The top level is loose so a field added by a newer assay survives a resume by this one.

export const planOptionsSchema = z.object({
  suites: z.array(z.string()).optional(),
  models: z.array(z.string()).optional(),
  repeat: z.number().int().optional(),
  sample: z.number().int().optional(),
  seed: z.number().optional(),
  /** `assay run --batch`: recorded so --resume continues in batch mode; planning ignores it. */
  batch: z.boolean().optional(),
});
export type PlanOptions = z.infer<typeof planOptionsSchema>;

const breakerState = z.enum(['closed', 'open', 'half-open']);

/** What run.json records per model: enough for a gateway export to call it as it was measured (never a key, only its variable's name). */
export const runModelMetaSchema = z.looseObject({
  provider: z.string(),
  type: z.string(),
  model: z.string(),
  pricing: z.unknown(),
  simulated: z.boolean(),
  wire: z.string().optional(),
  baseURL: z.string().optional(),
  keyEnv: z.string().optional(),
  timeoutMs: z.number().optional(),
  params: z.object({temperature: z.number().optional(), maxTokens: z.number().optional(), topP: z.number().optional()}).optional(),
});
export type RunModelMeta = z.infer<typeof runModelMetaSchema>;

export const runMetaSchema = z.looseObject({
  id: z.string(),
  configFile: z.string(),
  configDigest: z.string(),
  options: planOptionsSchema,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  resumedAt: z.array(z.string()).default([]),
  interrupted: z.boolean(),
  argv: z.array(z.string()),
  versions: z.record(z.string(), z.string()),
  simulated: z.boolean(),
  models: z.record(z.string(), runModelMetaSchema),
  // Runs written before breakers were recorded have none.
  breakerTransitions: z
    .array(
      z.object({
        model: z.string(),
        from: breakerState,
        to: breakerState,
        at: z.string(),
        errorRate: z.number(),
        attempts: z.number(),
        cause: z.custom<ErrorCause>().optional(),
        /** What opened it: the failures in its window, by class. */
        failuresByClass: z.record(z.string(), z.number()).optional(),
      }),
    )
    .default([]),
  /** Queue mode: the Redis URL (password redacted) and the run's queue id, so --resume continues there. */
  queue: z.object({url: z.string(), id: z.string()}).optional(),
});
export type RunMeta = z.infer<typeof runMetaSchema>;
