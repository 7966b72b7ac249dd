import {z} from 'zod';
import {ERROR_CLASSES} from '../core/types.ts';
import {completionSchema} from '../providers/completion-schema.ts';

// Queue payloads cross a process boundary through Redis: a worker or coordinator of another version,
// or a job some other program put on the queue, must fail with a reason, not a crash later.

// Loose: an assistant turn's toolCalls and a tool result's toolCallId/toolName travel with the message.
const messageSchema = z.looseObject({role: z.enum(['system', 'user', 'assistant', 'tool']), content: z.string()});

/** QueueJobData as a worker reads it. The provider definition is checked for what sending needs; the rest passes through. */
export const queueJobDataSchema = z.looseObject({
  v: z.literal(1),
  run: z.string(),
  key: z.string(),
  gen: z.number().int().nonnegative(),
  request: z.looseObject({
    label: z.string(),
    model: z.string(),
    provider: z.looseObject({id: z.string(), type: z.string()}),
    messages: z.array(messageSchema),
    params: z.record(z.string(), z.unknown()),
    stream: z.boolean(),
  }),
  limits: z.unknown().optional(),
  concurrency: z.number().int().positive(),
});

/** QueueJobResult as the coordinator reads it back. */
export const queueJobResultSchema = z.looseObject({
  v: z.literal(1),
  completion: completionSchema.nullable(),
  error: z
    .object({class: z.enum(ERROR_CLASSES), message: z.string(), status: z.number().nullable(), hint: z.string().nullable(), retryAfterMs: z.number().nullable()})
    .nullable(),
  startedAt: z.string(),
  endedAt: z.string(),
  queueMs: z.number(),
  rateWaitMs: z.number(),
  attempts: z.number().int().nonnegative(),
  worker: z.string(),
});

/** A job's progress as the coordinator reads it: a worker reports each retry it waits out. */
export const jobProgressSchema = z.object({retry: z.object({reason: z.string(), waitMs: z.number(), message: z.string()}).optional()});
