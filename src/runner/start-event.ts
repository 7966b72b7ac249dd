import type {ExecuteArgs} from './executor.ts';
import type {RunEvent} from './run-event.ts';

/** The `start` event every executor sends first: what is pending per model, and what the journal already had. */
export function startEvent(args: Pick<ExecuteArgs, 'runId' | 'dir' | 'plan' | 'pendingSizes' | 'usedModels'> & Partial<Pick<ExecuteArgs, 'opts' | 'loaded'>>): RunEvent {
  let total = 0;
  for (const n of args.pendingSizes.values()) total += n;
  return {
    type: 'start',
    runId: args.runId,
    dir: args.dir,
    total,
    skipped: args.plan.size - total,
    models: [...args.usedModels.values()].map((m) => ({label: m.label, total: args.pendingSizes.get(m.label) ?? 0, simulated: m.provider.type === 'sandbox', model: m.model, providerType: m.provider.type})),
    ...(args.loaded ? {concurrency: args.opts?.concurrency ?? args.loaded.config.concurrency} : {}),
  };
}
