import {hash} from 'node:crypto';
import {mkdirSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {z} from 'zod';
import type {ChatMessage, ModelParams} from '../core/types.ts';
import {writeFileAtomic} from '../core/write-atomic.ts';
import {completionSchema} from '../providers/completion-schema.ts';
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

const cachedCompletionSchema = z.object({completion: completionSchema, storedAt: z.string()});

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
  return hash('sha256', JSON.stringify(canonical(identity)), 'hex');
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

  /** The stored entry, or null: a missing, torn or foreign entry is a miss (the request is sent and the entry rewritten). */
  get(key: string): CachedCompletion | null {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(this.path(key), 'utf8'));
    } catch {
      return null;
    }
    const parsed = cachedCompletionSchema.safeParse(value);
    return parsed.success ? (parsed.data as CachedCompletion) : null;
  }

  /**
   * Stores an answer. A cache that cannot be written (a full disk) is not a reason to lose the answer:
   * the entry is skipped (no temp file is left) and false returned; the journal reports the disk.
   */
  set(key: string, completion: Completion): boolean {
    const file = this.path(key);
    try {
      mkdirSync(dirname(file), {recursive: true});
      writeFileAtomic(file, JSON.stringify({completion, storedAt: new Date().toISOString()} satisfies CachedCompletion));
      return true;
    } catch {
      return false;
    }
  }
}
