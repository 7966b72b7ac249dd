import {z} from 'zod';

/** One model's measurements in one monitor cycle: a line of series.jsonl. */
export const seriesPointSchema = z.object({
  v: z.literal(1),
  cycle: z.number().int().positive(),
  at: z.string(),
  runId: z.string(),
  model: z.string(),
  n: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  errorsByClass: z.record(z.string(), z.number()),
  graded: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  /** Every answered request's latency, for the rank test against the baseline. */
  latenciesMs: z.array(z.number()),
  costUsd: z.number().nullable(),
});
export type SeriesPoint = z.infer<typeof seriesPointSchema>;

/** A drift the monitor found: a metric of a model that moved away from its own baseline. */
export const driftSchema = z.object({
  v: z.literal(1),
  cycle: z.number().int().positive(),
  at: z.string(),
  model: z.string(),
  metric: z.enum(['pass rate', 'error rate', 'latency']),
  baseline: z.string(),
  current: z.string(),
  pValue: z.number(),
  /** Holm-adjusted across every test of the cycle. */
  pValueAdjusted: z.number(),
});
export type Drift = z.infer<typeof driftSchema>;
