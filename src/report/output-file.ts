import {copyFileSync, existsSync, renameSync, statSync} from 'node:fs';
import {extname, join, resolve} from 'node:path';
import {InputError} from '../core/errors.ts';

/** Which file of a run directory a promptfoo-style `-o FILE` asks for, by its extension. */
const RUN_FILE_BY_EXTENSION: Record<string, string> = {
  '.json': 'summary.json',
  '.jsonl': 'results.jsonl',
  '.csv': 'results.csv',
  '.html': 'report.html',
  '.htm': 'report.html',
};

/**
 * `--out` names a reports directory, but promptfoo users type `-o results.json`. A value with a file
 * extension is read as that: the run goes to the default directory and the file is written too. An
 * extension we cannot honour is refused before anything runs, rather than becoming a directory `out.txt/`.
 */
export function parseOutputFile(out: string | undefined): string | null {
  if (out === undefined) return null;
  const extension = extname(out).toLowerCase();
  if (extension === '' || (existsSync(out) && statSync(out).isDirectory())) return null;
  if (RUN_FILE_BY_EXTENSION[extension]) return resolve(out);
  throw new InputError(`--out ${out}: assay writes reports to a directory; it cannot write a "${extension}" file`, {
    hint: `name a directory (--out reports), or a file ending in ${Object.keys(RUN_FILE_BY_EXTENSION).join(', ')} (summary, results, CSV or HTML report)`,
  });
}

/** Copies the run-directory file that `file`'s extension asks for to `file`, atomically. */
export function writeOutputFile(runDir: string, file: string): string {
  const source = join(runDir, RUN_FILE_BY_EXTENSION[extname(file).toLowerCase()]!);
  const tmp = `${file}.${process.pid}.tmp`;
  copyFileSync(source, tmp);
  renameSync(tmp, file);
  return file;
}
