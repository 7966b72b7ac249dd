import type {Grade, ToolCall} from '../core/types.ts';
import type {ExpectedCall} from './match-tool-call.ts';
import type {ModelCaller} from './model-caller.ts';

/** What a grader sees: the output and the case it answers. Async so judge graders fit the same shape. */
export interface GradeInput {
  output: string;
  vars: Record<string, unknown>;
  expected: string | null;
  caseId: string;
  latencyMs: number | null;
  costUsd: number | null;
  /** The prompt the model answered, as text (what a judge is told the question was). */
  input: string;
  /** The tools the model called, when the suite offers tools (empty: it answered without a call). */
  toolCalls?: ToolCall[];
  /** Lets judge graders call a configured model; absent where no model may be called. */
  callModel?: ModelCaller;
}

export interface Grader {
  readonly name: string;
  /** Model labels this grader calls as a judge, so the runner can prepare their clients. */
  readonly judgeModels?: string[];
  grade(input: GradeInput): Grade | Promise<Grade>;
  /** The right answer for a case, where the grader knows one (the sandbox learns answers from it). */
  reference?(input: Pick<GradeInput, 'vars' | 'expected' | 'caseId'>): string | null;
  /** The calls a case expects, where the grader knows them ([] for "no call"); the sandbox learns them from it. */
  toolReference?(input: Pick<GradeInput, 'vars' | 'expected' | 'caseId'>): ExpectedCall[] | null;
  /** Called for every case at load time so template mistakes surface before anything is paid for. */
  check?(input: Pick<GradeInput, 'vars' | 'expected' | 'caseId'>, where: {file: string; line?: number}): void;
}
