import {compileCondition} from './compile-condition.ts';
import type {CaseOutcomes, RuleCondition} from './policy-types.ts';

/** Fields with more distinct values than this look like ids, not kinds of request. */
const MAX_METADATA_VALUES = 24;

/**
 * Every segment a rule could be written for: each tag, each value of a low-cardinality metadata
 * field, and input-size buckets cut at quantiles of the observed input tokens. Only segments with
 * at least `minCases` cases (and not all of them) are candidates: a rule must be learnable and must
 * leave something to the default.
 */
export function candidateSegments(cases: readonly CaseOutcomes[], minCases: number): RuleCondition[] {
  const n = cases.length;
  const out: RuleCondition[] = [];
  const big = (count: number) => count >= minCases && count <= n - 1;

  const tagCounts = new Map<string, number>();
  for (const c of cases) for (const t of c.tags) tagCounts.set(t, (tagCounts.get(t) ?? 0) + 1);
  for (const [tag, count] of [...tagCounts].sort(([a], [b]) => a.localeCompare(b))) if (big(count)) out.push({tags: [tag]});

  const fieldValues = new Map<string, Map<string, number>>();
  for (const c of cases) {
    for (const [field, value] of Object.entries(c.metadata)) {
      const values = fieldValues.get(field) ?? new Map<string, number>();
      values.set(value, (values.get(value) ?? 0) + 1);
      fieldValues.set(field, values);
    }
  }
  for (const [field, values] of [...fieldValues].sort(([a], [b]) => a.localeCompare(b))) {
    if (values.size < 2 || values.size > MAX_METADATA_VALUES) continue;
    for (const [value, count] of [...values].sort(([a], [b]) => a.localeCompare(b))) {
      if (big(count)) out.push({metadata: {[field]: value}});
    }
  }

  const sizes = cases.map((c) => c.inputTokens).filter((t): t is number => t !== null).sort((a, b) => a - b);
  if (sizes.length >= 2 * minCases && sizes.length >= 0.8 * n) {
    const cuts = new Set<number>();
    for (const q of [0.25, 1 / 3, 0.5, 2 / 3, 0.75]) cuts.add(roundCut(sizes[Math.floor(q * (sizes.length - 1))]!));
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      const below = sizes.filter((s) => s < cut).length;
      if (big(below)) out.push({inputTokens: {max: cut}});
      if (big(sizes.length - below)) out.push({inputTokens: {min: cut}});
    }
  }
  return dedupeBySet(cases, out);
}

/** Two significant digits: a rule that says "under 180 tokens" reads better than "under 183.5". */
function roundCut(x: number): number {
  if (x <= 10) return Math.max(1, Math.ceil(x));
  const magnitude = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Math.round(x / magnitude) * magnitude;
}

/** Candidates that select exactly the same cases (a suite and its only tag) are one candidate; the first (tags) wins. */
function dedupeBySet(cases: readonly CaseOutcomes[], candidates: RuleCondition[]): RuleCondition[] {
  const seen = new Set<string>();
  const out: RuleCondition[] = [];
  for (const cand of candidates) {
    const holds = compileCondition(cand);
    const key = cases.map((c) => (holds(c.tags, c.metadata, c.inputTokens) ? '1' : '0')).join('');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(cand);
  }
  return out;
}

/** Whether a recorded case falls under a condition: the same test route() applies to a live request. */
export function conditionHolds(when: RuleCondition, c: CaseOutcomes): boolean {
  return compileCondition(when)(c.tags, c.metadata, c.inputTokens);
}
