import type {LoadedConfig} from '../config/load-config.ts';
import type {ModelCaller} from '../graders/model-caller.ts';
import {TrafficControl} from '../traffic/traffic-control.ts';
import {createModelCaller} from './create-model-caller.ts';
import {openClients} from './open-clients.ts';
import {startSimulated} from './simulated.ts';

export interface ModelSession {
  callModel: ModelCaller;
  close(): Promise<void>;
}

/** Clients (and the sandbox, for simulated models) for calling a few models outside a run, e.g. a judge after an A/B. */
export async function openModelSession(loaded: LoadedConfig, labels: string[], opts: {concurrency?: number; latencyScale?: number; signal?: AbortSignal} = {}): Promise<ModelSession> {
  const models = labels.map((l) => loaded.models.get(l)!).filter(Boolean);
  const sandbox = await startSimulated(loaded, models.map((m) => m.provider), {latencyScale: opts.latencyScale});
  const clients = await openClients(models, sandbox, () => {});
  const traffic = new TrafficControl(opts.concurrency ?? loaded.config.concurrency);
  return {
    callModel: createModelCaller(loaded, clients, traffic, opts.signal ?? new AbortController().signal),
    close: async () => {
      await sandbox?.close();
    },
  };
}
