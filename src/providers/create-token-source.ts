import {dirname, resolve} from 'node:path';
import type {LoadedProvider} from '../config/load-config.ts';
import {InputError} from '../core/errors.ts';
import {commandObtainer} from './command-token.ts';
import {adcFile, CLOUD_PLATFORM_SCOPE, googleAdcObtainer} from './google-adc-token.ts';
import {rememberSecret} from './secret-values.ts';
import {requestToken} from './token-request.ts';
import {CachedTokenSource, DEFAULT_TOKEN_LIFETIME_MS, type TokenSource} from './token-source.ts';

export const TOKEN_AUTH_TYPES = ['oauth2', 'command', 'google-adc', 'azure-entra'] as const;
export type TokenAuthType = (typeof TOKEN_AUTH_TYPES)[number];

const AZURE_COGNITIVE_SCOPE = 'https://cognitiveservices.azure.com/.default';
const TOKEN_TIMEOUT_MS = 30_000;

/** The auth type in force: explicit, or the one a provider shape implies (Vertex AI: Google ADC). */
export function tokenAuthOf(provider: LoadedProvider): TokenAuthType | null {
  const type = provider.auth?.type;
  if (type && (TOKEN_AUTH_TYPES as readonly string[]).includes(type)) return type as TokenAuthType;
  if (!type && provider.type === 'gemini' && provider.vertex) return 'google-adc';
  return null;
}

function required(env: NodeJS.ProcessEnv, name: string, provider: LoadedProvider, field: string, what: string): string {
  const value = env[name];
  if (!value) {
    throw new InputError(`environment variable ${name} (${what}) is not set (provider "${provider.id}")`, {
      file: provider.file,
      field,
      hint: `export ${name}=... in your shell or add it to .env beside the config`,
    });
  }
  rememberSecret(value);
  return value;
}

/**
 * The provider's token source, or null when it authenticates with a static key. Reads the variables
 * it needs now, so a missing one is a config error before any request; fetches nothing yet.
 */
export function createTokenSource(provider: LoadedProvider, env: NodeJS.ProcessEnv = process.env): TokenSource | null {
  const kind = tokenAuthOf(provider);
  if (!kind) return null;
  const auth = provider.auth ?? {};
  const timeoutMs = Math.min(provider.timeoutMs ?? TOKEN_TIMEOUT_MS, TOKEN_TIMEOUT_MS);
  switch (kind) {
    case 'oauth2': {
      const idEnv = auth.clientIdEnv!;
      const secretEnv = auth.clientSecretEnv!;
      const clientId = required(env, idEnv, provider, 'auth.clientIdEnv', 'the OAuth2 client id');
      const clientSecret = required(env, secretEnv, provider, 'auth.clientSecretEnv', 'the OAuth2 client secret');
      const basic = (auth.clientAuth ?? 'basic') === 'basic';
      const form: Record<string, string> = {grant_type: 'client_credentials', ...(auth.scope && {scope: auth.scope}), ...(auth.audience && {audience: auth.audience})};
      // RFC 6749 2.3.1: client id and secret are form-encoded before they are joined for Basic.
      const basicValue = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
      return new CachedTokenSource(`OAuth2 client credentials at ${auth.tokenURL}`, () =>
        requestToken({
          providerId: provider.id,
          url: auth.tokenURL!,
          form: basic ? form : {...form, client_id: clientId, client_secret: clientSecret},
          headers: basic ? {authorization: basicValue} : {},
          timeoutMs,
          credentials: `the client id in $${idEnv} and secret in $${secretEnv}`,
          secrets: [clientSecret, basicValue],
        }),
      );
    }
    case 'azure-entra': {
      const idEnv = auth.clientIdEnv ?? 'AZURE_CLIENT_ID';
      const secretEnv = auth.clientSecretEnv ?? 'AZURE_CLIENT_SECRET';
      const tenant = auth.tenantId ?? required(env, 'AZURE_TENANT_ID', provider, 'auth.tenantId', 'the Microsoft Entra tenant id');
      const clientId = required(env, idEnv, provider, 'auth.clientIdEnv', 'the app registration\'s client id');
      const clientSecret = required(env, secretEnv, provider, 'auth.clientSecretEnv', 'the app registration\'s client secret');
      const host = (auth.authorityHost ?? env.AZURE_AUTHORITY_HOST ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
      const url = `${host}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
      return new CachedTokenSource(`Microsoft Entra ID at ${url}`, () =>
        requestToken({
          providerId: provider.id,
          url,
          form: {grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: auth.scope ?? AZURE_COGNITIVE_SCOPE},
          timeoutMs,
          credentials: `the client id in $${idEnv} and secret in $${secretEnv}`,
          secrets: [clientSecret],
        }),
      );
    }
    case 'google-adc': {
      const explicit = auth.credentialsFile ? resolve(dirname(resolve(provider.file)), auth.credentialsFile) : undefined;
      const file = adcFile(explicit, env);
      if (!file) {
        throw new InputError(`no Google Application Default Credentials for provider "${provider.id}"`, {
          file: provider.file,
          field: 'auth',
          hint: 'set GOOGLE_APPLICATION_CREDENTIALS to a service-account key JSON, run `gcloud auth application-default login`, or use auth.type command with `gcloud auth print-access-token`',
        });
      }
      const {describe, obtain} = googleAdcObtainer(file, provider.id, auth.scope ?? CLOUD_PLATFORM_SCOPE, timeoutMs, {file: provider.file, field: 'auth.credentialsFile'});
      return new CachedTokenSource(describe, obtain);
    }
    case 'command':
      return new CachedTokenSource(`the command \`${auth.command}\``, commandObtainer(auth.command!, provider.id, timeoutMs), auth.refreshIntervalMs ?? DEFAULT_TOKEN_LIFETIME_MS);
  }
}
