import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {z} from 'zod';
import {InputError} from '../core/errors.ts';
import type {RunMeta} from './run-benchmark.ts';

/** What --resume needs from run.json; other fields are kept as they are. */
const ResumeFields = z.looseObject({
  id: z.string().min(1),
  configFile: z.string().min(1),
  options: z.looseObject({}),
  resumedAt: z.array(z.string()).default([]),
  breakerTransitions: z.array(z.unknown()).default([]),
});

export type ResumeMeta = {meta: RunMeta; rebuilt: false} | {meta: null; rebuilt: true; problem: string};

/**
 * Reads run.json for --resume. A torn or missing run.json (a crash or a full disk while an older
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
      const parsed = ResumeFields.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (parsed.success) return {meta: parsed.data as unknown as RunMeta, rebuilt: false};
      problem = `run.json lacks ${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}`;
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
