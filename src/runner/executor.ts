import type {LoadedConfig, LoadedModel} from '../config/load-config.ts';
import type {GateDef} from '../config/schema.ts';
import type {AssayError} from '../core/errors.ts';
import type {PlanOptions, RunMeta} from '../rundir/run-meta.ts';
import type {RunPlan} from './plan-tasks.ts';
import type {RunEvent} from './run-event.ts';
import type {TaskKeys} from './plan-tasks.ts';

// The executor contract: run-benchmark.ts picks an executor and hands it these; executors import
// this module, never the orchestrator, so no executor is loaded unless the run uses it.

export interface RunOptions extends PlanOptions {
  config?: string;
  cwd?: string;
  outDir?: string;
  concurrency?: number;
  /** A run directory to continue: only missing (and, by default, errored) requests are sent again. */
  resume?: string;
  /** With resume: also re-send requests whose latest result is an error (default true). */
  retryErrors?: boolean;
  /** Bypass the response cache: no reads, no writes. */
  noCache?: boolean;
  /** Aborting stops scheduling: requests in flight finish and are journaled (a first Ctrl+C). */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Recorded in run.json; secrets never appear in it because config holds only env var names. */
  argv?: string[];
  /** Overrides the config's sandbox latency scale (tests use 0). */
  sandboxLatencyScale?: number;
  /** Gate thresholds that override the config's `gate` field by field (the CLI's --min-pass-rate etc.). */
  gate?: GateDef;
  /** Write JUnit XML here (suites, cases and gate checks) for CI systems. */
  junit?: string;
  /** A config already loaded (and possibly with generated suites, as A/B has): used instead of loading `config`. */
  prepared?: LoadedConfig;
  /** With `batch` (provider batch APIs): the first poll interval in ms; polls back off from it (default 2000). */
  batchPollMs?: number;
  /** redis://HOST:PORT: enqueue every request on this Redis for `assay worker` processes (see executeQueue). */
  queue?: string;
  /** With `queue`: at most this many jobs of each model in Redis at once (default max(1000, 4 × concurrency)). */
  queueWindow?: number;
}

/** What an executor (in-process pool, provider batch APIs, a Redis queue) gets: tasks to send and where results go. */
export interface ExecuteArgs {
  loaded: LoadedConfig;
  opts: RunOptions;
  runId: string;
  dir: string;
  /** The run's tasks, generated on demand (no task list is held). */
  plan: RunPlan;
  /** Keys of the plan's tasks the journal already has a finished result for: not sent again. */
  done: TaskKeys;
  /** Tasks without a finished result yet, per model label (the plan less `done`). */
  pendingSizes: ReadonlyMap<string, number>;
  usedModels: Map<string, LoadedModel>;
  emit: (e: RunEvent) => void;
  meta: RunMeta;
}

export interface ExecutionOutcome {
  interrupted: boolean;
  executed: number;
  fatal: AssayError | null;
}

/** In-process pool (local), provider batch APIs (batch), a Redis queue (queue). */
export type ExecutionMode = 'local' | 'batch' | 'queue';

export type Executor = (args: ExecuteArgs) => Promise<ExecutionOutcome>;
