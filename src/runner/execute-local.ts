import type {Result} from '../core/types.ts';
import {TrafficControl} from '../traffic/traffic-control.ts';
import {cacheable} from './cache-policy.ts';
import {executeTask, type Slots} from './execute-task.ts';
import type {ExecuteArgs, ExecutionOutcome} from './executor.ts';
import type {LoadedModel} from '../config/load-config.ts';
import {pendingTasks, type Task} from './plan-tasks.ts';
import {openRunSession, type RunSession} from './run-session.ts';

/** The in-process executor (the default). */
export async function executeLocal(args: ExecuteArgs): Promise<ExecutionOutcome> {
  const traffic = runTraffic(args);
  const session = await openRunSession(args, {traffic});
  try {
    session.emitStart();
    const queues = [...args.pendingSizes].filter(([, size]) => size > 0).map(([label, size]) => ({model: args.usedModels.get(label)!, size, tasks: pendingTasks(args.plan, args.done, label)}));
    await runLocalPool(session, traffic, queues);
  } finally {
    await session.close();
  }
  return session.outcome();
}

/** The run's in-process limits; breaker transitions go into run.json and out as events. */
export function runTraffic(args: Pick<ExecuteArgs, 'opts' | 'loaded' | 'meta' | 'emit'>): TrafficControl {
  return new TrafficControl(args.opts.concurrency ?? args.loaded.config.concurrency, (t) => {
    args.meta.breakerTransitions.push(t);
    args.emit({type: 'breaker', model: t.model, from: t.from, to: t.to, ...(t.cause && {cause: t.cause})});
  });
}

/** One model's tasks to send, in order, pulled one at a time (a generator over the plan, or a list). */
export interface ModelQueue {
  model: LoadedModel;
  size: number;
  tasks: Iterator<Task>;
}

/** Queues for a list of tasks, one per model, in order of first appearance. */
export function queuesOf(tasks: readonly Task[]): ModelQueue[] {
  return [...Map.groupBy(tasks, (t) => t.model.label).values()].map((list) => ({model: list[0]!.model, size: list.length, tasks: list.values()}));
}

/**
 * Sends each queue's tasks from this process and journals each result. Per model, a pool of workers as wide as
 * the model can go, pulling tasks in order: live tasks stay bounded by concurrency (memory stays flat
 * at 100,000 cases), and each model moves at its own pace. Batch mode runs its models without a batch
 * API through this too.
 */
export async function runLocalPool(session: RunSession, traffic: TrafficControl, queues: readonly ModelQueue[]): Promise<void> {
  const {opts, loaded, emit, signals} = session;
  // Started tasks, and of those the requests holding a slot of the global cap: the live view shows
  // the second as in flight (they sum to at most the cap), the difference as waiting.
  const inFlight = new Map<string, number>();
  const sending = new Map<string, number>();
  const bump = (map: Map<string, number>, label: string, by: number) => map.set(label, (map.get(label) ?? 0) + by);
  const globalFor = new Map<string, Slots>();
  const countedGlobal = (label: string): Slots => {
    let slots = globalFor.get(label);
    if (!slots) {
      slots = {
        acquire: async () => {
          const release = await traffic.global.acquire();
          bump(sending, label, 1);
          let released = false;
          return () => {
            if (released) return;
            released = true;
            bump(sending, label, -1);
            release();
          };
        },
      };
      globalFor.set(label, slots);
    }
    return slots;
  };
  const ticker = setInterval(() => {
    emit({
      type: 'traffic',
      models: [...session.usedModels.values()].map((m) => {
        const sent = sending.get(m.label) ?? 0;
        return {label: m.label, inFlight: sent, waiting: Math.max(0, (inFlight.get(m.label) ?? 0) - sent), throttled: traffic.throttled(m), breaker: traffic.for(m).breaker?.state ?? null};
      }),
    });
  }, 250);
  ticker.unref();

  const runOne = async (task: Task) => {
    const queuedAt = performance.now();
    inFlight.set(task.model.label, (inFlight.get(task.model.label) ?? 0) + 1);
    let result: Result | null;
    try {
      result = await executeTask(
        task,
        {
          runId: session.runId,
          client: session.clients.get(task.model.provider.id)!,
          signal: signals.abortInFlight,
          stop: signals.stopScheduling,
          traffic: traffic.for(task.model),
          global: countedGlobal(task.model.label),
          cache: cacheable(task) ? session.cache : null,
          callModel: session.callModel,
          onRetry: (t, reason, waitMs, message) => emit({type: 'retry', model: t.model.label, caseId: t.testCase.id, reason, waitMs, message}),
        },
        queuedAt,
      );
    } finally {
      inFlight.set(task.model.label, (inFlight.get(task.model.label) ?? 1) - 1);
    }
    if (result === null || session.fatal) return;
    // A request cut short by a hard abort is not a result: --resume sends it again.
    if (signals.abortInFlight.aborted && result.status === 'error') return;
    session.journalSoon(task, result);
  };

  const globalConcurrency = opts.concurrency ?? loaded.config.concurrency;
  try {
    await Promise.all(
      queues.flatMap(({model, size, tasks}) => {
        const width = Math.min(size, model.limits?.concurrency ?? model.provider.limits?.concurrency ?? globalConcurrency);
        return Array.from({length: width}, async () => {
          while (!signals.stopScheduling.aborted) {
            const next = tasks.next();
            if (next.done) return;
            await runOne(next.value);
          }
        });
      }),
    );
  } finally {
    clearInterval(ticker);
  }
}
