import type {ChatMessage} from '../core/types.ts';
import {normalize} from '../graders/normalize.ts';
import type {AnswerKey} from './answer-key.ts';
import {seededRandom, seedFrom} from '../core/seeded-random.ts';
import type {SimModel} from './sim-model.ts';

function between(text: string, open: string, close: string): string | null {
  const start = text.indexOf(open);
  if (start === -1) return null;
  const end = text.indexOf(close, start + open.length);
  return end === -1 ? null : text.slice(start + open.length, end).replace(/^\n/, '').replace(/\n$/, '');
}

function fenced(text: string, label: string): string | null {
  const m = new RegExp(`<(${label}-[0-9a-f]{10})>\\n([\\s\\S]*?)\\n</\\1>`).exec(text);
  return m ? m[2]! : null;
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a.replace(/^```(?:json)?\s*|\s*```$/g, ''))) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

/** Does the answer say what the reference says? (Meaning-level enough for simulated judging.) */
export function agrees(answer: string, reference: string): boolean {
  const a = normalize(answer, 'squad');
  const r = normalize(reference, 'squad');
  if (r === '') return a === '';
  return a === r || ` ${a} `.includes(` ${r} `) || sameJson(answer.trim(), reference.trim());
}

/**
 * The sandbox as a judge model: recognises assay's judge and pairwise prompts and answers with a
 * verdict that is right with the model's accuracy, deterministic for (seed, model, prompt).
 * Returns null for any other prompt.
 */
export function simulateJudge(model: SimModel, messages: ChatMessage[], key: AnswerKey, seed: number): string | null {
  const users = messages.filter((m) => m.role === 'user');
  const prompt = users[0]?.content ?? '';
  if (!prompt.includes('<criteria>')) return null;
  const reminder = users.length > 1;
  const random = seededRandom(seedFrom(seed, model.id, prompt, reminder ? 'again' : 'first'));
  if (random() < model.judgeFormatErrors) return 'The answer looks reasonable overall, though I would want more context.';
  const question = between(prompt, '<question>\n', '\n</question>') ?? '';
  const reference = between(prompt, '<reference>\n', '\n</reference>') ?? key.lookup(question)?.expected ?? null;
  const truthful = random() < model.accuracy.default;

  if (prompt.includes('VERDICT:')) {
    if (random() < model.positionBias) return 'The first answer is more complete.\nVERDICT: A';
    const a = fenced(prompt, 'answer-a') ?? '';
    const b = fenced(prompt, 'answer-b') ?? '';
    const okA = reference === null ? true : agrees(a, reference);
    const okB = reference === null ? true : agrees(b, reference);
    let verdict = okA === okB ? 'TIE' : okA ? 'A' : 'B';
    if (!truthful && verdict !== 'TIE') verdict = verdict === 'A' ? 'B' : 'A';
    return `Comparing both answers with the criteria${reference === null ? '' : ' and the reference'}.\nVERDICT: ${verdict}`;
  }

  const answer = fenced(prompt, 'answer') ?? '';
  let correct = reference === null ? answer.trim() !== '' : agrees(answer, reference);
  if (!truthful) correct = !correct;
  const scale10 = prompt.includes('SCORE: N/10');
  const verdict = scale10 ? `SCORE: ${correct ? 9 : 2}/10` : `GRADE: ${correct ? 'C' : 'I'}`;
  if (reminder) return verdict;
  return `The answer ${correct ? 'is consistent with' : 'does not match'} ${reference === null ? 'the criteria' : 'the reference'}.\n${verdict}`;
}
