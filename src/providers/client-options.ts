import type {ModelParams} from '../core/types.ts';
import type {ClassifyContext} from './classify-error.ts';
import {originBoundFetch} from './origin-bound-fetch.ts';
import type {WarningSink} from './provider-client.ts';
import {tokenFetch} from './token-fetch.ts';
import type {TokenSource} from './token-source.ts';
import {openLoopClock} from './loop-clock.ts';
import {wireTiming, type WireTiming} from './wire-timing.ts';
import {whenAborted} from './when-aborted.ts';

export interface ClientOptions {
  providerId: string;
  baseURL: string | undefined;
  apiKey: string;
  keyEnv: string | undefined;
  headers: Record<string, string>;
  query: Record<string, string>;
  timeoutMs: number;
  warn: WarningSink;
  /** OpenAI-compatible servers' departures from OpenAI's API. */
  compat?: {streamOptions?: boolean; maxTokensParam?: 'max_tokens' | 'max_completion_tokens'};
  /** Short-lived bearer tokens (OAuth2, a command, Google ADC, Entra ID) instead of a static key. */
  tokenSource?: TokenSource;
}

/** The fetch every SDK client gets: never follows a redirect to another origin, and carries the token source's token. */
export function clientFetch(opts: ClientOptions): typeof fetch {
  const bound = originBoundFetch(opts.providerId);
  return opts.tokenSource ? tokenFetch(bound, opts.tokenSource) : bound;
}

/** Values no log line, message or file may carry: the key, and any header or query value that holds it. */
export function secretsOf(opts: ClientOptions): string[] {
  return [opts.apiKey, ...Object.values(opts.headers), ...Object.values(opts.query)].filter((v) => v.includes(opts.apiKey) && v.length >= 8);
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
  /** What the transport saw of this request's reply: run the SDK call inside `run` so it is recorded. */
  timing: WireTiming;
  /** Runs an SDK call so the transport reports its bytes to this deadline. */
  run<T>(call: () => Promise<T>): Promise<T>;
  timedOut(): boolean;
  stalled(): boolean;
  /** Call when a stream opens and on every chunk: a stream silent for stallMs is aborted. */
  touch(): void;
  done(): void;
}

/** The SDKs' own timeouts, set well past assay's deadline: theirs are a backstop, never the one that decides. */
export function sdkTimeoutMs(timeoutMs: number): number {
  return timeoutMs + Math.max(30_000, timeoutMs);
}

/**
 * Joins the caller's signal with an overall timeout and a stream-idle (stall) timeout, so a hung
 * request always ends. One controller and plain timers, cleared in done(): AbortSignal.timeout would
 * keep a timer (and the request's closures) alive for the whole timeout after the request is over,
 * and AbortSignal.any leaves a dependent on the run's signal per request.
 *
 * A deadline never misfires on a busy process. It counts only the time the process was free to run
 * (see loop-clock.ts): a request the process had no chance to write, or a reply it had no chance to
 * read, is not the provider's delay. And because Node runs due timers before it reads sockets, a due
 * deadline first lets the loop read (setImmediate runs after the poll phase): a reply that is in is
 * not a timeout, and a stream whose bytes kept arriving did not stall.
 */
export function deadline(signal: AbortSignal | undefined, timeoutMs: number, stallMs?: number): Deadline {
  const controller = new AbortController();
  // The transport hears of an abort through this hook rather than an abort listener on the signal.
  let onAbortHook: (() => void) | undefined;
  const abort = (reason: unknown) => {
    controller.abort(reason);
    onAbortHook?.();
  };
  const timing: WireTiming = {
    listen(onAbort) {
      onAbortHook = onAbort;
      return () => {
        if (onAbortHook === onAbort) onAbortHook = undefined;
      };
    },
  };
  const clock = openLoopClock();
  let timedOut = false;
  let stalled = false;
  let finished = false;
  const over = () => finished || controller.signal.aborted || timing.receivedAt !== undefined;

  const checkOverall = () => {
    if (over()) return;
    const usedMs = clock.responsiveMs();
    if (usedMs < timeoutMs) {
      overall = setTimeout(checkOverall, Math.max(1, timeoutMs - usedMs));
      return;
    }
    setImmediate(() => {
      if (over()) return;
      timedOut = true;
      abort(new Error(`timed out after ${timeoutMs} ms`));
    });
  };
  let overall = setTimeout(checkOverall, timeoutMs);

  let stall: NodeJS.Timeout | null = null;
  let lastTouchMs = 0;
  const checkStall = () => {
    if (over()) return;
    const quietMs = clock.responsiveMs() - lastTouchMs;
    if (quietMs < stallMs!) {
      stall = setTimeout(checkStall, Math.max(1, stallMs! - quietMs));
      return;
    }
    setImmediate(() => {
      if (over()) return;
      // Bytes the transport read just now: the stream is alive, its consumer was only waiting for the loop.
      if (timing.lastByteAt !== undefined && performance.now() - timing.lastByteAt < stallMs!) {
        lastTouchMs = clock.responsiveMs();
        stall = setTimeout(checkStall, stallMs!);
        return;
      }
      stalled = true;
      abort(new Error(`stream stalled: no data for ${stallMs} ms`));
    });
  };

  let stopWaiting: (() => void) | undefined;
  if (signal?.aborted) controller.abort(signal.reason);
  else if (signal) stopWaiting = whenAborted(signal, () => abort(signal.reason));
  return {
    signal: controller.signal,
    timing,
    run: (call) => wireTiming.run(timing, call),
    timedOut: () => timedOut,
    stalled: () => stalled,
    touch() {
      if (stallMs === undefined || stallMs >= timeoutMs) return;
      lastTouchMs = clock.responsiveMs();
      stall ??= setTimeout(checkStall, stallMs);
    },
    done() {
      finished = true;
      clearTimeout(overall);
      if (stall) clearTimeout(stall);
      clock.close();
      stopWaiting?.();
    },
  };
}
