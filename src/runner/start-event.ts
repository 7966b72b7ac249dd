import type {ExecuteArgs} from './executor.ts';
import type {RunEvent} from './run-event.ts';

/** The `start` event every executor sends first: what is pending per model, and what the journal already had. */
export function startEvent(args: Pick<ExecuteArgs, 'runId' | 'dir' | 'tasks' | 'pending' | 'usedModels'> & Partial<Pick<ExecuteArgs, 'opts' | 'loaded'>>): RunEvent {
  const perModel = new Map<string, number>();
  for (const t of args.pending) perModel.set(t.model.label, (perModel.get(t.model.label) ?? 0) + 1);
  return {
    type: 'start',
    runId: args.runId,
    dir: args.dir,
    total: args.pending.length,
    skipped: args.tasks.length - args.pending.length,
    models: [...args.usedModels.values()].map((m) => ({label: m.label, total: perModel.get(m.label) ?? 0, simulated: m.provider.type === 'sandbox', model: m.model, providerType: m.provider.type})),
    ...(args.loaded ? {concurrency: args.opts?.concurrency ?? args.loaded.config.concurrency} : {}),
  };
}
