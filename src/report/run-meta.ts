import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import type {Summary} from '../runner/summarize.ts';

/** The parts of run.json the reports show. Read defensively: a hand-copied run may lack any of them. */
export interface RunMeta {
  id?: string;
  configFile?: string;
  configDigest?: string;
  options?: unknown;
  startedAt?: string;
  endedAt?: string | null;
  resumedAt?: string[];
  interrupted?: boolean;
  argv?: string[];
  versions?: Record<string, string>;
  simulated?: boolean;
  models?: Record<string, {provider?: string; type?: string; model?: string; pricing?: {inputPerMTok: number; outputPerMTok: number} | null; simulated?: boolean}>;
  breakerTransitions?: Array<{model: string; from: string; to: string; at: string; errorRate: number; attempts: number}>;
}

export function readRunMeta(dir: string): RunMeta | null {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as unknown;
    return meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? (meta as RunMeta) : null;
  } catch {
    return null;
  }
}

/** Key/value lines for the report's "Run" section; all plain text (escaped where rendered). */
export function runMetaEntries(meta: RunMeta | null, summary: Summary): Array<{key: string; value: string}> {
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
