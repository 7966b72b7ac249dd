import {rememberSecret} from './secret-values.ts';

/** A short-lived bearer token as a token endpoint or command hands it out. */
export interface IssuedToken {
  token: string;
  /** When the issuer says it stops working (ms since the epoch); null when it does not say. */
  expiresAtMs: number | null;
}

/**
 * Where a provider's bearer tokens come from (OAuth2, a command, Google ADC, Microsoft Entra). One
 * per provider client, shared by all its requests; tokens live in memory only.
 */
export interface TokenSource {
  /** What issues the tokens, for messages ("OAuth2 client credentials at https://…/token"); never a secret. */
  readonly describe: string;
  /** A current token: cached, fetched when there is none or it is about to expire; concurrent callers share one fetch. */
  token(): Promise<string>;
  /** The API rejected this token (401): the next token() fetches a new one, once, however many requests saw the 401. */
  invalidate(rejected: string): void;
  /** The cached token's expiry (ms since the epoch), for `assay check`; null when unknown or none is cached. */
  expiresAtMs(): number | null;
}

/** Tokens are renewed this long before they expire, at most, so no request carries one that lapses in flight. */
const MAX_REFRESH_MARGIN_MS = 60_000;
/** Without an expiry from the issuer, a token is reused this long. */
export const DEFAULT_TOKEN_LIFETIME_MS = 15 * 60_000;

/** Caching, early refresh and single-flight fetching around whatever obtains a token. */
export class CachedTokenSource implements TokenSource {
  private current: (IssuedToken & {refreshAtMs: number}) | null = null;
  private pending: Promise<IssuedToken> | null = null;
  readonly describe: string;
  private readonly obtain: () => Promise<IssuedToken>;
  private readonly fallbackLifetimeMs: number;

  constructor(describe: string, obtain: () => Promise<IssuedToken>, fallbackLifetimeMs = DEFAULT_TOKEN_LIFETIME_MS) {
    this.describe = describe;
    this.obtain = obtain;
    this.fallbackLifetimeMs = fallbackLifetimeMs;
  }

  async token(): Promise<string> {
    const now = Date.now();
    if (this.current && now < this.current.refreshAtMs) return this.current.token;
    if (!this.pending) {
      this.pending = this.obtain()
        .then((issued) => {
          rememberSecret(issued.token);
          const fetchedAt = Date.now();
          const expiresAtMs = issued.expiresAtMs ?? fetchedAt + this.fallbackLifetimeMs;
          // A tenth of the lifetime, capped: a one-hour token is renewed a minute early, a 2 s one 0.2 s early.
          const margin = Math.min(MAX_REFRESH_MARGIN_MS, Math.max(0, (expiresAtMs - fetchedAt) / 10));
          this.current = {...issued, refreshAtMs: expiresAtMs - margin};
          return issued;
        })
        .finally(() => {
          this.pending = null;
        });
    }
    return (await this.pending).token;
  }

  invalidate(rejected: string): void {
    if (this.current?.token === rejected) this.current = null;
  }

  expiresAtMs(): number | null {
    return this.current?.expiresAtMs ?? null;
  }
}
