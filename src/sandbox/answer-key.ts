/** What the sandbox knows about a prompt: the right answer, its tags, and its siblings (for plausible wrong answers). */
export interface AnswerKeyEntry {
  expected: string;
  tags: string[];
  group: string;
}

/**
 * The sandbox learns right answers by registration (the runner registers each suite's cases before
 * a run), keyed by the final user message, so simulated quality is real quality against the graders.
 */
export class AnswerKey {
  private readonly entries = new Map<string, AnswerKeyEntry>();
  private readonly groups = new Map<string, Set<string>>();

  static keyOf(prompt: string): string {
    return prompt.trim();
  }

  register(prompt: string, entry: AnswerKeyEntry): void {
    this.entries.set(AnswerKey.keyOf(prompt), entry);
    let group = this.groups.get(entry.group);
    if (!group) this.groups.set(entry.group, (group = new Set()));
    group.add(entry.expected);
  }

  lookup(prompt: string): AnswerKeyEntry | undefined {
    return this.entries.get(AnswerKey.keyOf(prompt));
  }

  siblings(group: string): string[] {
    return [...(this.groups.get(group) ?? [])];
  }

  get size(): number {
    return this.entries.size;
  }
}
