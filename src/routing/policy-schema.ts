import {z} from 'zod';
import {pricingSchema} from '../config/schema.ts';
import {ERROR_CLASSES} from '../core/types.ts';

const share = z.number().min(0).max(1);
const nonNegative = z.number().min(0);
const errorClass = z.enum(ERROR_CLASSES);

const weightedModel = z.strictObject({model: z.string().min(1), weight: share});
const condition = z.strictObject({
  tags: z.array(z.string()).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  inputTokens: z.strictObject({min: nonNegative.optional(), max: nonNegative.optional()}).optional(),
});
const interval = z.tuple([z.number(), z.number()]);
const expected = z.strictObject({
  quality: z.number(),
  costUsdPer1k: nonNegative.nullable(),
  p95LatencyMs: nonNegative.nullable(),
  n: z.number().int().min(0),
  qualityCi95: interval.optional(),
  costUsdPer1kCi95: interval.nullable().optional(),
});
const route = z.array(weightedModel).min(1, 'a route needs at least one model');

const estimate = z.strictObject({
  method: z.string(),
  folds: z.number().int(),
  seed: z.number(),
  n: z.number().int(),
  quality: z.number(),
  costUsdPer1k: z.number().nullable(),
  p95LatencyMs: z.number().nullable(),
  bestSingleModel: z.string(),
  bestSingleQuality: z.number(),
  bestSingleCostUsdPer1k: z.number().nullable(),
  inSampleQuality: z.number(),
  inSampleCostUsdPer1k: z.number().nullable(),
  qualityCi95: interval.optional(),
  costUsdPer1kCi95: interval.nullable().optional(),
  selectionQuality: z.number().optional(),
  selectionCostUsdPer1k: z.number().nullable().optional(),
});

const learned = z.strictObject({
  version: z.literal(1),
  kind: z.literal('linear-gain'),
  base: z.string().min(1),
  features: z.strictObject({
    dim: z.number().int().min(2).max(1 << 22).refine((d) => Number.isInteger(Math.log2(d)), 'must be a power of two'),
    wordNgrams: z.array(z.number().int().min(1).max(5)),
    charNgrams: z.array(z.number().int().min(1).max(8)),
    metadataFields: z.array(z.string()),
  }),
  models: z.array(z.strictObject({model: z.string().min(1), costUsdDelta: z.number(), intercept: z.number(), weights: z.string()})).min(1),
  muPerUsd: nonNegative,
  lambda: nonNegative,
  targetMargin: share.optional(),
  expected: estimate.extend({share: z.record(z.string(), share)}),
});

/** routing-policy.yaml as `assay simulate` and createRouter accept it (hand edits included). */
export const routingPolicySchema = z.strictObject({
  version: z.literal(1),
  generatedAt: z.string(),
  sources: z.array(z.string()),
  objective: z.strictObject({
    minQuality: share.optional(),
    relativeTo: z.literal('best-single-model').optional(),
    maxCostUsdPer1k: nonNegative.optional(),
    maxP95LatencyMs: nonNegative.optional(),
  }),
  models: z.record(
    z.string(),
    z.strictObject({
      provider: z.string().optional(),
      model: z.string().optional(),
      type: z.string().optional(),
      pricing: pricingSchema.optional(),
      simulated: z.boolean().optional(),
      canary: z.boolean().optional(),
      wire: z.string().optional(),
      baseURL: z.string().url().optional(),
      keyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable, not a key').optional(),
      timeoutMs: z.number().int().positive().optional(),
      params: z.strictObject({temperature: z.number().min(0).max(2).optional(), maxTokens: z.number().int().positive().optional(), topP: z.number().min(0).max(1).optional()}).optional(),
    }),
  ),
  rules: z.array(
    z.strictObject({name: z.string(), when: condition, route, fallback: z.array(z.string()), expected: expected.optional(), rationale: z.string().optional()}),
  ),
  default: z.strictObject({route, fallback: z.array(z.string()), expected: expected.optional(), rationale: z.string().optional()}),
  resilience: z.strictObject({
    retry: z.strictObject({
      maxAttempts: z.number().int().min(1),
      baseDelayMs: nonNegative,
      maxDelayMs: nonNegative,
      retryOn: z.array(errorClass),
      retryOnStatus: z.array(z.number().int()),
      respectRetryAfter: z.boolean(),
    }),
    circuitBreaker: z.strictObject({
      errorRate: share,
      minRequests: z.number().int().min(1),
      cooldownMs: nonNegative,
      windowMs: nonNegative,
      countClasses: z.array(errorClass),
    }),
    basis: z.array(z.string()),
  }),
  canary: weightedModel.optional(),
  expected: estimate.optional(),
  curve: z.array(z.strictObject({relativeQuality: z.number(), routes: z.array(z.string())})).optional(),
  learned: learned.optional(),
});
