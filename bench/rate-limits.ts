// Measures how close assay's traffic control runs to its configured limits, against the sandbox on
// loopback: achieved vs configured rpm and tpm, and achieved vs ideal throughput at a concurrency and
// latency. Run: npm run bench:limits   (about 20 s). Numbers go in docs/performance.md.
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';

const server = new Sandbox({
  models: [resolveSimModel('instant', {ttftMs: 0, msPerToken: 0}), resolveSimModel('fixed50', {ttftMs: 50, msPerToken: 0, latencySigma: 0})],
});
await server.listen();

async function scenario(name: string, model: string, n: number, providerExtra: string, modelExtra = '') {
  const dir = mkdtempSync(join(tmpdir(), 'assay-bench-'));
  const cases = Array.from({length: n}, (_, i) => `  - {id: c${i}, q: "${name} ${i}"}`).join('\n');
  writeFileSync(
    join(dir, 'bench.config.yaml'),
    `providers:\n  - id: p\n    type: sandbox\n    wire: openai\n    baseURL: ${server.url}/v1\n    circuitBreaker: false\n${providerExtra}    models: [{ label: ${model}, model: ${model}${modelExtra} }]\nsuites: [s.yaml]\nconcurrency: 64\n`,
  );
  writeFileSync(join(dir, 's.yaml'), `id: s\nprompt: "Please answer {{q}}"\ncases:\n${cases}\n`);
  const before = server.log.length;
  const started = performance.now();
  const outcome = await runBenchmark({cwd: dir});
  const wallMs = performance.now() - started;
  const arrivals = server.log.slice(before).map((l) => l.at).sort((a, b) => a - b);
  let maxPerSecond = 0;
  for (let i = 0; i < arrivals.length; i++) {
    let j = i;
    while (j < arrivals.length && arrivals[j]! < arrivals[i]! + 1000) j++;
    maxPerSecond = Math.max(maxPerSecond, j - i);
  }
  const spanMs = arrivals.at(-1)! - arrivals[0]!;
  // Tokens as the provider reports them, placed at each request's start.
  const used = outcome.results.map((r) => ({t: Date.parse(r.startedAt), tokens: (r.inputTokens ?? 0) + (r.outputTokens ?? 0)})).sort((x, y) => x.t - y.t);
  let maxTokensPerSecond = 0;
  for (let i = 0; i < used.length; i++) {
    let sum = 0;
    for (let j = i; j < used.length && used[j]!.t < used[i]!.t + 1000; j++) sum += used[j]!.tokens;
    maxTokensPerSecond = Math.max(maxTokensPerSecond, sum);
  }
  const tokenSpanMs = used.at(-1)!.t - used[0]!.t;
  // Steady rate: the last request's tokens start at the end of the span, so they are not part of it.
  const steadyTokens = used.slice(0, -1).reduce((sum, u) => sum + u.tokens, 0);
  return {n, wallMs, spanMs, maxPerSecond, maxTokensPerSecond, tokenSpanMs, steadyTokens, ok: outcome.summary.overall.ok};
}

const rows: string[][] = [];

const rpm = 3000;
const a = await scenario('rpm', 'instant', 200, `    limits: { rpm: ${rpm} }\n`);
const achievedRpm = ((a.n - 1) / a.spanMs) * 60_000;
rows.push([`rpm limit ${rpm}`, `${achievedRpm.toFixed(0)} rpm`, `${((achievedRpm / rpm) * 100).toFixed(1)}%`, `max ${a.maxPerSecond} starts in any 1 s (cap ${Math.ceil(rpm / 60)})`]);

const tpm = 30_000;
const b = await scenario('tpm', 'instant', 120, `    limits: { tpm: ${tpm} }\n`, ', params: { maxTokens: 16 }');
const achievedTpm = (b.steadyTokens / b.tokenSpanMs) * 60_000;
rows.push([`tpm limit ${tpm}`, `${achievedTpm.toFixed(0)} tpm (reported usage)`, `${((achievedTpm / tpm) * 100).toFixed(1)}%`, `max ${b.maxTokensPerSecond} tokens in any 1 s (cap ${Math.ceil(tpm / 60)})`]);

const concurrency = 16;
const c = await scenario('throughput', 'fixed50', 800, `    limits: { concurrency: ${concurrency} }\n`);
const ideal = concurrency / 0.05;
const achieved = c.n / (c.spanMs / 1000);
rows.push([`concurrency ${concurrency}, 50 ms latency`, `${achieved.toFixed(0)} req/s`, `${((achieved / ideal) * 100).toFixed(1)}%`, `ideal ${ideal} req/s; wall ${(c.wallMs / 1000).toFixed(2)} s incl. setup`]);

await server.close();
console.log('| scenario | achieved | of target | notes |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
