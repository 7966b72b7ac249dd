import {InputError} from '../core/errors.ts';
import type {ProviderDef} from './schema.ts';

/** Rules across fields of a provider definition (which fields go with which type and auth type). */
export function checkProviderRules(provider: ProviderDef & {file: string}): void {
  const at = (field: string, message: string, hint?: string) => new InputError(message, {file: provider.file, field, hint});
  const auth = provider.auth;
  if (provider.type === 'azure-openai') {
    if (!provider.endpoint) throw at('endpoint', 'an azure-openai provider needs `endpoint`, the resource URL', 'e.g. endpoint: https://my-resource.openai.azure.com (each model\'s `model` is a deployment name)');
    if (provider.baseURL) throw at('baseURL', 'an azure-openai provider takes `endpoint`, not baseURL', 'give the resource URL as endpoint; leave out apiVersion for the v1 API at {endpoint}/openai/v1');
  } else {
    if (provider.endpoint) throw at('endpoint', '`endpoint` is for providers of type azure-openai', 'other types take baseURL');
    if (provider.apiVersion) throw at('apiVersion', '`apiVersion` is for providers of type azure-openai');
  }
  const openaiWire = provider.type === 'openai' || provider.type === 'openai-compatible' || provider.type === 'azure-openai' || (provider.type === 'sandbox' && provider.wire === 'openai');
  if (provider.compat && !openaiWire) throw at('compat', '`compat` is for providers that speak the OpenAI API (openai, openai-compatible, azure-openai)');
  if (provider.vertex && provider.type !== 'gemini') throw at('vertex', '`vertex` is for providers of type gemini');
  if (!auth) return;
  if (auth.type === 'oauth2') {
    for (const field of ['tokenURL', 'clientIdEnv', 'clientSecretEnv'] as const) {
      if (!auth[field]) throw at(`auth.${field}`, `auth type oauth2 needs auth.${field}`, 'oauth2 takes tokenURL (the token endpoint), clientIdEnv and clientSecretEnv (names of environment variables), and optional scope and audience');
    }
  }
  if (auth.type === 'command' && !auth.command) throw at('auth.command', 'auth type command needs auth.command, a shell command that prints a token', 'e.g. command: gcloud auth print-access-token');
  const tokenFields = ['tokenURL', 'clientIdEnv', 'clientSecretEnv', 'scope', 'audience', 'clientAuth', 'command', 'refreshIntervalMs', 'credentialsFile', 'tenantId', 'authorityHost'] as const;
  const allowed: Record<string, readonly string[]> = {
    oauth2: ['tokenURL', 'clientIdEnv', 'clientSecretEnv', 'scope', 'audience', 'clientAuth'],
    command: ['command', 'refreshIntervalMs'],
    'google-adc': ['credentialsFile', 'scope'],
    'azure-entra': ['clientIdEnv', 'clientSecretEnv', 'scope', 'tenantId', 'authorityHost'],
  };
  const mine = allowed[auth.type ?? ''] ?? [];
  const stray = tokenFields.find((f) => auth[f] !== undefined && !mine.includes(f));
  if (stray) throw at(`auth.${stray}`, `auth.${stray} does not apply to auth type ${auth.type ?? 'bearer (the default)'}`, `it belongs to auth type${Object.entries(allowed).filter(([, fields]) => fields.includes(stray)).length > 1 ? 's' : ''} ${Object.entries(allowed).filter(([, fields]) => fields.includes(stray)).map(([t]) => t).join(', ')}`);
}
