import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {type RunMeta, runMetaSchema} from './run-meta.ts';

/**
 * run.json as the reports and the viewer read it: every field that is present and valid, each checked
 * on its own, so a hand-copied or older run still shows what it has. Null when there is no readable
 * JSON object. (--resume needs all of it and reads it strictly: runner/resume-meta.ts.)
 */
export function readRunMeta(dir: string): Partial<RunMeta> | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const meta: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(runMetaSchema.shape)) {
    const value = (raw as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const parsed = schema.safeParse(value);
    if (parsed.success) meta[key] = parsed.data;
  }
  return meta as Partial<RunMeta>;
}
