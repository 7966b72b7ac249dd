import {InputError} from '../core/errors.ts';
import type {ProviderDef} from './schema.ts';

/** Rules across fields of a provider definition that the schema cannot say: which fields go with which auth type. */
export function checkProviderRules(provider: ProviderDef & {file: string}): void {
  const at = (field: string, message: string, hint?: string) => new InputError(message, {file: provider.file, field, hint});
  const auth = provider.auth;
  // The schema keeps each type's own fields to it; sandbox takes compat for its OpenAI wire only.
  if (provider.type === 'sandbox' && provider.compat && provider.wire !== 'openai') {
    throw at('compat', '`compat` is for providers that speak the OpenAI API (openai, openai-compatible, azure-openai, sandbox with wire: openai)');
  }
  if (!auth) return;
  if (auth.type === 'sigv4' && provider.type !== 'http' && provider.type !== 'bedrock') throw at('auth.type', 'auth type "sigv4" is for providers of type http or bedrock');
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
