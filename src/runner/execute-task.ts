import type {Grade, ModelParams, Result} from '../core/types.ts';
import {classifyError} from '../providers/classify-error.ts';
import {DEFAULT_TIMEOUT_MS, keyEnvOf} from '../providers/create-client.ts';
import {estimateTokens} from '../providers/estimate-tokens.ts';
import type {ProviderClient} from '../providers/provider-client.ts';
import {costUsd} from './cost.ts';
import type {Task} from './plan-tasks.ts';
import {DEFAULT_RETRY, withRetry, type RetryPolicy} from './retry-policy.ts';

export interface ExecuteContext {
  runId: string;
  client: ProviderClient;
  signal: AbortSignal;
  onRetry?: (task: Task, message: string, waitMs: number) => void;
}

/** Sends one task (with retries), grades it, and returns the journal line. Never throws for provider failures. */
export async function executeTask(task: Task, ctx: ExecuteContext, queuedAt: number): Promise<Result> {
  const {model, suite, testCase} = task;
  const provider = model.provider;
  const startedAt = new Date();
  const queueMs = performance.now() - queuedAt;
  const params: ModelParams = {...model.params, ...suite.params};
  const timeoutMs = provider.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const policy: RetryPolicy = {...DEFAULT_RETRY, ...provider.retry};
  const classify = (e: unknown) =>
    classifyError(e, {providerId: provider.id, model: model.model, baseURL: provider.baseURL, keyEnv: keyEnvOf(provider), timeoutMs, secrets: []});

  const outcome = await withRetry(
    policy,
    () => ctx.client.complete(model.model, {messages: testCase.messages, params, stream: model.stream, signal: ctx.signal, timeoutMs}),
    {signal: ctx.signal, classify, onRetry: (error, _n, waitMs) => ctx.onRetry?.(task, `${error.errorClass}${error.status ? ` ${error.status}` : ''}`, waitMs)},
  );
  const endedAt = new Date();
  const input = testCase.messages.map((m) => (testCase.messages.length > 1 ? `${m.role}: ${m.content}` : m.content)).join('\n');
  const base = {
    runId: ctx.runId,
    suiteId: suite.id,
    caseId: testCase.id,
    model: model.label,
    provider: provider.id,
    repeat: task.repeat,
    tags: testCase.tags,
    attempts: outcome.attempts,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    queueMs: round(queueMs),
    stream: model.stream,
    simulated: provider.type === 'sandbox',
    input,
    expected: testCase.expected,
  };

  if (outcome.error || !outcome.value) {
    const e = outcome.error!;
    return {
      ...base,
      status: 'error',
      output: null,
      error: {class: e.errorClass, status: e.status, message: e.message, hint: e.hint ?? null},
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

  const c = outcome.value;
  const tokensEstimated = c.inputTokens === null || c.outputTokens === null;
  const inputTokens = c.inputTokens ?? testCase.messages.reduce((n, m) => n + estimateTokens(m.content) + 3, 0);
  const outputTokens = c.outputTokens ?? estimateTokens(c.text);
  const cost = costUsd(model.pricing, inputTokens, outputTokens);
  const latencyMs = round(c.latencyMs);

  const grades: Grade[] = [];
  for (const grader of suite.graders) {
    try {
      grades.push(await grader.grade({output: c.text, vars: testCase.vars, expected: testCase.expected, caseId: testCase.id, latencyMs, costUsd: cost}));
    } catch (error) {
      grades.push({grader: grader.name, score: 0, pass: false, reason: `grader failed: ${(error as Error).message}`});
    }
  }
  const score = grades.length === 0 ? null : grades.reduce((s, g) => s + g.score, 0) / grades.length;
  return {
    ...base,
    status: 'ok',
    output: c.text,
    error: null,
    latencyMs,
    ttftMs: c.ttftMs === null ? null : round(c.ttftMs),
    inputTokens,
    outputTokens,
    tokensEstimated,
    costUsd: cost,
    grades,
    score,
    pass: grades.length === 0 ? null : grades.every((g) => g.pass),
    finishReason: c.finishReason,
    finishReasonRaw: c.finishReasonRaw,
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
