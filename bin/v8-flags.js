// Heap settings the launcher applies first thing. V8 reads flags that size the heap
// (--max-semi-space-size, --max-old-space-size) only when the process starts, and the CLI does not
// start a second process to pass them; so the launcher sets, through v8.setFlagsFromString, flags V8
// reads while it runs. docs/performance.md#v8-flags has the measurements.
import {constants, PerformanceObserver} from 'node:perf_hooks';
import {getHeapSpaceStatistics, setFlagsFromString} from 'node:v8';

/**
 * The young generation's semi-space size (MB) at which it stops growing: the effect of
 * `--max-semi-space-size=8`. V8 doubles the semi-spaces after busy scavenges, up to 64 MB each here;
 * most of that is garbage at any moment. The 2,000-result run peaked at 250–290 MB RSS with them
 * growing, 172–200 MB with this cap, at the same CPU; semi-spaces kept at their starting 1 MB
 * (--semi-space-growth-factor=1 from the start) cost ~10% more CPU for ~15 MB more.
 */
export const YOUNG_SEMI_SPACE_CAP_MB = 8;

/** User flags (node's command line or NODE_OPTIONS) that size the young generation themselves. */
const YOUNG_GENERATION_FLAG = /semi[-_]space/;

/**
 * What the launcher sets: ASSAY_V8_FLAGS, when set, replaces the defaults (space-separated flags;
 * empty for none); otherwise the young-generation cap, unless the user sized it themselves.
 * @param {Record<string, string | undefined>} env
 * @param {readonly string[]} execArgv
 * @returns {{flags: string[], semiSpaceCapMb: number | null}}
 */
export function launcherHeapSettings(env, execArgv) {
  if (env.ASSAY_V8_FLAGS !== undefined) return {flags: env.ASSAY_V8_FLAGS.split(/\s+/).filter(Boolean), semiSpaceCapMb: null};
  const userFlags = `${execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`;
  return {flags: [], semiSpaceCapMb: YOUNG_GENERATION_FLAG.test(userFlags) ? null : YOUNG_SEMI_SPACE_CAP_MB};
}

/**
 * The old generation's live size (MB, read after a full collection) past which the cap is lifted for good. A small young generation
 * promotes objects that live across a few scavenges (requests in flight) to the old generation,
 * and each full collection then marks all that is live there: cheap when the old generation is
 * small, but at 100,000 × 2 (about 140 MB live) the capped run spent 0.9 ms of CPU a result
 * against 0.57 ms uncapped. Past this size the young generation grows as V8 would grow it.
 */
export const LIFT_CAP_AT_OLD_SPACE_MB = 128;

/**
 * Keeps the young generation's semi-spaces at or under `capMb` until a full collection leaves the
 * old generation over LIFT_CAP_AT_OLD_SPACE_MB (growth factor 2, V8's default, again from then on).
 * V8 grows the semi-spaces by the growth factor after busy scavenges and reads the factor at each growth, so:
 * factor 1 (no growth) from the start, and after each collection (a `gc` performance entry) factor
 * 2 only while one more doubling stays within the cap. Growth is held from the start because the
 * observer runs only between tasks: module loading is one long synchronous stretch, and with
 * growth allowed there the semi-spaces had doubled past the cap (to 16 MB against 8) before the
 * observer first ran, and stayed there. A long synchronous stretch later can still overshoot by the
 * doublings it allows.
 * @param {number} capMb
 */
export function capYoungGeneration(capMb) {
  const capBytes = 2 * capMb * 1024 * 1024;
  const liftBytes = LIFT_CAP_AT_OLD_SPACE_MB * 1024 * 1024;
  let factor = 0;
  let done = false;
  const setFactor = (/** @type {number} */ next) => {
    if (next !== factor) setFlagsFromString(`--semi-space-growth-factor=${next}`);
    factor = next;
  };
  setFactor(1);
  /** @param {boolean} afterFullCollection */
  const check = (afterFullCollection) => {
    if (done) return;
    const spaces = getHeapSpaceStatistics();
    const old = spaces.find((space) => space.space_name === 'old_space');
    // Only right after a full collection does the old space hold what is live. Between them it also
    // holds garbage promoted since: read then, a 100,000-case run with ~35 MB live lifted the cap at
    // 128 MB used and its young generation grew to 128 MB (docs/performance.md#memory-at-scale).
    if (afterFullCollection && old && old.space_used_size >= liftBytes) {
      setFactor(2);
      done = true;
      observer.disconnect();
      return;
    }
    // new_space's size is both semi-spaces.
    const young = spaces.find((space) => space.space_name === 'new_space');
    if (young) setFactor(2 * young.space_size <= capBytes ? 2 : 1);
  };
  const observer = new PerformanceObserver((list) => {
    check(list.getEntries().some((entry) => /** @type {{kind?: number} | undefined} */ (entry.detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR));
  });
  observer.observe({entryTypes: ['gc']});
  // The observer runs only when the event loop turns, never inside a long synchronous pass (the
  // reports' passes over a journal, a dataset's checking pass), where the young generation then grew
  // to 64 MB semi-spaces: the heap governor (src/core/heap-governor.ts) calls this from those passes,
  // where it only caps: it cannot tell whether a full collection has just run.
  globalThis[Symbol.for(YOUNG_GENERATION_CHECK)] = () => check(false);
}

/** The global symbol's key under which the launcher leaves its check for the heap governor. */
export const YOUNG_GENERATION_CHECK = 'assay.youngGenerationCheck';

/** Applies launcherHeapSettings to this process. */
export function applyHeapSettings() {
  const {flags, semiSpaceCapMb} = launcherHeapSettings(process.env, process.execArgv);
  for (const flag of flags) setFlagsFromString(flag);
  if (semiSpaceCapMb !== null) capYoungGeneration(semiSpaceCapMb);
}
