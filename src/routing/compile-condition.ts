import type {RuleCondition} from './policy-types.ts';

/** What a request says about itself for routing; every field is optional and a missing one never matches a condition on it. */
export interface RouteRequest {
  tags?: readonly string[];
  metadata?: Readonly<Record<string, string | number | boolean | null | undefined>>;
  inputTokens?: number | null;
  /** The prompt text, used only to estimate inputTokens when the caller did not count them. */
  input?: string;
  /** Sticky key (user, session, request id): the same key always gets the same weighted pick. */
  key?: string;
}

export type CompiledCondition = (tags: readonly string[], metadata: RouteRequest['metadata'], inputTokens: number | null) => boolean;

/**
 * Turns a rule's `when` into a closure once, so route() does no parsing or allocation per call:
 * that is what keeps it in the microseconds.
 */
export function compileCondition(when: RuleCondition): CompiledCondition {
  const tags = when.tags ?? [];
  const metadata = Object.entries(when.metadata ?? {});
  const min = when.inputTokens?.min;
  const max = when.inputTokens?.max;
  const hasRange = min !== undefined || max !== undefined;
  return (requestTags, requestMetadata, inputTokens) => {
    for (let i = 0; i < tags.length; i++) if (!requestTags.includes(tags[i]!)) return false;
    for (let i = 0; i < metadata.length; i++) {
      const [field, value] = metadata[i]!;
      const actual = requestMetadata?.[field];
      if (actual === undefined || actual === null || String(actual) !== value) return false;
    }
    if (hasRange) {
      if (inputTokens === null) return false;
      if (min !== undefined && inputTokens < min) return false;
      if (max !== undefined && inputTokens >= max) return false;
    }
    return true;
  };
}

/** A short human name for a condition: "tags=math", "suite=capitals", "inputTokens<200". */
export function describeCondition(when: RuleCondition): string {
  const parts: string[] = [];
  if (when.tags?.length) parts.push(`tags=${when.tags.join('+')}`);
  for (const [k, v] of Object.entries(when.metadata ?? {})) parts.push(`${k}=${v}`);
  const {min, max} = when.inputTokens ?? {};
  if (min !== undefined && max !== undefined) parts.push(`${min}<=inputTokens<${max}`);
  else if (min !== undefined) parts.push(`inputTokens>=${min}`);
  else if (max !== undefined) parts.push(`inputTokens<${max}`);
  return parts.join(' ') || 'everything';
}
