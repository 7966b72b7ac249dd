import {z} from 'zod';
import type {FinishReason} from '../core/types.ts';
import type {Completion} from './provider-client.ts';

const FINISH_REASONS = ['stop', 'length', 'content-filter', 'tool-call', 'error', 'other'] as const satisfies readonly FinishReason[];

/**
 * A Completion as stored (cache entries) or carried between processes (queue job results). Loose: a
 * field this version does not know is kept, not dropped.
 */
export const completionSchema = z.looseObject({
  text: z.string(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  finishReason: z.enum(FINISH_REASONS),
  finishReasonRaw: z.string().nullable(),
  latencyMs: z.number(),
  ttftMs: z.number().nullable(),
}) satisfies z.ZodType<Completion>;
