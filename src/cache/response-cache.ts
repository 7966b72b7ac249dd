import {createHash, randomUUID} from 'node:crypto';
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import type {ChatMessage, ModelParams} from '../core/types.ts';
import type {Completion} from '../providers/provider-client.ts';

/** Everything that makes two requests the same request: any change here must miss the cache. */
export interface CacheIdentity {
  providerType: string;
  baseURL: string | null;
  model: string;
  params: ModelParams;
  messages: ChatMessage[];
  stream: boolean;
  suiteId: string;
  caseId: string;
  repeat: number;
}

export interface CachedCompletion {
  completion: Completion;
  storedAt: string;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

export function cacheKey(identity: CacheIdentity): string {
  return createHash('sha256').update(JSON.stringify(canonical(identity))).digest('hex');
}

/**
 * Content-addressed responses on disk, successes only, one file per key written atomically
 * (temp file + rename) so a crash never leaves a half-written entry.
 */
export class ResponseCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): CachedCompletion | null {
    try {
      const entry = JSON.parse(readFileSync(this.path(key), 'utf8')) as CachedCompletion;
      return typeof entry?.completion?.text === 'string' ? entry : null;
    } catch {
      return null;
    }
  }

  set(key: string, completion: Completion): void {
    const file = this.path(key);
    mkdirSync(dirname(file), {recursive: true});
    const tmp = `${file}.${randomUUID()}.tmp`;
    writeFileSync(tmp, JSON.stringify({completion, storedAt: new Date().toISOString()} satisfies CachedCompletion));
    renameSync(tmp, file);
  }
}
