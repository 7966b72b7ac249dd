import type {ChatMessage} from '../core/types.ts';
import type {ExpectedCall} from '../graders/match-tool-call.ts';

/** What the sandbox knows about a prompt: the right answer, its tags, and its siblings (for plausible wrong answers). */
export interface AnswerKeyEntry {
  /** The right text answer; null when only the right calls are known. */
  expected: string | null;
  tags: string[];
  group: string;
  /** The right tool calls when tools are offered ([] : answer without a call); absent when no grader says. */
  calls?: ExpectedCall[];
}

/**
 * The key a conversation is answered by: its last user message, and how many tool results follow
 * it, so the turn that calls a tool and the turn that answers from its result are told apart.
 */
export function promptOf(messages: ReadonlyArray<Pick<ChatMessage, 'role' | 'content'>>): string {
  let results = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'user') return results === 0 ? m.content : `${m.content}\n[after ${results} tool result${results === 1 ? '' : 's'}]`;
    if (m.role === 'tool') results++;
  }
  return '';
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
    if (entry.expected !== null) group.add(entry.expected);
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
