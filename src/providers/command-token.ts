import {spawn} from 'node:child_process';
import {redact} from './classify-error.ts';
import {ProviderError} from './provider-error.ts';
import type {IssuedToken} from './token-source.ts';

/** Reads `az account get-access-token`-style JSON, or takes the whole output as the token (gcloud auth print-access-token). */
export function parseTokenOutput(stdout: string, nowMs = Date.now()): IssuedToken | null {
  const text = stdout.trim();
  if (text.startsWith('{')) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return null;
    }
    const token = json.accessToken ?? json.access_token ?? json.token;
    if (typeof token !== 'string' || token === '') return null;
    let expiresAtMs: number | null = null;
    const epoch = Number(json.expires_on ?? json.expiresOn);
    if (Number.isFinite(epoch) && epoch > 0) expiresAtMs = epoch * 1000;
    else if (typeof json.expiresOn === 'string' || typeof json.expiry === 'string' || typeof json.expiration === 'string') {
      const parsed = Date.parse(String(json.expiresOn ?? json.expiry ?? json.expiration));
      if (Number.isFinite(parsed)) expiresAtMs = parsed;
    } else if (Number.isFinite(Number(json.expires_in))) expiresAtMs = nowMs + Number(json.expires_in) * 1000;
    return {token, expiresAtMs};
  }
  if (text === '' || /\s/.test(text)) return null;
  return {token: text, expiresAtMs: null};
}

/** Runs the command in a shell and reads a token from what it prints; failures name the command and how to fix it. */
export function commandObtainer(command: string, providerId: string, timeoutMs: number): () => Promise<IssuedToken> {
  return () =>
    new Promise<IssuedToken>((resolve, reject) => {
      const child = spawn(command, {shell: true, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs});
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.once('error', (error) =>
        reject(new ProviderError('auth', `the token command for ${providerId} could not start: ${error.message}`, {hint: `check auth.command: \`${command}\``, retryable: false, cause: error})),
      );
      child.once('close', (code, signal) => {
        const said = redact(stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300), [stdout.trim()]);
        if (signal) {
          return reject(new ProviderError('timeout', `the token command for ${providerId} did not finish within ${timeoutMs} ms`, {hint: `run \`${command}\` yourself: it may be waiting for a login prompt; log in first (az login, gcloud auth login)`}));
        }
        if (code !== 0) {
          return reject(
            new ProviderError('auth', `the token command for ${providerId} failed (exit ${code})${said ? `: ${said}` : ''}`, {
              hint: `run \`${command}\` yourself to see why: usually the CLI's login has expired (az login, gcloud auth login, aws sso login)`,
              retryable: false,
            }),
          );
        }
        const issued = parseTokenOutput(stdout);
        if (!issued) {
          return reject(
            new ProviderError('auth', `the token command for ${providerId} printed no usable token`, {
              hint: `\`${command}\` must print only the token, or JSON with accessToken (and expiresOn), as \`az account get-access-token\` does`,
              retryable: false,
            }),
          );
        }
        resolve(issued);
      });
    });
}
