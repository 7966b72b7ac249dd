// The load generator's own ceiling: open-loop steps at rising rates against a zero-latency sandbox
// in a child process (so the server's work is not the generator's), streamed, 16 output tokens each.
// The highest valid step is the most this machine can offer; steps above it are flagged invalid.
// Run: npm run bench:load-ceiling   (about 30 s). Figures go in docs/load.md.
import {mkdtempSync, writeFileSync} from 'node:fs';
import {cpus, tmpdir} from 'node:os';
import {join} from 'node:path';
import {runLoad} from '../src/load/run-load.ts';
import {startSandboxProcess} from '../src/sandbox/sandbox-process.ts';

const server = await startSandboxProcess({anyModel: true, latencyScale: 0});
const dir = mkdtempSync(join(tmpdir(), 'assay-load-ceiling-'));
writeFileSync(join(dir, 's.yaml'), 'id: s\nprompt: "x"\ncases: [{expected: x}]\n');
writeFileSync(
  join(dir, 'bench.config.yaml'),
  `providers:\n  - id: zero\n    type: openai-compatible\n    baseURL: ${server.baseURLFor('openai')}\n    circuitBreaker: false\n    models:\n      - { label: zero, model: zero }\nsuites: [s.yaml]\n`,
);

const rates = (process.argv[2] ?? '100,200,400,800,1600,3200').split(',').map(Number);
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; streamed, 16 output tokens, constant arrivals, 2 s per step`);
console.log('offered/s  dispatched/s  achieved/s  out tok/s  lag p95 ms  valid');
let ceiling: {rps: number; tokens: number} | null = null;
try {
  for (const rate of rates) {
    const {report} = await runLoad({cwd: dir, models: ['zero'], profile: 'rate', rateRps: rate, arrivals: 'constant', durationS: 2, warmup: Math.min(200, rate), outputTokens: '16', inputTokens: '32', ignoreLimits: true, outDir: join(dir, 'out')});
    const s = report.models.zero!.steps[0]!;
    const lag = s.generatorLagMs.p95 ?? s.generatorLagMs.max;
    console.log(`${String(rate).padStart(9)}  ${s.dispatchedRps!.toFixed(0).padStart(12)}  ${s.achievedRps.toFixed(0).padStart(10)}  ${s.outputTokensPerS.toFixed(0).padStart(9)}  ${(lag ?? 0).toFixed(1).padStart(10)}  ${s.valid ? 'yes' : `no: ${s.invalidReason}`}`);
    if (s.valid) ceiling = {rps: s.achievedRps, tokens: s.outputTokensPerS};
  }
} finally {
  await server.close();
}
console.log(ceiling ? `ceiling: ${ceiling.rps.toFixed(0)} requests/s, ${ceiling.tokens.toFixed(0)} streamed output tokens/s (highest valid step)` : 'no valid step');
