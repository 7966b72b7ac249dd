/** A request's identity in a run: [suite, case, model label, repeat] as JSON; the journal, batches and queue jobs all key on it. */
export function taskKey(suiteId: string, caseId: string, model: string, repeat: number): string {
  return JSON.stringify([suiteId, caseId, model, repeat]);
}
