// Peak RSS of each phase of one run, driven through the library as the CLI runs it: `node bench/run-phases.ts DIR`
// runs DIR's bench.config.yaml and prints one JSON line with the process's high-water mark of
// resident memory (VmHWM, which the kernel keeps: no sample can miss a peak) read when loading and
// planning end (the `start` event), when the last result is journaled, and after the reports.
// Used by bench/overhead.ts (`scale`, `million`) and the method in docs/performance.md.
import {existsSync, readFileSync} from 'node:fs';
import v8 from 'node:v8';
// The CLI's heap settings (the launcher's young-generation cap, the heap governor) and the built
// library the CLI runs (dist/; loading src/ through Node's type stripping adds ~20 MB of its own).
import {applyHeapSettings} from '../bin/v8-flags.js';

applyHeapSettings();
const built = new URL('../dist/index.js', import.meta.url);
if (!existsSync(built)) throw new Error('bench/run-phases.ts runs the built library: run `npm run build` first');
const {enableHeapGovernor, runBenchmark} = (await import(built.href)) as typeof import('../src/index.ts');
enableHeapGovernor();

function highWaterMb(): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
}

const dir = process.argv[2]!;
const peaks = {loadMb: 0, runMb: 0, processMb: 0};
let total = 0;
let seen = 0;
// ASSAY_PHASES_STOP_AFTER=N stops scheduling after N results (as a first Ctrl+C does): the load
// phase of a large dataset and the start of its run, measured without waiting for all of it.
const stopAfter = Number(process.env.ASSAY_PHASES_STOP_AFTER ?? Number.POSITIVE_INFINITY);
const stop = new AbortController();
const started = performance.now();
const outcome = await runBenchmark({
  cwd: dir,
  config: 'bench.config.yaml',
  signal: stop.signal,
  onEvent(event) {
    if (event.type === 'result' && seen + 1 >= stopAfter && !stop.signal.aborted) {
      peaks.runMb = highWaterMb();
      stop.abort();
    }
    if (event.type === 'start') {
      total = event.total;
      peaks.loadMb = highWaterMb();
    } else if (event.type === 'result') {
      if (++seen === total) peaks.runMb = highWaterMb();
      // With --expose-gc: the live heap half-way through the run (what is held, not garbage not yet collected).
      if (seen === Math.floor(total / 2) && typeof globalThis.gc === 'function') {
        globalThis.gc();
        const m = process.memoryUsage();
        console.error(JSON.stringify({midRun: {rssMb: m.rss / 2 ** 20, heapUsedMb: m.heapUsed / 2 ** 20, externalMb: m.external / 2 ** 20}}));
        if (process.env.ASSAY_HEAP_SNAPSHOT) console.error(`snapshot ${v8.writeHeapSnapshot(process.env.ASSAY_HEAP_SNAPSHOT)}`);
      }
    }
  },
});
peaks.processMb = highWaterMb();
console.log(JSON.stringify({...peaks, n: outcome.summary.overall.n, wallS: (performance.now() - started) / 1000}));
