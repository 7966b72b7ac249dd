import type {Result} from '../core/types.ts';

/** How one answer was served, in words: "gpt-4o-2024-08-06 (fp_abc) via Azure". */
function servedAs(r: Result): string | null {
  if (!r.servedModel && !r.upstream) return null;
  return `${r.servedModel ?? '(unnamed)'}${r.systemFingerprint ? ` (${r.systemFingerprint})` : ''}${r.upstream ? ` via ${r.upstream}` : ''}`;
}

/** servedModels one result at a time: a few distinct names per label, never the results. */
export class ServedAccumulator {
  readonly #byLabel = new Map<string, Set<string>>();

  add(r: Result): void {
    const served = servedAs(r);
    if (served === null) return;
    let set = this.#byLabel.get(r.model);
    if (!set) this.#byLabel.set(r.model, (set = new Set()));
    set.add(served);
  }

  served(): Record<string, string[]> {
    return Object.fromEntries([...this.#byLabel].map(([label, set]) => [label, [...set].sort()]));
  }
}

/** Per model label, what actually served its answers (distinct, sorted); labels whose responses name nothing are left out. */
export function servedModels(results: readonly Result[]): Record<string, string[]> {
  const served = new ServedAccumulator();
  for (const r of results) served.add(r);
  return served.served();
}

export interface ServedChange {
  model: string;
  baseline: string[];
  candidate: string[];
}

/**
 * Labels that name the same model in both runs but were served by something else: a new snapshot
 * behind an alias, another deployment, another upstream behind an aggregator. Results are then not
 * comparable as the same model, whatever the label says.
 */
export function servedChanges(baseline: readonly Result[], candidate: readonly Result[]): ServedChange[] {
  const a = servedModels(baseline);
  const b = servedModels(candidate);
  return Object.keys(a)
    .filter((label) => b[label] !== undefined && a[label]!.join('\n') !== b[label]!.join('\n'))
    .sort()
    .map((label) => ({model: label, baseline: a[label]!, candidate: b[label]!}));
}
