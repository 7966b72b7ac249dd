import type {LoadedConfig, LoadedModel} from '../config/load-config.ts';
import {InputError} from '../core/errors.ts';
import {seededRandom, seedFrom} from '../core/seeded-random.ts';
import {taskKey} from '../core/task-key.ts';
import type {ModelParams} from '../core/types.ts';
import type {PlanOptions} from '../rundir/run-meta.ts';
import type {LoadedSuite, SuiteCase} from '../suites/load-suite.ts';

/** One request to make: a case of a suite, on a model, for one repeat. */
export interface Task {
  key: string;
  suite: LoadedSuite;
  testCase: SuiteCase;
  model: LoadedModel;
  repeat: number;
}

export {taskKey};

/** The params a task is sent with: the model's, then the suite's, then the case's own, field by field. */
export function taskParams(task: Pick<Task, 'model' | 'suite' | 'testCase'>): ModelParams {
  return {...task.model.params, ...task.suite.params, ...task.testCase.params};
}
export type {PlanOptions};

/** Picks `n` cases deterministically for a seed, keeping the dataset's order. */
export function sampleCases(cases: SuiteCase[], n: number | undefined, seed: number, suiteId: string): SuiteCase[] {
  if (n === undefined || n >= cases.length) return cases;
  const random = seededRandom(seedFrom(seed, suiteId, 'sample'));
  const indexes = cases.map((_, i) => i);
  for (let i = indexes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
  }
  const chosen = new Set(indexes.slice(0, n));
  return cases.filter((_, i) => chosen.has(i));
}

export function planTasks(loaded: LoadedConfig, opts: PlanOptions): Task[] {
  const knownSuites = loaded.suites.map((s) => s.id);
  for (const id of opts.suites ?? []) {
    if (!knownSuites.includes(id)) throw new InputError(`--suite "${id}" is not a suite in ${loaded.file}`, {hint: `known suites: ${knownSuites.join(', ')}`});
  }
  for (const label of opts.models ?? []) {
    if (!loaded.models.has(label)) throw new InputError(`--model "${label}" is not a model label in ${loaded.file}`, {hint: `known models: ${[...loaded.models.keys()].join(', ')}`});
  }
  const repeat = opts.repeat ?? loaded.config.repeat;
  const seed = opts.seed ?? loaded.config.seed;
  const suites = opts.suites?.length ? loaded.suites.filter((s) => opts.suites!.includes(s.id)) : loaded.suites;
  const tasks: Task[] = [];
  for (const suite of suites) {
    const labels = (suite.models ?? [...loaded.models.values()].filter((m) => m.type === 'chat').map((m) => m.label)).filter(
      (label) => !opts.models?.length || opts.models.includes(label),
    );
    const cases = sampleCases(suite.cases, opts.sample, seed, suite.id);
    // Case-major order: every model progresses together, and a partial run still compares models.
    for (let r = 0; r < repeat; r++) {
      for (const testCase of cases) {
        for (const label of labels) {
          const model = loaded.models.get(label)!;
          tasks.push({key: taskKey(suite.id, testCase.id, label, r), suite, testCase, model, repeat: r});
        }
      }
    }
  }
  if (tasks.length === 0) {
    throw new InputError('nothing to run: the chosen suites and models have no case in common', {
      hint: 'check --suite and --model against the suites\' `models:` lists',
    });
  }
  return tasks;
}
