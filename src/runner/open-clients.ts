import type {LoadedModel} from '../config/load-config.ts';
import type {ProviderDef} from '../config/schema.ts';
import {createProviderClient} from '../providers/create-client.ts';
import type {ProviderClient, WarningSink} from '../providers/provider-client.ts';
import type {Sandbox} from '../sandbox/sandbox-server.ts';
import {servedInProcess} from './simulated.ts';

/** The in-process sandbox's address for a simulated provider that names no baseURL of its own. */
export function sandboxBaseURL(provider: ProviderDef, sandbox: Sandbox | null): string | undefined {
  return sandbox && provider.type === 'sandbox' && servedInProcess(provider) ? sandbox.baseURLFor(provider.wire) : undefined;
}

/** One client per provider of these models, simulated ones pointed at the in-process sandbox. */
export async function openClients(models: Iterable<LoadedModel>, sandbox: Sandbox | null, warn: WarningSink, clients = new Map<string, ProviderClient>()): Promise<Map<string, ProviderClient>> {
  for (const m of models) {
    if (clients.has(m.provider.id)) continue;
    clients.set(m.provider.id, await createProviderClient(m.provider, {warn, baseURL: sandboxBaseURL(m.provider, sandbox)}));
  }
  return clients;
}
