import type {LoadedConfig} from '../config/load-config.ts';
import type {ModelCaller} from '../graders/model-caller.ts';
import {createProviderClient} from '../providers/create-client.ts';
import type {ProviderClient} from '../providers/provider-client.ts';
import type {Sandbox} from '../sandbox/sandbox-server.ts';
import {sandboxFor} from '../sandbox/start-sandbox.ts';
import {TrafficControl} from '../traffic/traffic-control.ts';
import {createModelCaller} from './create-model-caller.ts';

export interface ModelSession {
  callModel: ModelCaller;
  close(): Promise<void>;
}

/** Clients (and the sandbox, for simulated models) for calling a few models outside a run, e.g. a judge after an A/B. */
export async function openModelSession(loaded: LoadedConfig, labels: string[], opts: {concurrency?: number; latencyScale?: number; signal?: AbortSignal} = {}): Promise<ModelSession> {
  const models = labels.map((l) => loaded.models.get(l)!).filter(Boolean);
  let sandbox: Sandbox | null = null;
  if (models.some((m) => m.provider.type === 'sandbox' && !m.provider.baseURL)) {
    sandbox = sandboxFor(loaded, {latencyScale: opts.latencyScale});
    await sandbox.listen();
  }
  const clients = new Map<string, ProviderClient>();
  for (const m of models) {
    if (clients.has(m.provider.id)) continue;
    const baseURL = sandbox && m.provider.type === 'sandbox' && !m.provider.baseURL ? sandbox.baseURLFor(m.provider.wire!) : undefined;
    clients.set(m.provider.id, await createProviderClient(m.provider, {warn: () => {}, baseURL}));
  }
  const traffic = new TrafficControl(opts.concurrency ?? loaded.config.concurrency);
  return {
    callModel: createModelCaller(loaded, clients, traffic, opts.signal ?? new AbortController().signal),
    close: async () => {
      await sandbox?.close();
    },
  };
}
