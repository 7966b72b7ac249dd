import {createVerify, randomUUID} from 'node:crypto';
import type {IncomingMessage, ServerResponse} from 'node:http';

/** An OAuth2 token endpoint in the sandbox, so token auth can be rehearsed (and tested) offline. */
export interface TokenSandboxOptions {
  /** Client id → secret accepted by the client credentials grant (Basic or in the form). */
  clients?: Record<string, string>;
  /** Service-account client_email → public key PEM: JWT bearer assertions must be signed by the matching key. */
  serviceAccounts?: Record<string, string>;
  /** Scopes a client may ask for; any when unset. */
  scopes?: string[];
  /** Lifetime of each token, in seconds (default 3600). */
  expiresInS?: number;
}

export type TokenVerdict = 'ok' | 'unknown' | 'expired';

function form(raw: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(raw));
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers});
  res.end(text);
}

/**
 * POST …/token issues tokens (RFC 6749 client credentials, RFC 7523 JWT bearer as Google service
 * accounts use it); the API then accepts only those tokens while unexpired. POST /sandbox/tokens/revoke
 * voids every token (a rotated signing key); GET /sandbox/tokens counts what was issued.
 */
export class TokenEndpoints {
  private readonly issued = new Map<string, number>();
  private readonly opts: TokenSandboxOptions;
  private requests = 0;
  private revoked = 0;

  constructor(opts: TokenSandboxOptions) {
    this.opts = opts;
  }

  static handles(method: string | undefined, path: string): boolean {
    return (method === 'POST' && /\/token$/.test(path)) || path.startsWith('/sandbox/tokens');
  }

  verify(token: string): TokenVerdict {
    const expiresAtMs = this.issued.get(token);
    if (expiresAtMs === undefined) return 'unknown';
    return Date.now() < expiresAtMs ? 'ok' : 'expired';
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, body: string): Promise<void> {
    if (path === '/sandbox/tokens') return json(res, 200, {requests: this.requests, issued: this.issued.size + this.revoked, revoked: this.revoked});
    if (path === '/sandbox/tokens/revoke') {
      this.revoked += this.issued.size;
      this.issued.clear();
      return json(res, 200, {revoked: this.revoked});
    }
    this.requests++;
    const f = form(body);
    const error = (status: number, code: string, description: string) => json(res, status, {error: code, error_description: description});
    if (f.grant_type === 'client_credentials') {
      let id = f.client_id;
      let secret = f.client_secret;
      const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (basic) {
        const decoded = Buffer.from(basic, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        id = decodeURIComponent(decoded.slice(0, colon));
        secret = decodeURIComponent(decoded.slice(colon + 1));
      }
      if (!id || this.opts.clients?.[id] === undefined || this.opts.clients[id] !== secret) {
        return json(res, 401, {error: 'invalid_client', error_description: 'Client authentication failed (simulated).'}, basic ? {'www-authenticate': 'Basic realm="sandbox"'} : {});
      }
      if (f.scope && this.opts.scopes && !f.scope.split(' ').every((s) => this.opts.scopes!.includes(s))) {
        return error(400, 'invalid_scope', `The requested scope is not allowed for this client (simulated): ${f.scope}`);
      }
      return this.issue(res);
    }
    if (f.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const parts = (f.assertion ?? '').split('.');
      if (parts.length !== 3) return error(400, 'invalid_grant', 'Invalid JWT: not three parts (simulated).');
      let claims: {iss?: string; aud?: string; exp?: number; iat?: number; scope?: string};
      try {
        claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof claims;
      } catch {
        return error(400, 'invalid_grant', 'Invalid JWT payload (simulated).');
      }
      const publicKey = claims.iss ? this.opts.serviceAccounts?.[claims.iss] : undefined;
      if (!publicKey) return error(400, 'invalid_grant', `Invalid JWT Signature: unknown service account ${claims.iss ?? '(no iss)'} (simulated).`);
      const valid = createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`).verify(publicKey, parts[2]!, 'base64url');
      if (!valid) return error(400, 'invalid_grant', 'Invalid JWT Signature (simulated).');
      if (!claims.aud?.endsWith(path)) return error(400, 'invalid_grant', `Invalid JWT: aud must be this token endpoint (simulated), got ${claims.aud}`);
      const now = Date.now() / 1000;
      if (typeof claims.exp !== 'number' || claims.exp < now || typeof claims.iat !== 'number' || claims.exp - claims.iat > 3600) {
        return error(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe (simulated).');
      }
      if (!claims.scope) return error(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided (simulated).');
      return this.issue(res);
    }
    return error(400, 'unsupported_grant_type', `grant_type ${f.grant_type ?? '(none)'} is not supported by the sandbox`);
  }

  private issue(res: ServerResponse): void {
    const expiresInS = this.opts.expiresInS ?? 3600;
    const token = `sandbox-token-${randomUUID()}`;
    this.issued.set(token, Date.now() + expiresInS * 1000);
    json(res, 200, {access_token: token, token_type: 'Bearer', expires_in: expiresInS});
  }
}
