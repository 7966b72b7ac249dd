/** Callbacks waiting on each signal, behind one abort listener per signal. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `onAbort` once `signal` aborts; returns the function that stops waiting. Many requests wait
 * on the run's one signal: an abort listener added and removed on it for each request cost more CPU
 * (Node's EventTarget) than the request's own bookkeeping. Here each signal gets one listener, and a
 * request only joins and leaves a Set. Callbacks run in the order they were added, as listeners would.
 * The caller checks `signal.aborted` first: an already aborted signal never calls back.
 */
export function whenAborted(signal: AbortSignal, onAbort: () => void): () => void {
  let callbacks = waiting.get(signal);
  if (!callbacks) {
    const fresh = new Set<() => void>();
    callbacks = fresh;
    waiting.set(signal, fresh);
    signal.addEventListener(
      'abort',
      () => {
        waiting.delete(signal);
        for (const callback of fresh) callback();
        fresh.clear();
      },
      {once: true},
    );
  }
  const mine = callbacks;
  mine.add(onAbort);
  return () => void mine.delete(onAbort);
}
