import type {RunMeta} from '../rundir/run-meta.ts';
import type {Summary} from '../runner/summarize.ts';

/** Key/value lines for the report's "Run" section; all plain text (escaped where rendered). */
export function runMetaEntries(meta: Partial<RunMeta> | null, summary: Summary): Array<{key: string; value: string}> {
  const out: Array<{key: string; value: string}> = [{key: 'run id', value: summary.runId}];
  if (!meta) {
    out.push({key: 'run.json', value: 'not found: metadata unavailable'});
    return out;
  }
  const add = (key: string, value: unknown) => {
    if (value === undefined || value === null || value === '') return;
    out.push({key, value: typeof value === 'string' ? value : JSON.stringify(value)});
  };
  add('started', meta.startedAt);
  add('ended', meta.endedAt ?? 'not ended (running, or stopped without finishing)');
  if (meta.interrupted) add('interrupted', 'yes: resume with assay run --resume');
  if (meta.resumedAt && meta.resumedAt.length > 0) add('resumed', meta.resumedAt.join(', '));
  if (meta.argv) add('command', ['assay', ...meta.argv].join(' '));
  add('config', meta.configFile);
  add('config digest', meta.configDigest);
  add('options', meta.options);
  if (meta.versions) add('versions', Object.entries(meta.versions).map(([k, v]) => `${k} ${v}`).join(', '));
  add('simulated', meta.simulated === undefined ? undefined : meta.simulated ? 'yes: sandbox models, not real providers' : 'no');
  return out;
}
