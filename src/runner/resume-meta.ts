import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {InputError} from '../core/errors.ts';
import {describeProblems} from '../rundir/parse-stored.ts';
import {runMetaSchema, type RunMeta} from '../rundir/run-meta.ts';

export type ResumeMeta = {meta: RunMeta; rebuilt: false} | {meta: null; rebuilt: true; problem: string};

/**
 * Reads run.json for --resume, checked against the schema of what `assay run` writes (fields a newer
 * version added are kept). A torn, foreign or missing run.json (a crash or a full disk while an older
 * version wrote it non-atomically) is not fatal when the journal exists: the caller rebuilds the
 * metadata from the journal and the config. Without a journal there is nothing to resume: exit 2.
 */
export function readResumeMeta(dir: string, display: string): ResumeMeta {
  const file = join(dir, 'run.json');
  const journal = join(dir, 'results.jsonl');
  let problem: string;
  if (!existsSync(file)) {
    problem = 'run.json is missing';
  } else {
    try {
      const parsed = runMetaSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (parsed.success) return {meta: parsed.data, rebuilt: false};
      problem = `run.json is not one written by \`assay run\` (${describeProblems(parsed.error)})`;
    } catch (error) {
      problem = `run.json is not valid JSON (${(error as Error).message})`;
    }
  }
  if (!existsSync(journal)) {
    throw new InputError(existsSync(file) ? `${problem} and there is no results.jsonl to rebuild it from` : 'not a run directory (no run.json, no results.jsonl)', {
      file: existsSync(file) ? join(display, 'run.json') : display,
      hint: 'nothing was saved in this run: start a new one with `assay run`, or pass a directory written by `assay run`, e.g. reports/<runId>',
    });
  }
  return {meta: null, rebuilt: true, problem};
}
