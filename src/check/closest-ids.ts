/** Gemini lists "models/gemini-2.0-flash" and accepts both spellings, so ids are compared without that prefix. */
export function bareModelId(id: string): string {
  return id.replace(/^models\//, '');
}

/** Edit distance where swapping two neighbours costs 1 (optimal string alignment): "sim-rael" is one typo from "sim-real". */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({length: rows}, (_, i) => Array.from({length: cols}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The listed ids a mistyped model id most likely meant, best first. Distance is normalised by length so
 * long dated ids are not penalised for their length, and containment ("gpt-4o-mini" in
 * "gpt-4o-mini-2024-07-18") halves it: a missing date suffix is the commonest mistake of all.
 */
export function closestIds(target: string, candidates: readonly string[], limit = 3): string[] {
  const wanted = bareModelId(target).toLowerCase();
  if (wanted === '') return [];
  const scored: Array<{id: string; score: number}> = [];
  for (const id of new Set(candidates)) {
    const other = bareModelId(id).toLowerCase();
    if (other === '') continue;
    const distance = editDistance(wanted, other) / Math.max(wanted.length, other.length);
    const contains = other.includes(wanted) || wanted.includes(other);
    const score = contains ? distance / 2 : distance;
    // From two characters in five changed on, a "suggestion" is noise.
    if (score < 0.4) scored.push({id, score});
  }
  scored.sort((x, y) => x.score - y.score || x.id.localeCompare(y.id));
  return scored.slice(0, limit).map((s) => s.id);
}
