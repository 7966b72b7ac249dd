import type {ChatMessage, Grade, JudgeUsage} from '../core/types.ts';
import {ExpectedValues} from './expected-values.ts';
import type {GradeInput, Grader} from './grader.ts';
import {judgeMessages, parseVerdict, REMINDER, type JudgeScale} from './judge-prompt.ts';
import type {ModelCall, ModelCaller} from './model-caller.ts';

export interface JudgeVerdict {
  score: number | null;
  label: string | null;
  reasoning: string;
  usage: JudgeUsage;
}

function addUsage(usage: JudgeUsage, call: ModelCall): void {
  usage.inputTokens += call.inputTokens;
  usage.outputTokens += call.outputTokens;
  usage.costUsd = usage.costUsd === null || call.costUsd === null ? null : usage.costUsd + call.costUsd;
  usage.latencyMs += call.latencyMs;
  usage.calls++;
}

/** Asks the judge; if its reply has no parsable verdict, asks once more for just the verdict line. */
export async function askJudge(callModel: ModelCaller, model: string, messages: ChatMessage[], scale: JudgeScale): Promise<JudgeVerdict> {
  const usage: JudgeUsage = {model, inputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 0, calls: 0};
  const first = await callModel(model, messages);
  addUsage(usage, first);
  let verdict = parseVerdict(first.text, scale);
  let reasoning = first.text;
  if (!verdict) {
    const second = await callModel(model, [...messages, {role: 'assistant', content: first.text}, {role: 'user', content: REMINDER(scale)}]);
    addUsage(usage, second);
    verdict = parseVerdict(second.text, scale);
    reasoning = `${first.text}\n${second.text}`;
  }
  return {score: verdict?.score ?? null, label: verdict?.label ?? null, reasoning, usage};
}

export interface JudgeOptions {
  rubric: string;
  model: string;
  scale: JudgeScale;
  /** Pass at or above this score (0..1). For GRADE: C passes, P does not, unless threshold ≤ 0.5. */
  threshold: number;
  reference?: string;
  name?: string;
}

/** LLM-as-judge: any configured model grades the answer against a rubric, with the case's reference when there is one. */
export function judge(opts: JudgeOptions, file: string): Grader {
  const name = opts.name ?? 'judge';
  const refs = opts.reference === undefined ? null : new ExpectedValues(opts.reference, {file, grader: name});
  const referenceFor = (input: Pick<GradeInput, 'vars' | 'expected' | 'caseId'>) => (refs ? (refs.resolve(input)[0] ?? null) : input.expected);
  return {
    name,
    judgeModels: [opts.model],
    check: (input, where) => void refs?.resolve(input, where),
    async grade(input: GradeInput): Promise<Grade> {
      if (!input.callModel) return {grader: name, score: null, pass: null, unscored: true, reason: 'no judge model available to this grader'};
      const messages = judgeMessages({question: input.input, answer: input.output, criteria: opts.rubric, reference: referenceFor(input), scale: opts.scale});
      let verdict: JudgeVerdict;
      try {
        verdict = await askJudge(input.callModel, opts.model, messages, opts.scale);
      } catch (error) {
        return {grader: name, score: null, pass: null, unscored: true, reason: `judge ${opts.model} failed: ${(error as Error).message}`};
      }
      if (verdict.score === null) {
        return {grader: name, score: null, pass: null, unscored: true, reason: `unscored: judge ${opts.model} gave no parsable verdict after a retry`, judge: verdict.usage};
      }
      const pass = verdict.score >= opts.threshold;
      const why = verdict.reasoning.trim().split('\n').filter((l) => !/^(GRADE|SCORE)\s*:/i.test(l.trim())).join(' ').slice(0, 300);
      return {grader: name, score: verdict.score, pass, reason: `${verdict.label} from ${opts.model}: ${why}`, judge: verdict.usage};
    },
  };
}
