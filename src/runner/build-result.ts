import type {ChatMessage, CostBreakdown, Result} from '../core/types.ts';
import {gradeOutput} from '../graders/grade-output.ts';
import type {ModelCaller} from '../graders/model-caller.ts';
import {estimateTokens} from '../providers/estimate-tokens.ts';
import type {Completion} from '../providers/provider-client.ts';
import type {ProviderError} from '../providers/provider-error.ts';
import {cacheRatiosFor, priceRequest} from './cost.ts';
import {taskParams, type Task} from './plan-tasks.ts';

/** How a task's answer (or failure) came about: whoever sent the request (runner, batch, queue worker) says. */
export interface TaskOutcome {
  runId: string;
  callModel?: ModelCaller;
  startedAt: Date;
  endedAt: Date;
  queueMs: number;
  rateWaitMs: number;
  /** Requests that actually went out. */
  attempts: number;
  cached: boolean;
  completion: Completion | null;
  error: ProviderError | null;
  /** Price per million tokens is multiplied by this (batch APIs bill at a discount). */
  priceFactor?: number;
  /** Extra fields for the journal line (e.g. batch id and turnaround). */
  extra?: Partial<Result>;
}

/** Grades a completion and assembles the journal line; an error becomes an error line. */
export async function buildResult(task: Task, o: TaskOutcome): Promise<Result> {
  const {model, suite, testCase} = task;
  const provider = model.provider;
  const input = testCase.messages.map((m) => (testCase.messages.length > 1 ? `${m.role}: ${m.content}${callsText(m.toolCalls)}` : m.content)).join('\n');
  const base = {
    runId: o.runId,
    suiteId: suite.id,
    caseId: testCase.id,
    model: model.label,
    provider: provider.id,
    repeat: task.repeat,
    tags: testCase.tags,
    attempts: o.attempts,
    startedAt: o.startedAt.toISOString(),
    endedAt: o.endedAt.toISOString(),
    queueMs: round(o.queueMs),
    rateWaitMs: round(o.rateWaitMs),
    cached: o.cached,
    stream: model.stream,
    simulated: provider.type === 'sandbox',
    input,
    expected: testCase.expected,
    ...o.extra,
  };

  const c = o.completion;
  if (!c) {
    const e = o.error!;
    return {
      ...base,
      status: 'error',
      output: null,
      error: {class: e.errorClass, status: e.status, message: e.message, hint: e.hint ?? null, ...(e.rootCause && {cause: e.rootCause}), ...(e.notSent && {notSent: true})},
      latencyMs: null,
      ttftMs: null,
      inputTokens: null,
      outputTokens: null,
      tokensEstimated: false,
      costUsd: null,
      grades: [],
      score: null,
      pass: null,
      finishReason: null,
      finishReasonRaw: null,
    };
  }

  const tokensEstimated = c.inputTokens === null || c.outputTokens === null;
  const inputTokens = c.inputTokens ?? testCase.messages.reduce((n, m) => n + estimateTokens(m.content) + 3, 0);
  const outputTokens = c.outputTokens ?? estimateTokens(c.text);
  const usage = {
    inputTokens,
    outputTokens,
    cacheReadTokens: c.cacheReadTokens ?? null,
    cacheWriteTokens: c.cacheWriteTokens ?? null,
    cacheWrite1hTokens: c.cacheWrite1hTokens ?? null,
    reasoningTokens: c.reasoningTokens ?? null,
  };
  const priced = priceRequest(model.pricing, usage, cacheRatiosFor(provider));
  const factor = o.priceFactor ?? 1;
  const computedCostUsd = priced ? priced.costUsd * factor : null;
  const reportedCostUsd = c.reportedCostUsd ?? null;
  const cost = reportedCostUsd !== null && provider.reportedCost !== 'ignore' ? reportedCostUsd : computedCostUsd;
  const costFields = {
    ...usage,
    computedCostUsd,
    reportedCostUsd,
    costEstimated: tokensEstimated || (priced?.estimated ?? false),
    costBreakdown: priced ? scaleBreakdown(priced.breakdown, factor) : null,
    costTier: priced?.tier ?? null,
  };
  const latencyMs = round(c.latencyMs);

  // A suite that offers tools records the calls of every answer, none made included.
  const toolCalls = c.toolCalls ?? (taskParams(task).tools ? [] : undefined);
  const {grades, score, pass, judgeCostUsd} = await gradeOutput(suite.graders, {output: c.text, toolCalls, vars: testCase.vars, expected: testCase.expected, caseId: testCase.id, latencyMs, costUsd: cost, input, callModel: o.callModel});
  return {
    ...base,
    status: 'ok',
    output: c.text,
    ...(toolCalls && {toolCalls}),
    error: null,
    latencyMs,
    ttftMs: c.ttftMs === null ? null : round(c.ttftMs),
    tokensEstimated,
    ...costFields,
    costUsd: cost,
    grades,
    score,
    pass,
    judgeCostUsd,
    finishReason: c.finishReason,
    finishReasonRaw: c.finishReasonRaw,
    ...(c.servedModel != null && {servedModel: c.servedModel}),
    ...(c.systemFingerprint != null && {systemFingerprint: c.systemFingerprint}),
    ...(c.upstream != null && {upstream: c.upstream}),
  };
}

/** An earlier assistant turn's calls, as the result's input shows them. */
function callsText(calls: ChatMessage['toolCalls']): string {
  return calls ? calls.map((c) => ` [calls ${c.name}(${typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments)})]`).join('') : '';
}

function scaleBreakdown(b: CostBreakdown, factor: number): CostBreakdown {
  if (factor === 1) return b;
  return {inputUsd: b.inputUsd * factor, cacheReadUsd: b.cacheReadUsd * factor, cacheWriteUsd: b.cacheWriteUsd * factor, outputUsd: b.outputUsd * factor, reasoningUsd: b.reasoningUsd * factor};
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
