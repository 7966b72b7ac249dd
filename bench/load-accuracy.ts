// How close `assay load` comes to what a simulated deployment's parameters imply. The sandbox runs
// in a child process with a capacity model of known parameters (no latency spread):
//   TTFT at low load = ttftMs; time per output token at low load = msPerToken;
//   maximum throughput = maxConcurrent / (ttftMs + (T − 1) · msPerToken · (1 + slowdown · (maxConcurrent − 1))).
// A sweep then reports the saturation point. Run: npm run bench:load-accuracy   (about four minutes).
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {runLoad} from '../src/load/run-load.ts';
import {startSandboxProcess} from '../src/sandbox/sandbox-process.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';

const P = {ttftMs: 100, msPerToken: 20, latencySigma: 0, capacity: {maxConcurrent: 8, queueLimit: 64, slowdownPerActive: 0.05, overloadStatus: 503 as const}};
const T = 32;
const server = await startSandboxProcess({models: [resolveSimModel('knee', P)]});
const dir = mkdtempSync(join(tmpdir(), 'assay-load-accuracy-'));
writeFileSync(join(dir, 's.yaml'), 'id: s\nprompt: "x"\ncases: [{expected: x}]\n');
writeFileSync(join(dir, 'bench.config.yaml'), `providers:\n  - id: sim\n    type: sandbox\n    wire: openai\n    baseURL: ${server.baseURLFor('openai')}\n    models:\n      - { label: knee, model: knee }\nsuites: [s.yaml]\n`);

const c = P.capacity;
const impliedMaxRps = c.maxConcurrent / ((P.ttftMs + (T - 1) * P.msPerToken * (1 + c.slowdownPerActive * (c.maxConcurrent - 1))) / 1000);
try {
  const {report} = await runLoad({cwd: dir, models: ['knee'], profile: 'sweep', concurrency: c.maxConcurrent, sweepSteps: 8, requests: 80, outputTokens: String(T), ignoreLimits: true, outDir: join(dir, 'out')});
  const m = report.models.knee!;
  const sync = m.steps[0]!;
  const row = (name: string, measured: number | null, implied: number) => console.log(`${name.padEnd(26)} measured ${measured === null ? '–' : measured.toFixed(2).padStart(8)}  implied ${implied.toFixed(2).padStart(8)}  error ${measured === null ? '–' : `${(((measured - implied) / implied) * 100).toFixed(1)}%`}`);
  row('TTFT p50 at 1 (ms)', sync.ttftMs.p50, P.ttftMs);
  row('TPOT p50 at 1 (ms)', sync.tpotMs.p50, P.msPerToken);
  row('ITL p50 at 1 (ms)', sync.itlMs.p50, P.msPerToken);
  row('max throughput (req/s)', m.maxThroughputRps, impliedMaxRps);
  row('saturation (req/s)', m.saturationRps, impliedMaxRps);
  for (const s of m.steps) console.log(`  ${s.role.padEnd(11)} ${s.offeredRps === null ? `@${s.concurrency}`.padEnd(8) : `${s.offeredRps}/s`.padEnd(8)} achieved ${s.achievedRps.toFixed(2)} goodput ${s.goodputRps.toFixed(2)} ttft p50 ${s.ttftFromScheduledMs.p50?.toFixed(0)} valid ${s.valid}`);
} finally {
  await server.close();
}
