import {randomBytes} from 'node:crypto';
import {closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync} from 'node:fs';
import {AssayError} from './errors.ts';

/** Error codes that mean the disk (not assay) refused a write: the run can go on once it is fixed. */
const WRITE_CODES = new Set(['ENOTDIR', 'EISDIR', 'ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EMFILE', 'ENFILE', 'EBADF']);

/** A file assay could not write: exit 3, naming the file and the fix. */
export class WriteError extends AssayError {
  readonly path: string;
  readonly errno: string;

  constructor(path: string, errno: string, opts: {hint?: string; cause?: unknown} = {}) {
    super('write-failed', `cannot write ${path}: ${errno}${describe(errno)}`, {hint: opts.hint ?? hintFor(errno), exitCode: 3, cause: opts.cause});
    this.name = 'WriteError';
    this.path = path;
    this.errno = errno;
  }

  /** The same failure, with how to go on (e.g. the --resume command) added to its hint. */
  withResume(command: string): WriteError {
    return new WriteError(this.path, this.errno, {hint: `${hintFor(this.errno)}, then continue with: ${command}`, cause: this.cause});
  }
}

function describe(errno: string): string {
  switch (errno) {
    case 'ENOSPC':
    case 'EDQUOT':
      return ' (no space left on the disk)';
    case 'EACCES':
    case 'EPERM':
      return ' (permission denied)';
    case 'EROFS':
      return ' (read-only file system)';
    case 'EIO':
      return ' (input/output error from the disk)';
    default:
      return '';
  }
}

function hintFor(errno: string): string {
  if (errno === 'ENOSPC' || errno === 'EDQUOT') return 'free disk space';
  if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS') return 'make the directory writable (or pass --out to write elsewhere)';
  return 'check the disk';
}

/** The WriteError for a failed file operation, or the error itself when it is not a disk refusal. */
export function asWriteError(path: string, error: unknown): unknown {
  if (error instanceof WriteError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && WRITE_CODES.has(code) ? new WriteError((error as NodeJS.ErrnoException).path ?? path, code, {cause: error}) : error;
}

/**
 * Replaces `file` with `content` so a reader never sees a torn or empty file: the bytes go to a temp
 * file in the same directory, are synced, then renamed over the target (a rename is atomic on one
 * file system). On any failure the temp file is removed and the old file is left as it was.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array | Iterable<string>): void {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  let fd = -1;
  try {
    fd = openSync(tmp, 'w');
    if (typeof content === 'string' || content instanceof Uint8Array) writeAll(fd, content);
    else for (const piece of content) writeAll(fd, piece);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, file);
  } catch (error) {
    if (fd !== -1) {
      try {
        closeSync(fd);
      } catch {
        // the write already failed; the close error adds nothing
      }
    }
    rmSync(tmp, {force: true});
    throw asWriteError(file, error);
  }
}

function writeAll(fd: number, content: string | Uint8Array): void {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  for (let offset = 0; offset < bytes.byteLength; ) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
}

/** writeFileAtomic for a JSON document, pretty-printed with a final newline. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
