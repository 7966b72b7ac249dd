import type {Summary} from '../runner/summarize.ts';

/** Models best first: pass rate, then mean score, then cheaper; models with nothing graded last. */
export function rankModels(summary: Pick<Summary, 'models'>): Array<[string, Summary['models'][string]]> {
  const key = (v: number | null) => (v === null ? Number.NEGATIVE_INFINITY : v);
  return Object.entries(summary.models).sort(
    ([la, a], [lb, b]) =>
      key(b.passRate) - key(a.passRate) || key(b.meanScore) - key(a.meanScore) || (a.costPer1kUsd ?? Infinity) - (b.costPer1kUsd ?? Infinity) || la.localeCompare(lb),
  );
}
