import type {AnswerKey, AnswerKeyEntry} from './answer-key.ts';
import {accuracyFor, type SimModel} from './sim-model.ts';
import {seededRandom, seedFrom} from '../core/seeded-random.ts';
import type {ToolCall} from '../core/types.ts';
import {forcedCall, NO_CALL_TEXT, rightCalls, wrongCalls, type ToolOffer} from './simulate-tool-calls.ts';

export interface SimAnswer {
  text: string;
  correct: boolean | null;
  /** Calls made instead of (or beside) the text, when the request offered tools. */
  toolCalls?: ToolCall[];
}

/**
 * Decides a simulated model's answer: deterministic for (seed, model, prompt). A request offering
 * tools, for a case whose right calls are known, is answered with calls: right ones at the model's
 * accuracy, plausible wrong ones otherwise.
 */
export function simulateAnswer(model: SimModel, prompt: string, key: AnswerKey, seed: number, offer?: ToolOffer, structured = false): SimAnswer {
  const random = seededRandom(seedFrom(seed, model.id, prompt));
  const entry = key.lookup(prompt);
  const tools = offer && offer.tools.length > 0 && offer.choice !== 'none' ? offer : null;
  const forced = tools !== null && (tools.choice === 'required' || typeof tools.choice === 'object');
  if (!entry || (entry.expected === null && !(tools && entry.calls))) {
    const text = `Simulated reply from ${model.id} (assay sandbox): this prompt is not in the sandbox's answer key.`;
    return forced ? {text: '', correct: null, toolCalls: [forcedCall(tools, random)]} : {text, correct: null};
  }
  const correct = random() < accuracyFor(model, entry.tags);
  if (tools && entry.calls) {
    const calls = correct ? rightCalls(entry.calls, tools) : wrongCalls(entry.calls, tools, random);
    if (calls.length > 0) return {text: '', correct, toolCalls: calls};
    if (forced) return {text: '', correct: false, toolCalls: [forcedCall(tools, random)]};
    return {text: correct ? (entry.expected ?? NO_CALL_TEXT) : entry.expected === null ? NO_CALL_TEXT : wrongAnswer({...entry, expected: entry.expected}, key, random), correct, toolCalls: []};
  }
  if (entry.expected === null) return {text: NO_CALL_TEXT, correct: null};
  if (correct) {
    // Structured output is JSON as asked: never wrapped in prose or a fence.
    const text = !structured && random() < model.verbosity ? wrap(entry.expected, random) : entry.expected;
    return {text, correct: true};
  }
  return {text: wrongAnswer({...entry, expected: entry.expected}, key, random), correct: false};
}

function wrap(answer: string, random: () => number): string {
  if (/^[[{]/.test(answer.trim())) return `\`\`\`json\n${answer}\n\`\`\``;
  const forms = [`The answer is ${answer}.`, `${answer}\n\nLet me know if you need anything else.`, `Sure! ${answer}`];
  return forms[Math.floor(random() * forms.length)]!;
}

function wrongAnswer(entry: AnswerKeyEntry & {expected: string}, key: AnswerKey, random: () => number): string {
  const expected = entry.expected.trim();
  const number = Number(expected.replace(/,/g, ''));
  if (expected !== '' && Number.isFinite(number)) {
    const offset = (1 + Math.floor(random() * 9)) * (random() < 0.5 ? -1 : 1);
    const wrong = Number.isInteger(number) ? number + offset : Number((number + offset / 10).toFixed(4));
    return String(wrong);
  }
  if (/^[[{]/.test(expected)) {
    try {
      return JSON.stringify(corrupt(JSON.parse(expected), random));
    } catch {
      return expected.slice(0, Math.max(1, Math.floor(expected.length / 2)));
    }
  }
  const others = key.siblings(entry.group).filter((s) => s.trim() !== expected);
  if (others.length > 0) return others[Math.floor(random() * others.length)]!;
  return "I'm not sure.";
}

function corrupt(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.length > 1 ? value.slice(0, -1) : [];
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return {error: 'unknown'};
    const i = Math.floor(random() * entries.length);
    const [k, v] = entries[i]!;
    const replaced = typeof v === 'number' ? v + 1 : typeof v === 'string' ? (v === '' ? 'unknown' : v.toUpperCase() === v ? v.toLowerCase() : v.toUpperCase()) : v === null ? 'unknown' : null;
    return Object.fromEntries(entries.map(([key, val], j) => [key, j === i ? replaced : val]).concat(k === undefined ? [] : []));
  }
  return null;
}
