import {describe, expect, it} from 'vitest';
import {readFinishedJob, type JobReader} from './read-finished-job.ts';

/** One job on a queue that finishes (sets its return value and state together) after `finishAfterReads` reads. */
function racingQueue(finishAfterReads: number, outcome: {returnvalue?: unknown; failedReason?: string}): JobReader {
  let reads = 0;
  let state = 'active';
  let job = {returnvalue: null as unknown, failedReason: ''};
  const read = () => {
    if (++reads > finishAfterReads && state === 'active') {
      state = outcome.failedReason ? 'failed' : 'completed';
      job = {returnvalue: outcome.returnvalue ?? null, failedReason: outcome.failedReason ?? ''};
    }
  };
  return {
    getJobState: async () => {
      read();
      return state;
    },
    // A copy, as BullMQ's getJob returns the hash as it was when read.
    getJob: async () => {
      read();
      return {...job};
    },
  };
}

describe('readFinishedJob', () => {
  it('never reads a job that finishes between its two reads as finished without a result', async () => {
    // The job finishes right after the first read, whichever that is.
    expect(await readFinishedJob(racingQueue(1, {returnvalue: {v: 1}}), 'j')).toBeUndefined();
    expect(await readFinishedJob(racingQueue(0, {returnvalue: {v: 1}}), 'j')).toEqual({result: {v: 1}});
  });

  it('gives a failed job its reason, and nothing for one still running or gone', async () => {
    expect(await readFinishedJob(racingQueue(0, {failedReason: 'stalled'}), 'j')).toEqual({failedReason: 'stalled'});
    expect(await readFinishedJob(racingQueue(99, {returnvalue: 1}), 'j')).toBeUndefined();
    const gone: JobReader = {getJobState: async () => 'completed', getJob: async () => undefined};
    expect(await readFinishedJob(gone, 'j')).toBeUndefined();
  });
});
