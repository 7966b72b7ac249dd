import type {LoadedConfig} from '../config/load-config.ts';
import type {ProviderDef} from '../config/schema.ts';
import type {Sandbox} from '../sandbox/sandbox-server.ts';

/** A simulated provider that names no baseURL of its own is served by the in-process sandbox. */
export function servedInProcess(provider: Pick<ProviderDef, 'type' | 'baseURL'>): boolean {
  return provider.type === 'sandbox' && !provider.baseURL;
}

/**
 * The in-process sandbox, listening, when a provider in use is simulated and names no baseURL; null
 * otherwise. The sandbox is imported only then, so a run on real providers never loads the simulator.
 */
export async function startSimulated(
  loaded: LoadedConfig,
  providers: Iterable<Pick<ProviderDef, 'type' | 'baseURL'>>,
  opts: {latencyScale?: number; persistBatchesTo?: string} = {},
): Promise<Sandbox | null> {
  if (![...providers].some(servedInProcess)) return null;
  const {sandboxFor} = await import('../sandbox/start-sandbox.ts');
  const sandbox = sandboxFor(loaded, {latencyScale: opts.latencyScale});
  // The batch emulator keeps its batches beside the run, so a resumed run finds them again.
  if (opts.persistBatchesTo) sandbox.batches.persistTo(opts.persistBatchesTo);
  await sandbox.listen();
  return sandbox;
}
