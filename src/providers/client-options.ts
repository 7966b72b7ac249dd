import type {ModelParams} from '../core/types.ts';
import type {ClassifyContext} from './classify-error.ts';
import type {WarningSink} from './provider-client.ts';

export interface ClientOptions {
  providerId: string;
  baseURL: string | undefined;
  apiKey: string;
  keyEnv: string | undefined;
  headers: Record<string, string>;
  query: Record<string, string>;
  timeoutMs: number;
  warn: WarningSink;
}

export function classifyContext(opts: ClientOptions, model: string, timeoutMs: number): ClassifyContext {
  return {providerId: opts.providerId, model, baseURL: opts.baseURL, keyEnv: opts.keyEnv, timeoutMs, secrets: [opts.apiKey]};
}

/** Reports each parameter a provider cannot take once per provider, then drops it from the request. */
export class UnsupportedParams {
  private readonly reported = new Set<string>();
  private readonly opts: ClientOptions;
  private readonly unsupported: ReadonlyArray<keyof ModelParams>;
  private readonly api: string;

  constructor(opts: ClientOptions, unsupported: ReadonlyArray<keyof ModelParams>, api: string) {
    this.opts = opts;
    this.unsupported = unsupported;
    this.api = api;
  }

  check(params: ModelParams): void {
    for (const key of this.unsupported) {
      if (params[key] === undefined || this.reported.has(key)) continue;
      this.reported.add(key);
      this.opts.warn({providerId: this.opts.providerId, message: `${this.api} has no "${key}" parameter; it is not sent`});
    }
  }
}

export interface Deadline {
  signal: AbortSignal;
  timedOut(): boolean;
  stalled(): boolean;
  /** Call when a stream opens and on every chunk: a stream silent for stallMs is aborted. */
  touch(): void;
  done(): void;
}

/**
 * Joins the caller's signal with an overall timeout and a stream-idle (stall) timeout, so a hung
 * request always ends. One controller and plain timers, cleared in done(): AbortSignal.timeout would
 * keep a timer (and the request's closures) alive for the whole timeout after the request is over,
 * and AbortSignal.any leaves a dependent on the run's signal per request.
 */
export function deadline(signal: AbortSignal | undefined, timeoutMs: number, stallMs?: number): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  let stalled = false;
  const overall = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  let stall: NodeJS.Timeout | null = null;
  const onAbort = () => controller.abort(signal!.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, {once: true});
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    stalled: () => stalled,
    touch() {
      if (stallMs === undefined || stallMs >= timeoutMs) return;
      if (stall) stall.refresh();
      else
        stall = setTimeout(() => {
          stalled = true;
          controller.abort(new Error(`stream stalled: no data for ${stallMs} ms`));
        }, stallMs);
    },
    done() {
      clearTimeout(overall);
      if (stall) clearTimeout(stall);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
