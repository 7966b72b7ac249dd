import {existsSync, lstatSync, readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import type {LoadReport} from './load-types.ts';

/** A load run as the viewer lists it. */
export interface LoadRunListing {
  /** The directory's name: the only handle the viewer accepts. */
  id: string;
  dir: string;
  startedAt: string | null;
  profile: string;
  simulated: boolean;
  models: Array<{label: string; saturationRps: number | null; steps: number}>;
}

/** The reports directory's load runs (directories with a load.json), newest first. */
export function listLoadRuns(reportsDir: string): LoadRunListing[] {
  let names: string[];
  try {
    names = readdirSync(reportsDir);
  } catch {
    return [];
  }
  const out: LoadRunListing[] = [];
  for (const id of names) {
    const dir = join(reportsDir, id);
    try {
      // Real directories only: a symlink could lead the viewer outside the reports directory.
      if (!lstatSync(dir).isDirectory() || !existsSync(join(dir, 'load.json'))) continue;
      const report = JSON.parse(readFileSync(join(dir, 'load.json'), 'utf8')) as Partial<LoadReport>;
      if (report.kind !== 'load') continue;
      out.push({
        id,
        dir,
        startedAt: typeof report.startedAt === 'string' ? report.startedAt : null,
        profile: String(report.profile ?? '?'),
        simulated: Boolean(report.simulated),
        models: Object.values(report.models ?? {}).map((m) => ({label: String(m.label), saturationRps: typeof m.saturationRps === 'number' ? m.saturationRps : null, steps: Array.isArray(m.steps) ? m.steps.length : 0})),
      });
    } catch {
      // unreadable or half-written: not listed
    }
  }
  return out.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '') || b.id.localeCompare(a.id));
}
