import type {ModelInfo} from './policy-types.ts';

/** Provider kinds assay knows, as the gateways name them, with the key variable they default to. */
const KNOWN: Record<string, {prefix: string; keyEnv?: string}> = {
  openai: {prefix: 'openai', keyEnv: 'OPENAI_API_KEY'},
  'openai-compatible': {prefix: 'openai'},
  anthropic: {prefix: 'anthropic', keyEnv: 'ANTHROPIC_API_KEY'},
  gemini: {prefix: 'gemini', keyEnv: 'GEMINI_API_KEY'},
};

export interface GatewayTarget {
  /** The provider's model id (falls back to the label when the sources did not record it). */
  modelId: string;
  /** Provider kind prefix (openai, anthropic, gemini) or undefined when unknown (outcomes CSV, sandbox). */
  prefix: string | undefined;
  keyEnv: string | undefined;
  /** The provider id from the config, for gateways that name providers (Portkey "@slug"). */
  providerId: string;
}

export function gatewayTarget(label: string, info: ModelInfo | undefined): GatewayTarget {
  const known = info?.type ? KNOWN[info.type] : undefined;
  return {modelId: info?.model ?? label, prefix: known?.prefix, keyEnv: known?.keyEnv, providerId: info?.provider ?? known?.prefix ?? label};
}

/** A name gateways accept in keys and target names: lower-case letters, digits and dashes. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'rule';
}
