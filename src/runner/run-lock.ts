import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {InputError} from '../core/errors.ts';

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One writer per run directory: a second `assay run --resume` on a live run is refused. */
export function acquireRunLock(dir: string): () => void {
  const file = join(dir, 'run.lock');
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, `${process.pid}\n`, {flag: 'wx'});
      return () => rmSync(file, {force: true});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new InputError(`another assay process (pid ${pid}) is writing this run`, {
          file: dir,
          hint: 'wait for it to finish, or stop it; two writers would interleave the journal',
        });
      }
      // The previous writer is gone (crash, kill -9): its lock is stale.
      rmSync(file, {force: true});
    }
  }
  throw new InputError('cannot lock the run directory', {file: dir});
}
