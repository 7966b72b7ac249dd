import {createSign} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {InputError} from '../core/errors.ts';
import {rememberSecret} from './secret-values.ts';
import {requestToken} from './token-request.ts';
import type {IssuedToken} from './token-source.ts';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const ASSERTION_LIFETIME_S = 3600;

interface ServiceAccount {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

interface AuthorizedUser {
  type: 'authorized_user';
  client_id: string;
  client_secret: string;
  refresh_token: string;
  token_uri?: string;
}

/** Where Application Default Credentials come from: the named file, $GOOGLE_APPLICATION_CREDENTIALS, then gcloud's file. */
export function adcFile(explicit: string | undefined, env: NodeJS.ProcessEnv): {path: string; from: string} | null {
  if (explicit) return {path: explicit, from: 'auth.credentialsFile'};
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return {path: env.GOOGLE_APPLICATION_CREDENTIALS, from: '$GOOGLE_APPLICATION_CREDENTIALS'};
  const gcloud = join(env.CLOUDSDK_CONFIG ?? join(homedir(), '.config', 'gcloud'), 'application_default_credentials.json');
  return existsSync(gcloud) ? {path: gcloud, from: 'gcloud application-default login'} : null;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Google ADC by hand: google-auth-library always sends service-account assertions to Google's own
 * token URL (it ignores the file's token_uri), which an offline test or a private token endpoint
 * cannot answer. This follows the JWT bearer grant (RFC 7523) exactly as Google documents it.
 */
export function googleAdcObtainer(file: {path: string; from: string}, providerId: string, scope: string, timeoutMs: number, where: {file?: string; field: string}): {describe: string; obtain: () => Promise<IssuedToken>} {
  let raw: string;
  try {
    raw = readFileSync(file.path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read the Google credentials file ${file.path} (from ${file.from}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      ...where,
      hint: 'point GOOGLE_APPLICATION_CREDENTIALS (or auth.credentialsFile) at a service-account key JSON, or run `gcloud auth application-default login`',
    });
  }
  let creds: ServiceAccount | AuthorizedUser;
  try {
    creds = JSON.parse(raw) as ServiceAccount | AuthorizedUser;
  } catch {
    throw new InputError(`the Google credentials file ${file.path} is not JSON`, {...where, hint: 'download the key again from the Google Cloud console (IAM → Service accounts → Keys)'});
  }
  if (creds.type === 'service_account') {
    if (!creds.client_email || !creds.private_key) {
      throw new InputError(`the service-account file ${file.path} has no client_email or private_key`, {...where, hint: 'download a new JSON key for the service account'});
    }
    rememberSecret(creds.private_key);
    const tokenURL = creds.token_uri ?? GOOGLE_TOKEN_URL;
    return {
      describe: `Google service account ${creds.client_email} (${file.from}) via ${tokenURL}`,
      obtain: () => {
        const now = Math.floor(Date.now() / 1000);
        const header = {alg: 'RS256', typ: 'JWT', ...(creds.private_key_id && {kid: creds.private_key_id})};
        const claims = {iss: creds.client_email, scope, aud: tokenURL, iat: now, exp: now + ASSERTION_LIFETIME_S};
        const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
        let signature: string;
        try {
          signature = createSign('RSA-SHA256').update(unsigned).sign(creds.private_key, 'base64url');
        } catch (error) {
          throw new InputError(`the private_key in ${file.path} cannot sign: ${(error as Error).message}`, {...where, hint: 'the key is damaged; download a new JSON key for the service account'});
        }
        const assertion = `${unsigned}.${signature}`;
        return requestToken({
          providerId,
          url: tokenURL,
          form: {grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion},
          timeoutMs,
          credentials: `the service-account key in ${file.path}`,
          secrets: [assertion],
        });
      },
    };
  }
  if (creds.type === 'authorized_user') {
    rememberSecret(creds.refresh_token);
    rememberSecret(creds.client_secret);
    const tokenURL = creds.token_uri ?? GOOGLE_TOKEN_URL;
    return {
      describe: `Google user credentials (${file.from}) via ${tokenURL}`,
      obtain: () =>
        requestToken({
          providerId,
          url: tokenURL,
          form: {grant_type: 'refresh_token', client_id: creds.client_id, client_secret: creds.client_secret, refresh_token: creds.refresh_token},
          timeoutMs,
          credentials: `the refresh token in ${file.path}`,
          secrets: [creds.refresh_token, creds.client_secret],
        }),
    };
  }
  throw new InputError(`the Google credentials file ${file.path} has type "${(creds as {type?: string}).type}", which assay cannot use`, {
    ...where,
    hint: 'use a service-account key (type service_account) or `gcloud auth application-default login` (type authorized_user); for other credential types, use auth.type command with `gcloud auth print-access-token`',
  });
}
