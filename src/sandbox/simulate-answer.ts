import type {AnswerKey, AnswerKeyEntry} from './answer-key.ts';
import {accuracyFor, type SimModel} from './sim-model.ts';
import {seededRandom, seedFrom} from '../core/seeded-random.ts';

export interface SimAnswer {
  text: string;
  correct: boolean | null;
}

/** Decides a simulated model's answer: deterministic for (seed, model, prompt). */
export function simulateAnswer(model: SimModel, prompt: string, key: AnswerKey, seed: number): SimAnswer {
  const random = seededRandom(seedFrom(seed, model.id, prompt));
  const entry = key.lookup(prompt);
  if (!entry) {
    return {text: `Simulated reply from ${model.id} (assay sandbox): this prompt is not in the sandbox's answer key.`, correct: null};
  }
  if (random() < accuracyFor(model, entry.tags)) {
    const text = random() < model.verbosity ? wrap(entry.expected, random) : entry.expected;
    return {text, correct: true};
  }
  return {text: wrongAnswer(entry, key, random), correct: false};
}

function wrap(answer: string, random: () => number): string {
  if (/^[[{]/.test(answer.trim())) return `\`\`\`json\n${answer}\n\`\`\``;
  const forms = [`The answer is ${answer}.`, `${answer}\n\nLet me know if you need anything else.`, `Sure! ${answer}`];
  return forms[Math.floor(random() * forms.length)]!;
}

function wrongAnswer(entry: AnswerKeyEntry, key: AnswerKey, random: () => number): string {
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
