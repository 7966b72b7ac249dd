import type {LoadedProvider} from '../config/load-config.ts';
import {InputError} from '../core/errors.ts';
import type {ClientOptions} from './client-options.ts';
import {createTokenSource, tokenAuthOf} from './create-token-source.ts';
import type {ProviderClient, WarningSink} from './provider-client.ts';
import {TOKEN_AUTH_PLACEHOLDER} from './token-fetch.ts';
import type {TokenSource} from './token-source.ts';

export const DEFAULT_TIMEOUT_MS = 60_000;

const DEFAULT_KEY_ENV: Record<string, string | undefined> = {
  openai: 'OPENAI_API_KEY',
  'azure-openai': 'AZURE_OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  gemini: 'GEMINI_API_KEY',
};

export function keyEnvOf(provider: LoadedProvider): string | undefined {
  if (provider.type === 'sandbox' || tokenAuthOf(provider)) return undefined;
  return provider.auth?.env ?? DEFAULT_KEY_ENV[provider.type];
}

interface Credentials {
  apiKey: string;
  aws: {credentials: {accessKeyId: string; secretAccessKey: string; sessionToken?: string}; region: string} | null;
}

/** The provider's key (or AWS credentials) from the environment; exit 2 naming the variable when one is missing. */
export function credentialsOf(provider: LoadedProvider, env: NodeJS.ProcessEnv = process.env): Credentials {
  const keyEnv = keyEnvOf(provider);
  if (provider.type === 'bedrock' || provider.auth?.type === 'sigv4') {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    const region = provider.auth?.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!accessKeyId || !secretAccessKey) {
      throw new InputError(`AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set for provider "${provider.id}" (SigV4)`, {
        file: provider.file,
        field: 'auth',
        hint: 'export them (and AWS_SESSION_TOKEN for temporary credentials) in your shell or .env',
      });
    }
    if (!region) throw new InputError(`no AWS region for provider "${provider.id}"`, {file: provider.file, field: 'auth.region', hint: 'set auth.region, or AWS_REGION'});
    return {apiKey: secretAccessKey, aws: {credentials: {accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined}, region}};
  }
  // The SDKs insist on a key; with a token source the token travels in Authorization instead.
  if (tokenAuthOf(provider)) return {apiKey: TOKEN_AUTH_PLACEHOLDER, aws: null};
  if (provider.type === 'sandbox' || provider.auth?.type === 'none') return {apiKey: 'sandbox-key', aws: null};
  const value = keyEnv ? env[keyEnv] : undefined;
  if (value) return {apiKey: value, aws: null};
  if ((provider.type !== 'openai-compatible' && provider.type !== 'http') || provider.auth?.env) {
    throw new InputError(`environment variable ${keyEnv} is not set (provider "${provider.id}")`, {
      file: provider.file,
      field: 'auth.env',
      hint: `export ${keyEnv}=... in your shell or add it to .env beside the config`,
    });
  }
  // Local OpenAI-compatible servers (Ollama, vLLM) commonly need no key, but the SDK insists on one.
  return {apiKey: 'no-key', aws: null};
}

/** Fails (exit 2) when the provider's key is not set; called before a run writes anything. */
export function checkCredentials(provider: LoadedProvider, env: NodeJS.ProcessEnv = process.env): void {
  credentialsOf(provider, env);
  // A token source reads its variables (client id and secret, credentials file) when made; it fetches nothing yet.
  createTokenSource(provider, env);
}

