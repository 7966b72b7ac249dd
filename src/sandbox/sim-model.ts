import type {SimProfile} from '../config/schema.ts';

/** A simulated model's resolved behaviour. */
export interface SimModel {
  id: string;
  accuracy: Record<string, number> & {default: number};
  ttftMs: number;
  msPerToken: number;
  latencySigma: number;
  verbosity: number;
  /** As a judge: chance a reply has no parsable verdict. */
  judgeFormatErrors: number;
  /** As a pairwise judge: chance it just prefers whichever answer came first. */
  positionBias: number;
  /** Continuous-batching capacity (a self-hosted deployment); null serves every request at once at full speed. */
  capacity?: SimCapacity | null;
  /** Chances per request; slowHeaders (headers only after slowHeadersMs) is set by tests, not by config profiles. */
  faults: {rateLimit: number; server: number; reset: number; stall: number; malformed: number; retryAfterS: number; slowHeadersMs: number; slowHeaders?: number};
  /** Reasoning tokens per reply (a "thinking" model), 0 for none. */
  reasoningTokens: number;
  /** Prompt-prefix caching, or null when off. */
  promptCache: {minTokens: number; ttl: '5m' | '1h'} | null;
  /** A gateway's own price for each request, reported in usage.cost or a header; null when it reports none. */
  reportCost: {inputPerMTok: number; outputPerMTok: number; cacheReadPerMTok?: number; via: 'usage' | 'header'} | null;
}

export interface SimCapacity {
  maxConcurrent: number;
  queueLimit: number;
  slowdownPerActive: number;
  overloadStatus: 429 | 503;
}

export function resolveSimModel(id: string, profile: SimProfile | undefined): SimModel {
  const acc = profile?.accuracy;
  return {
    id,
    accuracy: typeof acc === 'number' ? {default: acc} : {default: 0.8, ...(acc ?? {})},
    ttftMs: profile?.ttftMs ?? 150,
    msPerToken: profile?.msPerToken ?? 5,
    latencySigma: profile?.latencySigma ?? 0.35,
    verbosity: profile?.verbosity ?? 0,
    judgeFormatErrors: profile?.judgeFormatErrors ?? 0,
    positionBias: profile?.positionBias ?? 0,
    capacity: profile?.capacity
      ? {
          maxConcurrent: profile.capacity.maxConcurrent,
          queueLimit: profile.capacity.queueLimit ?? 4 * profile.capacity.maxConcurrent,
          slowdownPerActive: profile.capacity.slowdownPerActive ?? 0,
          overloadStatus: profile.capacity.overloadStatus ?? 429,
        }
      : null,
    faults: {
      rateLimit: profile?.faults?.rateLimit ?? 0,
      server: profile?.faults?.server ?? 0,
      reset: profile?.faults?.reset ?? 0,
      stall: profile?.faults?.stall ?? 0,
      malformed: profile?.faults?.malformed ?? 0,
      retryAfterS: profile?.faults?.retryAfterS ?? 1,
      slowHeadersMs: profile?.faults?.slowHeadersMs ?? 2000,
    },
    reasoningTokens: profile?.reasoningTokens ?? 0,
    // Real providers cache prefixes of at least 1,024 tokens; the sandbox's prompts are short, so its default is lower.
    promptCache: !profile?.promptCache ? null : {minTokens: (profile.promptCache === true ? undefined : profile.promptCache.minTokens) ?? 32, ttl: (profile.promptCache === true ? undefined : profile.promptCache.ttl) ?? '5m'},
    reportCost: profile?.reportCost ? {...profile.reportCost, via: profile.reportCost.via ?? 'usage'} : null,
  };
}

/** The accuracy that applies to a request: the lowest among its tags that the profile names, else the default. */
export function accuracyFor(model: SimModel, tags: string[]): number {
  const named = tags.map((t) => model.accuracy[t]).filter((v): v is number => v !== undefined);
  return named.length > 0 ? Math.min(...named) : model.accuracy.default;
}
