import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {z} from 'zod';
import {writeJsonAtomic} from '../core/write-atomic.ts';
import {parseStored} from './parse-stored.ts';

/** batches.json in the run directory: every batch a batch-mode run submitted, written before it is polled. */
export const batchRecordSchema = z.object({
  provider: z.string(),
  /** The model label. */
  model: z.string(),
  batchId: z.string(),
  submittedAt: z.string(),
  /** `submitted` until its results are in the journal (`downloaded`); `lost` when the provider no longer knows it. */
  status: z.enum(['submitted', 'downloaded', 'lost']),
  /** The provider's last status word (in_progress, completed, expired, ended, JOB_STATE_SUCCEEDED...). */
  providerStatus: z.string().optional(),
  endedAt: z.string().optional(),
  turnaroundMs: z.number().optional(),
  /** custom_id → task key ([suite, case, model, repeat] as JSON). */
  items: z.record(z.string(), z.string()),
});
export type BatchRecord = z.infer<typeof batchRecordSchema>;

export const batchStateSchema = z.object({
  version: z.literal(1),
  batches: z.array(batchRecordSchema),
});
export type BatchState = z.infer<typeof batchStateSchema>;

export const BATCH_STATE_FILE = 'batches.json';

/** The run's batches; none when the file is absent, an InputError naming the file when it is torn or foreign. */
export function readBatchState(dir: string): BatchState {
  const file = join(dir, BATCH_STATE_FILE);
  if (!existsSync(file)) return {version: 1, batches: []};
  return parseStored(batchStateSchema, readFileSync(file, 'utf8'), {
    file,
    what: 'batches.json written by `assay run --batch`',
    hint: 'restore the file, or start a new run (the batches it listed stay at the provider until they expire)',
  });
}

/** Written atomically, so a crash leaves the old state or the new one, never half. */
export function writeBatchState(dir: string, state: BatchState): void {
  writeJsonAtomic(join(dir, BATCH_STATE_FILE), state);
}