/** Builds the provider's SDK client once; `baseURL` overrides let the in-process sandbox stand in. */
export async function createProviderClient(
  provider: LoadedProvider,
  opts: {warn: WarningSink; baseURL?: string; env?: NodeJS.ProcessEnv; tokenSource?: TokenSource | null},
): Promise<ProviderClient> {
  const env = opts.env ?? process.env;
  const keyEnv = keyEnvOf(provider);
  // Each process (a queue worker too) builds its own: tokens are fetched where they are used, never shipped.
  const tokenSource = opts.tokenSource === undefined ? createTokenSource(provider, env) : opts.tokenSource;
  const sigv4 = provider.type === 'bedrock' || provider.auth?.type === 'sigv4';
  const {apiKey, aws} = credentialsOf(provider, env);
  const options: ClientOptions = {
    providerId: provider.id,
    baseURL: opts.baseURL ?? provider.baseURL,
    apiKey,
    keyEnv,
    headers: provider.headers ?? {},
    query: provider.query ?? {},
    timeoutMs: provider.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    warn: opts.warn,
    ...(tokenSource && {tokenSource}),
    ...(provider.compat && {compat: provider.compat}),
  };
  // auth.type header/query on an SDK provider: the key goes where the API (or its gateway) expects it.
  if (!sigv4 && !tokenSource && provider.type !== 'http' && provider.type !== 'sandbox' && apiKey !== 'no-key') {
    if (provider.auth?.type === 'header') options.headers = {...options.headers, [provider.auth.name ?? 'x-api-key']: apiKey};
    if (provider.auth?.type === 'query') options.query = {...options.query, [provider.auth.name ?? 'key']: apiKey};
  }
  if (provider.type === 'http') {
    const {createHttpClient} = await import('./http-client.ts');
    const authType = tokenSource ? 'none' : provider.auth?.type === 'header' || provider.auth?.type === 'query' || provider.auth?.type === 'none' ? provider.auth.type : provider.auth?.env || env[keyEnv ?? ''] ? 'bearer' : 'none';
    return createHttpClient(options, provider.http, aws ? {type: 'sigv4', service: provider.auth?.service ?? 'execute-api', aws} : {type: authType, name: provider.auth?.name}, provider.file);
  }
  if ((provider.type === 'openai' || provider.type === 'azure-openai' || provider.type === 'sandbox') && provider.api === 'responses') {
    if (provider.type === 'sandbox' && provider.wire !== 'openai') {
      throw new InputError(`api: responses is OpenAI's Responses API; a sandbox provider with wire ${provider.wire} does not serve it`, {file: provider.file, field: 'api', hint: 'use it with wire: openai'});
    }
    const [{sdkClient}, {createOpenAIResponsesClient}] = await Promise.all([import('./openai-client.ts'), import('./openai-responses-client.ts')]);
    const azure = provider.type === 'azure-openai' ? {endpoint: opts.baseURL ?? provider.endpoint, apiVersion: provider.apiVersion} : undefined;
    return createOpenAIResponsesClient(sdkClient(options, azure), options);
  }
  if (provider.type === 'azure-openai') {
    const {createOpenAIClient} = await import('./openai-client.ts');
    // No batch: Azure's needs a global-batch deployment and file uploads; --batch runs these models live, with a warning.
    return createOpenAIClient(options, false, false, {endpoint: opts.baseURL ?? provider.endpoint, apiVersion: provider.apiVersion});
  }
  const wire = provider.type === 'sandbox' ? provider.wire : provider.type;
  switch (wire) {
    case 'bedrock': {
      const {createBedrockClient} = await import('./bedrock-client.ts');
      return createBedrockClient(options, aws!);
    }
    case 'openai':
    case 'openai-compatible': {
      const {createOpenAIClient} = await import('./openai-client.ts');
      // OpenAI itself (and the sandbox speaking its wire) has the Batch API; an OpenAI-compatible server is not assumed to.
      return createOpenAIClient(options, wire === 'openai-compatible' || provider.type === 'sandbox', wire === 'openai');
    }
    case 'anthropic': {
      const {createAnthropicClient} = await import('./anthropic-client.ts');
      return createAnthropicClient(options);
    }
    case 'gemini': {
      const {createGeminiClient} = await import('./gemini-client.ts');
      return createGeminiClient(options, provider.vertex);
    }
    default:
      throw new InputError(`provider type "${provider.type}" is not supported yet`, {file: provider.file, field: 'type'});
  }
}
