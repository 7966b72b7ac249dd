import {AsyncLocalStorage} from 'node:async_hooks';

/** When a request's first byte went out and its last byte came back, as the transport saw them. */
export interface WireTiming {
  sentAt?: number;
  /** When the whole reply (or the whole event stream) had arrived. */
  receivedAt?: number;
  /** When the transport last read bytes of the reply: a deadline checks it before calling a stream stalled. */
  lastByteAt?: number;
  /** For an event stream: when the bytes the SDK is being handed now were read (eventStreamBody). */
  handedReadAt?: number;
  /** Aborts the request: set by a caller that keeps its signal from the SDK (see openai-client.ts). */
  signal?: AbortSignal;
  /**
   * How the transport hears that `signal` aborted, when its owner offers it (a deadline does): cheaper
   * than an abort listener added and removed on the signal for every request. Returns the unsubscribe.
   */
  listen?(onAbort: () => void): () => void;
}

/** Set by the transport for the request made inside `measureWire`. */
export const wireTiming = new AsyncLocalStorage<WireTiming>();

/**
 * Runs one unstreamed SDK call and returns its result with the time it spent on the wire: from the
 * request leaving to the whole reply arriving. The SDK's own work before and after (building the
 * request, parsing the reply) and the time a reply waits while the process finishes other replies
 * are the harness's, not the provider's, so they stay out of latency. Falls back to the time around
 * the call when the request did not go through assay's transport (e.g. behind a proxy).
 */
export async function measureWire<T>(call: () => Promise<T>, timing: WireTiming = {}): Promise<{value: T; latencyMs: number}> {
  const started = performance.now();
  const value = await wireTiming.run(timing, call);
  const latencyMs = timing.sentAt !== undefined && timing.receivedAt !== undefined ? timing.receivedAt - timing.sentAt : performance.now() - started;
  return {value, latencyMs};
}

/**
 * Times one streamed SDK call on the wire, as measureWire does an unstreamed one: from the request
 * leaving to the bytes that held the first content arriving (time to first token) and to the
 * stream's last byte (latency), as the transport read them, so neither the SDK's work nor the
 * time chunks wait while the process is busy with other replies counts. Falls back to the time
 * since the call began when the request did not go through assay's transport (e.g. behind a proxy).
 */
export function streamTiming(timing: WireTiming): {open<T>(call: () => Promise<T>): Promise<T>; firstTokenMs(): number; totalMs(): number} {
  const started = performance.now();
  return {
    open: (call) => wireTiming.run(timing, call),
    // Called when the first content chunk comes out of the SDK: the bytes being handed to it hold it.
    firstTokenMs: () => (timing.sentAt !== undefined && timing.handedReadAt !== undefined ? timing.handedReadAt - timing.sentAt : performance.now() - started),
    // The stream's last byte; for a stream left at its terminating event (`[DONE]`) before the
    // response ended, the read that held that event.
    totalMs: () => {
      const endedAt = timing.receivedAt ?? timing.handedReadAt;
      return timing.sentAt !== undefined && endedAt !== undefined ? endedAt - timing.sentAt : performance.now() - started;
    },
  };
}
