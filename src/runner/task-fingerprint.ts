import {hash} from 'node:crypto';
import {taskParams, type Task} from './plan-tasks.ts';

/**
 * What a finished result depends on: the rendered messages, the model id and provider kind, the
 * effective params and the graders. A resume refuses when a finished result's fingerprint changed.
 */
export function taskFingerprint(task: Task): string {
  const {model, suite, testCase} = task;
  const material = JSON.stringify([
    model.provider.type,
    model.provider.wire ?? null,
    model.model,
    taskParams(task),
    testCase.messages,
    testCase.expected,
    suite.graderDefs,
  ]);
  // One-shot hash: a Hash object per result was half of this function's cost.
  return hash('sha256', material, 'hex').slice(0, 16);
}
