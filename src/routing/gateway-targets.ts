import type {ModelInfo} from './policy-types.ts';

/** The wire formats both gateways speak natively; anything else is sent as OpenAI-compatible. */
export type GatewayWire = 'openai' | 'anthropic' | 'gemini';

/** assay's defaults where run.json recorded nothing: the values the measurement itself used. */
export const DEFAULT_GATEWAY_TIMEOUT_MS = 60_000;
/** Anthropic requires max_tokens; assay's client sends this when the model's params name none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

export const SANDBOX_KEY = 'sandbox-key';

const DEFAULT_KEY_ENV: Record<GatewayWire, string> = {openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', gemini: 'GEMINI_API_KEY'};

export interface GatewayTarget {
  label: string;
  /** The provider's model id (falls back to the label when the sources did not record it). */
  modelId: string;
  wire: GatewayWire;
  /** True when assay does not know how the model was called (outcomes CSV, http/bedrock providers): exported as OpenAI-compatible. */
  guessed: boolean;
  providerId: string;
  /**
   * The base URL as that wire's SDK takes it: a literal URL when run.json recorded one, an env var
   * reference (`${NAME}`) when the endpoint is not the provider's own API but its URL is unknown,
   * undefined for the provider's own API.
   */
  baseURL: string | undefined;
  /** The variable named in baseURL when it is a reference (`<PROVIDER>_BASE_URL`), holding the URL as assay's config would. */
  baseURLEnv: string | undefined;
  /** Variable holding the key; undefined for endpoints that need none (and the sandbox). */
  keyEnv: string | undefined;
  /** The assay sandbox takes any key but an empty one: exports send it SANDBOX_KEY, which is no secret. */
  sandbox: boolean;
  timeoutMs: number;
  /** The sampling parameters as measured; Anthropic always gets max_tokens. */
  params: {temperature?: number; maxTokens?: number; topP?: number};
}

/** How a gateway must call one model of the policy to serve what was measured. */
export function gatewayTarget(label: string, info: ModelInfo | undefined): GatewayTarget {
  const type = info?.type;
  const wire: GatewayWire | undefined =
    type === 'openai' || type === 'openai-compatible' ? 'openai' : type === 'anthropic' ? 'anthropic' : type === 'gemini' ? 'gemini' : type === 'sandbox' ? sandboxWire(info?.wire) : undefined;
  const providerId = info?.provider ?? type ?? label;
  const envStem = slug(providerId).toUpperCase().replace(/-/g, '_');
  const ownApi = type === 'openai' || type === 'anthropic' || type === 'gemini';
  const baseURLEnv = info?.baseURL || ownApi ? undefined : `${envStem}_BASE_URL`;
  const baseURL = info?.baseURL ?? (baseURLEnv ? `\${${baseURLEnv}}` : undefined);
  const keyEnv = info?.keyEnv ?? (ownApi ? DEFAULT_KEY_ENV[type] : type === 'sandbox' ? undefined : wire ? undefined : `${envStem}_API_KEY`);
  const params = {...info?.params};
  if ((wire ?? 'openai') === 'anthropic' && params.maxTokens === undefined) params.maxTokens = ANTHROPIC_DEFAULT_MAX_TOKENS;
  return {label, modelId: info?.model ?? label, wire: wire ?? 'openai', guessed: wire === undefined, providerId, baseURL, baseURLEnv, keyEnv, sandbox: type === 'sandbox', timeoutMs: info?.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS, params};
}

function sandboxWire(wire: string | undefined): GatewayWire {
  return wire === 'anthropic' || wire === 'gemini' ? wire : 'openai';
}

/** A name gateways accept in keys and target names: lower-case letters, digits and dashes. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'rule';
}
