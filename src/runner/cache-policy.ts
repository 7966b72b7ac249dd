import {resolve} from 'node:path';
import type {LoadedConfig} from '../config/load-config.ts';
import {taskParams, type Task} from './plan-tasks.ts';
import {ResponseCache} from '../cache/response-cache.ts';

export function cacheFor(loaded: LoadedConfig, opts: {noCache?: boolean}): ResponseCache | null {
  const setting = loaded.config.cache;
  if (opts.noCache || setting === false || (typeof setting === 'object' && setting.enabled === false)) return null;
  return new ResponseCache(resolve(loaded.rootDir, (typeof setting === 'object' && setting.dir) || '.assay/cache'));
}

/** The cache serves real providers at temperature 0 by default; `cache: true|false` on a provider decides outright. */
export function cacheable(task: Task): boolean {
  const p = task.model.provider;
  if (p.cache !== undefined) return p.cache;
  if (p.type === 'sandbox') return false;
  return taskParams(task).temperature === 0;
}
