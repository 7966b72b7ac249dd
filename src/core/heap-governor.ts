import {getHeapStatistics, setFlagsFromString} from 'node:v8';
import {runInNewContext} from 'node:vm';

/**
 * Keeps garbage from setting the process's peak memory in the long passes (reading a dataset, the
 * run, the reports' passes over the journal). V8 collects the old generation only when it has grown
 * to several times what was live at the last full collection, and a pass that parses a million
 * lines promotes enough short-lived objects to grow it by hundreds of MB while ~50 MB is live
 * (docs/performance.md#memory-at-scale). With the governor on, the passes report their work; every
 * so often it looks at the heap, and when the heap holds more than one and a half times what was
 * live after the last collection plus a slack, it collects fully then. A small heap (a few thousand
 * results: modules and little else live) is collected sooner, once it has grown by SMALL_GROWTH_BYTES:
 * there the old generation's garbage was half the process's peak (the 2,000-result run's old space
 * grew from ~20 MB to ~60 MB with ~25 MB live), and a collection costs a few ms.
 *
 * Off unless enabled: the CLI enables it; a program using the library decides for its own process.
 */
const CHECK_EVERY = 256;
// One and a half times the live size plus 24 MB: at 30,000 x 2 the run phase peaked at 191 MB
// against 250 MB with twice plus 64 MB, the process at 218 against 298 MB, for ~+8% CPU (same load,
// side by side); the forced collections themselves cost ~50 ms each (docs/performance.md).
const LIVE_FACTOR = 1.5;
const SLACK_BYTES = 24 * 1024 * 1024;
/** Live heaps under this get the small-heap rule. */
const SMALL_LIVE_BYTES = 48 * 1024 * 1024;
const SMALL_GROWTH_BYTES = 16 * 1024 * 1024;
/** At most this share of the time goes to the small-heap rule's collections. */
const SMALL_HEAP_GC_SHARE = 0.02;

/**
 * The launcher's young-generation cap (bin/v8-flags.js), which it leaves under this global symbol:
 * its gc observer runs only when the event loop turns, so inside a synchronous pass the semi-spaces
 * grew to 64 MB unchecked (`assay report` of 100,000 × 2 peaked at 279 MB RSS, 168 MB with
 * --max-semi-space-size=8). The passes call it here, whether or not the governor is on.
 */
const YOUNG_GENERATION_CHECK = Symbol.for('assay.youngGenerationCheck');

let enabled = false;
let gc: (() => void) | null = null;
let units = 0;
let liveBytes = 0;
let lastCollectedAt = 0;
let lastCollectionMs = 0;

/** Turns the governor on for this process (idempotent); false when V8 offers no way to collect. */
export function enableHeapGovernor(): boolean {
  if (enabled) return true;
  try {
    // `gc` is exposed to contexts made after the flag is set, and only there: the program's own
    // global object does not get it.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
    enabled = typeof gc === 'function';
  } catch {
    enabled = false;
  }
  liveBytes = getHeapStatistics().used_heap_size;
  return enabled;
}

/** The heap size at which the governor collects, given what was live after the last collection. */
export function collectAtBytes(live: number): number {
  return live < SMALL_LIVE_BYTES ? live + SMALL_GROWTH_BYTES : LIVE_FACTOR * live + SLACK_BYTES;
}

/**
 * Records `weight` units of work (a result journaled is 1; a chunk read is its size in 4 KB pages)
 * and, every CHECK_EVERY units, collects when the heap has outgrown what was live by the rule above.
 */
export function noteHeapWork(weight = 1): void {
  units += weight;
  if (units < CHECK_EVERY) return;
  units = 0;
  (globalThis as Record<symbol, (() => void) | undefined>)[YOUNG_GENERATION_CHECK]?.();
  if (!enabled) return;
  const used = getHeapStatistics().used_heap_size;
  if (used < collectAtBytes(liveBytes)) return;
  // The small-heap rule collects often in a run that stays small for long (20,000 results: +16% CPU
  // without this budget), so it waits until SMALL_HEAP_GC_SHARE of the time since the last
  // collection has paid for it; the large-heap rule does not wait.
  if (used < LIVE_FACTOR * liveBytes + SLACK_BYTES && (performance.now() - lastCollectedAt) * SMALL_HEAP_GC_SHARE < lastCollectionMs) return;
  collect();
}

/**
 * Collects now, when the governor is on: for the boundary between a long phase and the next (the
 * run's requests done, its reports about to be written), where the first phase's promoted garbage
 * would otherwise stay under the second's peak. The 2,000-result job: 164-176 MB peak RSS against
 * 184-186 MB without it (3 runs each, quiet machine); it costs one collection of a small heap.
 */
export function collectBetweenPhases(): void {
  if (enabled) collect();
}

/** A full collection, timed for the small-heap rule's budget; what it leaves is the new live size. */
function collect(): void {
  const startedAt = performance.now();
  gc!();
  lastCollectedAt = performance.now();
  lastCollectionMs = lastCollectedAt - startedAt;
  liveBytes = getHeapStatistics().used_heap_size;
}
