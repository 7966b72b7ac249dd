/** A finished job as the coordinator reads it: the worker's return value (parsed later), or why it failed. */
export interface FinishedJob {
  result?: unknown;
  failedReason?: string;
}

/** What reading a finished job needs of a BullMQ Queue. */
export interface JobReader {
  getJobState(jobId: string): Promise<string>;
  getJob(jobId: string): Promise<{returnvalue: unknown; failedReason: string} | undefined>;
}

/**
 * A job's result or failure once it is finished for good; undefined while it waits or runs, or when
 * it is gone. The state is read first: BullMQ sets a job's return value and moves it to completed in
 * one step, and a finished job stays finished, so the job read after that state has its result. Read
 * the other way round, a job that finished between the two reads looked completed with no return
 * value (null), and its answer was journaled as a result the coordinator could not read.
 */
export async function readFinishedJob(queue: JobReader, jobId: string): Promise<FinishedJob | undefined> {
  const state = await queue.getJobState(jobId);
  if (state !== 'completed' && state !== 'failed') return undefined;
  const job = await queue.getJob(jobId);
  if (!job) return undefined;
  return state === 'completed' ? {result: job.returnvalue} : {failedReason: job.failedReason};
}
