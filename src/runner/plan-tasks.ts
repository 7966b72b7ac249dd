import type {LoadedConfig, LoadedModel} from '../config/load-config.ts';
import {InputError} from '../core/errors.ts';
import {seededRandom, seedFrom} from '../core/seeded-random.ts';
import {taskKey} from '../core/task-key.ts';
import type {ModelParams} from '../core/types.ts';
import type {PlanOptions} from '../rundir/run-meta.ts';
import type {LoadedSuite, SuiteCase, SuiteCases} from '../suites/load-suite.ts';

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

/**
 * Picks `n` cases deterministically for a seed, keeping the dataset's order. Only positions are
 * shuffled (a typed array), so a streamed dataset is sampled without reading its cases.
 */
export function sampleCases<C extends SuiteCases>(cases: C, n: number | undefined, seed: number, suiteId: string): C | SuiteCases {
  if (n === undefined || n >= cases.length) return cases;
  const random = seededRandom(seedFrom(seed, suiteId, 'sample'));
  const indexes = new Uint32Array(cases.length);
  for (let i = 0; i < indexes.length; i++) indexes[i] = i;
  for (let i = indexes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = indexes[i]!;
    indexes[i] = indexes[j]!;
    indexes[j] = t;
  }
  const chosen = new Uint8Array(cases.length);
  for (let k = 0; k < n; k++) chosen[indexes[k]!] = 1;
  if (Array.isArray(cases)) return (cases as readonly SuiteCase[]).filter((_, i) => chosen[i] === 1);
  return {
    length: n,
    *[Symbol.iterator]() {
      let i = 0;
      for (const c of cases) if (chosen[i++] === 1) yield c;
    },
  };
}

/** The cases of one suite to run, and on which models. */
export interface PlannedSuite {
  suite: LoadedSuite;
  /** Streamed datasets are read again on each iteration: once per model queue and repeat. */
  cases: SuiteCases;
  labels: readonly string[];
}

/**
 * What a run sends: suites × cases × models × repeats, generated on demand. The plan holds the
 * suites' cases once and no task list: a task (and its key) exists only while it is queued or in
 * flight, so memory stays flat however many cases there are.
 */
export interface RunPlan {
  readonly suites: readonly PlannedSuite[];
  readonly repeat: number;
  /** Models that answer at least one task, in plan order. */
  readonly models: ReadonlyMap<string, LoadedModel>;
  /** Tasks in the plan. */
  readonly size: number;
  /** Tasks per model label. */
  readonly sizes: ReadonlyMap<string, number>;
  /** Every task in case-major order (every model progresses together). */
  tasks(): Generator<Task>;
  /** One model's tasks, in the same order. */
  tasksOf(label: string): Generator<Task>;
}

export function planRun(loaded: LoadedConfig, opts: PlanOptions): RunPlan {
  const knownSuites = loaded.suites.map((s) => s.id);
  for (const id of opts.suites ?? []) {
    if (!knownSuites.includes(id)) throw new InputError(`--suite "${id}" is not a suite in ${loaded.file}`, {hint: `known suites: ${knownSuites.join(', ')}`});
  }
  for (const label of opts.models ?? []) {
    if (!loaded.models.has(label)) throw new InputError(`--model "${label}" is not a model label in ${loaded.file}`, {hint: `known models: ${[...loaded.models.keys()].join(', ')}`});
  }
  const repeat = opts.repeat ?? loaded.config.repeat;
  const seed = opts.seed ?? loaded.config.seed;
  const chosen = opts.suites?.length ? loaded.suites.filter((s) => opts.suites!.includes(s.id)) : loaded.suites;
  const suites: PlannedSuite[] = [];
  const models = new Map<string, LoadedModel>();
  const sizes = new Map<string, number>();
  let size = 0;
  for (const suite of chosen) {
    const labels = (suite.models ?? [...loaded.models.values()].filter((m) => m.type === 'chat').map((m) => m.label)).filter(
      (label) => !opts.models?.length || opts.models.includes(label),
    );
    const cases = sampleCases(suite.cases, opts.sample, seed, suite.id);
    suites.push({suite, cases, labels});
    if (cases.length === 0 || repeat === 0) continue;
    for (const label of labels) {
      models.set(label, loaded.models.get(label)!);
      sizes.set(label, (sizes.get(label) ?? 0) + cases.length * repeat);
      size += cases.length * repeat;
    }
  }
  if (size === 0) {
    throw new InputError('nothing to run: the chosen suites and models have no case in common', {
      hint: 'check --suite and --model against the suites\' `models:` lists',
    });
  }
  function* generate(only?: string): Generator<Task> {
    for (const {suite, cases, labels} of suites) {
      const wanted = only === undefined ? labels : labels.filter((l) => l === only);
      if (wanted.length === 0 || cases.length === 0) continue;
      for (let r = 0; r < repeat; r++) {
        for (const testCase of cases) {
          for (const label of wanted) yield {key: taskKey(suite.id, testCase.id, label, r), suite, testCase, model: models.get(label)!, repeat: r};
        }
      }
    }
  }
  return {suites, repeat, models, size, sizes, tasks: () => generate(), tasksOf: (label) => generate(label)};
}

/** The judge models the run's graders call: they need clients too, though they answer no suite themselves. */
export function judgeModelsOf(args: {loaded: LoadedConfig; plan: RunPlan}): LoadedModel[] {
  const labels = new Set(args.plan.suites.flatMap((s) => (s.cases.length > 0 && s.labels.length > 0 ? s.suite.graders.flatMap((g) => g.judgeModels ?? []) : [])));
  return [...labels].map((l) => args.loaded.models.get(l)!).filter(Boolean);
}

/** Task keys a run looks up (a Set, or FinishedTasks on --resume). */
export interface TaskKeys {
  has(key: string): boolean;
  readonly size: number;
}

/** The plan's tasks (one model's, given a label) without a finished result in `done` (task keys). */
export function* pendingTasks(plan: RunPlan, done: TaskKeys, label?: string): Generator<Task> {
  for (const task of label === undefined ? plan.tasks() : plan.tasksOf(label)) if (!done.has(task.key)) yield task;
}

/** The whole plan as a list (tests and small tools; a run iterates the plan instead). */
export function planTasks(loaded: LoadedConfig, opts: PlanOptions): Task[] {
  return [...planRun(loaded, opts).tasks()];
}
