// Heap settings the launcher applies first thing. V8 reads flags that size the heap
// (--max-semi-space-size, --max-old-space-size) only when the process starts, and the CLI does not
// start a second process to pass them; so the launcher sets, through v8.setFlagsFromString, flags V8
// reads while it runs. docs/performance.md#v8-flags has the measurements.
import {PerformanceObserver} from 'node:perf_hooks';
import {getHeapSpaceStatistics, setFlagsFromString} from 'node:v8';

/**
 * The young generation's semi-space size (MB) at which it stops growing: the effect of
 * `--max-semi-space-size=8`. V8 doubles the semi-spaces after busy scavenges, up to 64 MB each here;
 * most of that is garbage at any moment. The 2,000-result run peaked at 275–290 MB RSS with them
 * growing, 185–205 MB with this cap, at the same CPU; semi-spaces kept at their starting 1 MB
 * (--semi-space-growth-factor=1 from the start) cost ~12% more CPU for ~10 MB more.
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
 * Stops the young generation growing once its semi-spaces reach `capMb`: after each collection
 * (a `gc` performance entry), once the new space (two semi-spaces) is that big, growth factor 1.
 * It may overshoot by one doubling when two scavenges come before the observer runs.
 * @param {number} capMb
 */
export function capYoungGeneration(capMb) {
  const capBytes = 2 * capMb * 1024 * 1024;
  const observer = new PerformanceObserver(() => {
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (!young || young.space_size < capBytes) return;
    setFlagsFromString('--semi-space-growth-factor=1');
    observer.disconnect();
  });
  observer.observe({entryTypes: ['gc']});
}

/** Applies launcherHeapSettings to this process. */
export function applyHeapSettings() {
  const {flags, semiSpaceCapMb} = launcherHeapSettings(process.env, process.execArgv);
  for (const flag of flags) setFlagsFromString(flag);
  if (semiSpaceCapMb !== null) capYoungGeneration(semiSpaceCapMb);
}
