// Harness overhead: how much time, CPU and memory assay itself adds, against a zero-latency
// OpenAI-compatible server on loopback (the sandbox, in this process) and a bare keep-alive HTTP
// loop as the yardstick. Run: npm run bench:overhead   (a few minutes; `-- PART` for one of
// overhead, throughput, latency, scale, help; `-- million` for 1,000,000 cases, not in the default run). Figures go in docs/performance.md.
import {spawn} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {request, Agent} from 'node:http';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'run.js');
const only = process.argv[2];

const server = new Sandbox({models: [resolveSimModel('zero-a', {ttftMs: 0, msPerToken: 0}), resolveSimModel('zero-b', {ttftMs: 0, msPerToken: 0}), resolveSimModel('fixed', {ttftMs: 20, msPerToken: 0, latencySigma: 0})]});
await server.listen();

function project(cases: number, models: string[], extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'assay-overhead-'));
  const rows = ['id,q,expected', ...Array.from({length: cases}, (_, i) => `c${i},question ${i},answer ${i}`)];
  writeFileSync(join(dir, 'cases.csv'), `${rows.join('\n')}\n`);
  writeFileSync(join(dir, 's.yaml'), 'id: s\nprompt: "Answer {{q}}"\ndataset: cases.csv\ngraders: [{type: exact-match}]\n');
  writeFileSync(
    join(dir, 'bench.config.yaml'),
    `providers:\n  - id: local\n    type: openai-compatible\n    baseURL: ${server.url}/v1\n    circuitBreaker: false\n    models:\n${models.map((m) => `      - { label: ${m}, model: ${m}, stream: false }`).join('\n')}\nsuites: [s.yaml]\n${extra}`,
  );
  return dir;
}

/** Runs the CLI under /usr/bin/time: wall seconds, CPU seconds and peak RSS of the whole process. */
function cli(cwd: string, args: string[]): Promise<{wallS: number; cpuS: number; maxRssMb: number; stdout: string}> {
  return new Promise((done, fail) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, BIN, ...args], {cwd, env: {...process.env, CI: 'true'}, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      if (!m || (code !== 0 && code !== 1)) return fail(new Error(`assay exited ${code}: ${stderr.slice(-800)}`));
      done({wallS: Number(m[1]), cpuS: Number(m[2]) + Number(m[3]), maxRssMb: Number(m[4]) / 1024, stdout});
    });
  });
}

/**
 * The same run through the library (bench/run-phases.ts): the process's peak RSS when loading ends,
 * when the last result is journaled (the run phase) and at the end (the reports included).
 */
function phases(dir: string): Promise<{loadMb: number; runMb: number; processMb: number; n: number}> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench', 'run-phases.ts'), dir], {cwd: dir, env: {...process.env, CI: 'true'}, stdio: ['ignore', 'pipe', 'inherit']});
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(JSON.parse(stdout.trim().split('\n').at(-1)!)) : fail(new Error(`run-phases exited ${code}`))));
  });
}

const phaseNote = (p: {loadMb: number; runMb: number; processMb: number}) => `(library: loaded ${p.loadMb.toFixed(0)} MB, run ${p.runMb.toFixed(0)} MB, with reports ${p.processMb.toFixed(0)} MB)`;

/** The yardstick: a bare keep-alive HTTP loop at a fixed concurrency against the same server. */
async function bareLoop(total: number, concurrency: number): Promise<number> {
  const agent = new Agent({keepAlive: true, maxSockets: concurrency});
  const body = JSON.stringify({model: 'zero-a', messages: [{role: 'user', content: 'Answer question 1'}]});
  const url = new URL(`${server.url}/v1/chat/completions`);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({length: concurrency}, async () => {
      while (next++ < total) {
        await new Promise<void>((ok, bad) => {
          const req = request({host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: {'content-type': 'application/json', authorization: 'Bearer x', 'content-length': Buffer.byteLength(body)}}, (res) => {
            res.resume();
            res.on('end', ok);
          });
          req.on('error', bad);
          req.end(body);
        });
      }
    }),
  );
  agent.destroy();
  return total / ((performance.now() - started) / 1000);
}

const rows: string[][] = [];
const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;

