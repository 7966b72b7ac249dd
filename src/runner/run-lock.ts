import {linkSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {InputError} from '../core/errors.ts';
import {asWriteError} from '../core/write-atomic.ts';

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Locks held by this process, removed even when it ends through process.exit (a second Ctrl+C). */
const held = new Set<string>();
let exitHook = false;

/**
 * One writer per run directory: a second `assay run --resume` on a live run is refused. The lock
 * appears whole or not at all (the pid goes to a temp file that is then hard-linked into place,
 * which fails if a lock exists), so a full disk cannot leave an empty lock behind.
 */
export function acquireRunLock(dir: string): () => void {
  const file = join(dir, 'run.lock');
  const tmp = join(dir, `run.lock.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, `${process.pid}\n`);
  } catch (error) {
    rmSync(tmp, {force: true});
    throw asWriteError(file, error);
  }
  try {
    for (let tries = 0; tries < 2; tries++) {
      try {
        linkSync(tmp, file);
        held.add(file);
        if (!exitHook) {
          exitHook = true;
          process.on('exit', () => {
            for (const f of held) rmSync(f, {force: true});
          });
        }
        return () => {
          held.delete(file);
          rmSync(file, {force: true});
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw asWriteError(file, error);
        const pid = Number(readFileSync(file, 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
          throw new InputError(`another assay process (pid ${pid}) is writing this run`, {
            file: dir,
            hint: 'wait for it to finish, or stop it; two writers would interleave the journal',
          });
        }
        // The previous writer is gone (crash, kill -9), or left an empty lock: it is stale.
        rmSync(file, {force: true});
      }
    }
  } finally {
    rmSync(tmp, {force: true});
  }
  throw new InputError('cannot lock the run directory', {file: dir});
}
