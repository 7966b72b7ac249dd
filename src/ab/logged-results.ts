import {appendFile} from 'node:fs/promises';
import {join} from 'node:path';
import type {Result} from '../core/types.ts';
import {gradeOutput} from '../graders/grade-output.ts';
import type {RunOutcome} from '../runner/run-benchmark.ts';
import type {LoadedSuite} from '../suites/load-suite.ts';
import type {TrafficRequest} from './traffic-request.ts';

/**
 * The control of `assay ab --control logged`: each request's logged answer as a result of the model
 * `logged`, graded by the same graders, with production's latency, tokens and cost. They are added to
 * the run's journal so its summary and report show production beside the treatment.
 */
export async function journalLoggedAnswers(run: RunOutcome, requests: readonly TrafficRequest[], suite: LoadedSuite): Promise<Result[]> {
  const inputs = new Map(run.results.map((r) => [r.caseId, r.input]));
  const out: Result[] = [];
  for (const request of requests) {
    const answer = request.logged!;
    const input = inputs.get(request.id) ?? request.messages.map((m) => m.content).join('\n');
    const graded = await gradeOutput(suite.graders, {output: answer.output, vars: {}, expected: request.expected, caseId: request.id, latencyMs: answer.latencyMs, costUsd: answer.costUsd, input});
    out.push({
      runId: run.runId,
      suiteId: suite.id,
      caseId: request.id,
      model: 'logged',
      provider: answer.model ? `logged:${answer.model}` : 'logged',
      repeat: 0,
      status: 'ok',
      output: answer.output,
      error: null,
      latencyMs: answer.latencyMs,
      ttftMs: answer.ttftMs,
      inputTokens: answer.inputTokens,
      outputTokens: answer.outputTokens,
      tokensEstimated: false,
      costUsd: answer.costUsd,
      ...graded,
      tags: request.tags,
      attempts: 0,
      startedAt: '',
      endedAt: '',
      finishReason: null,
      finishReasonRaw: null,
      queueMs: 0,
      rateWaitMs: 0,
      cached: false,
      stream: false,
      simulated: false,
      input,
      expected: request.expected,
    });
  }
  await appendFile(join(run.dir, 'results.jsonl'), out.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return out;
}