if (!only || only === 'overhead') {
  // 2,000 results: 1,000 cases × 2 models, exact-match graded, CSV + JSON + HTML written.
  const dir = project(1000, ['zero-a', 'zero-b'], 'concurrency: 64\n');
  await cli(dir, ['run', '--json']); // warm the compile cache and jiti's cache, as a second run would be
  const r = await cli(dir, ['run', '--json']);
  const n = 2000;
  rows.push(['2,000 results, process start to exit', `${r.wallS.toFixed(2)} s`, '< 1.5 s', r.wallS < 1.5 ? 'met' : 'not met']);
  rows.push(['harness CPU per result (whole process)', `${((r.cpuS / n) * 1000).toFixed(2)} ms`, '< 0.5 ms', r.cpuS / n < 0.0005 ? 'met' : 'not met']);
  rows.push(['peak RSS', `${r.maxRssMb.toFixed(0)} MB`, '< 150 MB', r.maxRssMb < 150 ? 'met' : 'not met']);
}

if (!only || only === 'throughput') {
  const bare = await bareLoop(4000, 64);
  const dir = project(2000, ['zero-a', 'zero-b'], 'concurrency: 64\n');
  const r = await cli(dir, ['run', '--json']);
  const summary = JSON.parse(r.stdout);
  // Requests per second over the run itself (journal time span), not process start.
  const {readJournal} = await import('../src/runner/journal.ts');
  const results = readJournal(join(summary.dir, 'results.jsonl')).results;
  const span = (Math.max(...results.map((x) => Date.parse(x.endedAt))) - Math.min(...results.map((x) => Date.parse(x.startedAt)))) / 1000;
  const rate = results.length / span;
  rows.push(['throughput at concurrency 64', `${rate.toFixed(0)} req/s vs bare loop ${bare.toFixed(0)} req/s`, '≥ 50% of bare', `${((rate / bare) * 100).toFixed(0)}%`]);
}

if (!only || only === 'latency') {
  const dir = project(600, ['fixed'], 'concurrency: 32\n');
  const r = await cli(dir, ['run', '--json']);
  const p50 = JSON.parse(r.stdout).models.fixed.latencyMs.p50 as number;
  const queue = JSON.parse(r.stdout);
  void queue;
  rows.push(['latency truth: server adds 20 ms, concurrency 32', `p50 ${p50.toFixed(1)} ms`, '≤ 23 ms', p50 <= 23 ? 'met' : 'not met']);
}

if (!only || only === 'scale') {
  // Memory at scale: peak RSS must stay flat as cases grow (the plan, the journal and the reports
  // are streamed, never held whole). 1,000,000 cases is its own part (`million`): several minutes.
  for (const [cases, models] of [[100_000, ['zero-a']], [100_000, ['zero-a', 'zero-b']]] as const) {
    const dir = project(cases, [...models], 'concurrency: 64\n');
    const r = await cli(dir, ['run', '--json']);
    const p = await phases(dir);
    rows.push([`${cases.toLocaleString('en-US')} cases × ${models.length} model${models.length > 1 ? 's' : ''}`, `${r.wallS.toFixed(1)} s, peak RSS ${r.maxRssMb.toFixed(0)} MB ${phaseNote(p)}`, '< 300 MB', r.maxRssMb < 300 ? 'met' : 'not met']);
  }
}

if (only === 'million') {
  const dir = project(1_000_000, ['zero-a'], 'concurrency: 64\n');
  const r = await cli(dir, ['run', '--json']);
  const n = JSON.parse(r.stdout).n as number;
  const p = await phases(dir);
  rows.push(['1,000,000 cases × 1 model', `${r.wallS.toFixed(1)} s, peak RSS ${r.maxRssMb.toFixed(0)} MB ${phaseNote(p)}, ${n.toLocaleString('en-US')} results`, '< 400 MB, completes', r.maxRssMb < 400 && n === 1_000_000 ? 'met' : 'not met']);
}

if (!only || only === 'help') {
  const dir = mkdtempSync(join(tmpdir(), 'assay-help-'));
  await cli(dir, ['--help']);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) times.push((await cli(dir, ['run', '--help'])).wallS);
  times.sort((a, b) => a - b);
  rows.push(['`assay run --help` (median of 5)', ms(times[2]!), '< 300 ms', times[2]! < 0.3 ? 'met' : 'not met']);
}

await server.close();
console.log('| measure | result | target | |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
