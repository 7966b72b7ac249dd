// assay against its peer, promptfoo, on the same job in the same run: 1,000 cases × 2 models,
// exact-match, concurrency 64, unstreamed, both against one zero-latency OpenAI-compatible server on
// loopback (the sandbox, in a process of its own). Each tool runs as a child process under
// /usr/bin/time (wall, CPU, peak RSS), alternating, after a warm-up each.
// Run: npm run bench:peer   (installs promptfoo into <tmpdir>/assay-peer-promptfoo-<version> the first
// time; PROMPTFOO_VERSION=x.y.z for another version than the latest, PEER_ROUNDS=n for n measured
// rounds a tool, 3 by default). Figures and method go in docs/performance.md.
import {execFileSync, spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {loadavg, tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {createInterface} from 'node:readline';
import {BIN, timeNode} from './time-cli.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CASES = 1000;
const MODELS = ['zero-a', 'zero-b'];
const RESULTS = CASES * MODELS.length;
const CONCURRENCY = 64;
const ROUNDS = Number(process.env.PEER_ROUNDS ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`PEER_ROUNDS must be a whole number >= 1, got ${process.env.PEER_ROUNDS}`);

/** Installs promptfoo (once per version) into a folder of the OS temp dir, never into this repo. */
function installPromptfoo(): {version: string; entry: string} {
  const spec = process.env.PROMPTFOO_VERSION ?? 'latest';
  // An exact version needs no registry look-up (so a second run works offline).
  const version = /^\d+\.\d+\.\d+$/.test(spec) ? spec : String(JSON.parse(execFileSync('npm', ['view', `promptfoo@${spec}`, 'version', '--json'], {encoding: 'utf8'})));
  if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) throw new Error(`PROMPTFOO_VERSION=${spec} resolved to ${version}: name one version`);
  const dir = join(tmpdir(), `assay-peer-promptfoo-${version}`);
  const pkg = join(dir, 'node_modules', 'promptfoo', 'package.json');
  if (!existsSync(pkg)) {
    console.error(`installing promptfoo@${version} into ${dir} (a few minutes)…`);
    mkdirSync(dir, {recursive: true});
    writeFileSync(join(dir, 'package.json'), '{"name": "assay-peer-promptfoo", "private": true}\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', `promptfoo@${version}`], {cwd: dir, stdio: ['ignore', 'ignore', 'inherit']});
  } else console.error(`promptfoo@${version} already installed in ${dir}`);
  const meta = JSON.parse(readFileSync(pkg, 'utf8')) as {version: string; bin: Record<string, string>};
  if (meta.version !== version) throw new Error(`${pkg} is promptfoo ${meta.version}, expected ${version}: remove ${dir} and run again`);
  return {version, entry: join(dir, 'node_modules', 'promptfoo', meta.bin.promptfoo!)};
}

/** The server runs in its own process, so neither tool nor this script shares its event loop. */
async function startServer(): Promise<{url: string; stop: () => void}> {
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'zero-latency-server.ts'), String(CASES), ...MODELS], {stdio: ['pipe', 'pipe', 'inherit']});
  const [line] = await new Promise<string[]>((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`zero-latency server exited ${code}`)));
    createInterface({input: child.stdout!}).once('line', (l) => done([l]));
  });
  child.removeAllListeners('exit');
  return {url: `${line!}/v1`, stop: () => child.kill('SIGTERM')};
}

/** One folder, one job: the same cases, prompt, models and grading for both tools. */
function project(url: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'assay-peer-'));
  const cases = Array.from({length: CASES}, (_, i) => ({id: `c${i}`, q: `question ${i}`, expected: `answer ${i}`}));
  writeFileSync(join(dir, 'cases.csv'), `id,q,expected\n${cases.map((c) => `${c.id},${c.q},${c.expected}`).join('\n')}\n`);
  writeFileSync(join(dir, 's.yaml'), 'id: s\nprompt: "Answer {{q}}"\ndataset: cases.csv\ngraders: [{type: exact-match}]\n');
  writeFileSync(
    join(dir, 'bench.config.yaml'),
    `providers:\n  - id: local\n    type: openai-compatible\n    baseURL: ${url}\n    circuitBreaker: false\n    models:\n${MODELS.map((m) => `      - { label: ${m}, model: ${m}, stream: false }`).join('\n')}\nsuites: [s.yaml]\nconcurrency: ${CONCURRENCY}\n`,
  );
  // JSON is YAML: promptfoo reads it as its usual promptfooconfig.yaml.
  const promptfoo = {
    description: 'assay bench:peer',
    prompts: ['Answer {{q}}'],
    providers: MODELS.map((m) => ({id: `openai:chat:${m}`, label: m, config: {apiBaseUrl: url, apiKey: 'x', stream: false}})),
    tests: cases.map((c) => ({vars: {q: c.q}, assert: [{type: 'equals', value: c.expected}]})),
  };
  writeFileSync(join(dir, 'promptfooconfig.yaml'), JSON.stringify(promptfoo));
  mkdirSync(join(dir, 'promptfoo-home'));
  return dir;
}

interface Measure {
  wallS: number;
  cpuS: number;
  maxRssMb: number;
  passed: number;
}

async function runAssay(dir: string): Promise<Measure> {
  // Exit 1 is a run whose gate failed; the job itself must have 2,000 answered results.
  // Without proxy variables: with them the launcher starts the CLI a second time (see bin/run.js).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?|no)_proxy$/i.test(k)));
  const r = await timeNode(dir, [BIN, 'run', '--json'], {env: {...env, CI: 'true'}});
  const overall = (JSON.parse(r.stdout) as {overall: {n: number; ok: number; errors: number; passed: number}}).overall;
  if (overall.n !== RESULTS || overall.ok !== RESULTS || overall.errors !== 0) throw new Error(`assay: expected ${RESULTS} results without errors, got n ${overall.n}, ok ${overall.ok}, errors ${overall.errors}`);
  return {wallS: r.wallS, cpuS: r.cpuS, maxRssMb: r.maxRssMb, passed: overall.passed};
}

async function runPromptfoo(dir: string, entry: string): Promise<Measure> {
  // Everything promptfoo would reach beyond loopback is switched off, and its home (database,
  // logs) is a folder of this job, not ~/.promptfoo. With telemetry disabled, promptfoo 0.123 still
  // posts one "telemetry disabled" event to r.promptfoo.app through its fetch, which honours the
  // proxy variables: they point at a closed port on loopback (the post fails at once, silently), and
  // NO_PROXY keeps the requests to the server direct.
  const blackhole = 'http://127.0.0.1:9';
  const env = {
    ...process.env,
    PROMPTFOO_DISABLE_TELEMETRY: '1',
    PROMPTFOO_DISABLE_UPDATE: '1',
    PROMPTFOO_DISABLE_SHARING: '1',
    PROMPTFOO_DISABLE_REMOTE_GENERATION: '1',
    PROMPTFOO_DISABLE_REDTEAM_REMOTE_GENERATION: '1',
    PROMPTFOO_CACHE_ENABLED: 'false',
    PROMPTFOO_CONFIG_DIR: join(dir, 'promptfoo-home'),
    OPENAI_API_KEY: 'x',
    HTTP_PROXY: blackhole,
    HTTPS_PROXY: blackhole,
    http_proxy: blackhole,
    https_proxy: blackhole,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    CI: 'true',
  };
  const out = join(dir, 'promptfoo-results.json');
  // Exit 100 is promptfoo's "some assertions failed".
  const r = await timeNode(dir, [entry, 'eval', '-c', 'promptfooconfig.yaml', '-j', String(CONCURRENCY), '--no-cache', '--no-share', '--no-progress-bar', '--no-table', '-o', out], {env, okCodes: [0, 100]});
  const doc = JSON.parse(readFileSync(out, 'utf8')) as {results: {results: {success: boolean; error?: string | null}[]; stats: {successes: number; failures: number; errors: number}}};
  const rows = doc.results.results;
  if (rows.length !== RESULTS || doc.results.stats.errors !== 0) throw new Error(`promptfoo: expected ${RESULTS} results without errors in ${out}, got ${rows.length} and ${doc.results.stats.errors} errors`);
  return {wallS: r.wallS, cpuS: r.cpuS, maxRssMb: r.maxRssMb, passed: rows.filter((x) => x.success).length};
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');

const peer = installPromptfoo();
const assayVersion = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}).version;
console.error(`assay ${assayVersion} (this checkout), promptfoo ${peer.version}, node ${process.version}, ${ROUNDS} rounds a tool after a warm-up each`);
const server = await startServer();
const measured: {assay: Measure[]; promptfoo: Measure[]} = {assay: [], promptfoo: []};
const loadBefore = load();
try {
  const dir = project(server.url);
  console.error(`job folder ${dir}; load average ${loadBefore}`);
  const assayWarm = await runAssay(dir);
  const peerWarm = await runPromptfoo(dir, peer.entry);
  console.error(`warm-up: assay ${assayWarm.wallS} s, promptfoo ${peerWarm.wallS} s`);
  for (let round = 1; round <= ROUNDS; round++) {
    const a = await runAssay(dir);
    const p = await runPromptfoo(dir, peer.entry);
    measured.assay.push(a);
    measured.promptfoo.push(p);
    console.error(`round ${round}: assay ${a.wallS.toFixed(2)} s, ${a.cpuS.toFixed(2)} s CPU, ${a.maxRssMb.toFixed(0)} MB, ${a.passed} passed; promptfoo ${p.wallS.toFixed(2)} s, ${p.cpuS.toFixed(2)} s CPU, ${p.maxRssMb.toFixed(0)} MB, ${p.passed} passed`);
  }
} finally {
  server.stop();
}

// The server answers each prompt and model the same way whoever asks, so both tools must count the
// same passes (allowing 1% for a grader difference such as trimming).
const passes = [...measured.assay, ...measured.promptfoo].map((m) => m.passed);
if (Math.max(...passes) - Math.min(...passes) > RESULTS / 100) throw new Error(`pass counts differ between runs or tools: assay ${measured.assay.map((m) => m.passed).join(', ')}; promptfoo ${measured.promptfoo.map((m) => m.passed).join(', ')}`);

const med = (tool: 'assay' | 'promptfoo', k: 'wallS' | 'cpuS' | 'maxRssMb') => median(measured[tool].map((m) => m[k]));
const rssRatio = med('assay', 'maxRssMb') / med('promptfoo', 'maxRssMb');
const speedup = med('promptfoo', 'wallS') / med('assay', 'wallS');
const cpuRatio = med('promptfoo', 'cpuS') / med('assay', 'cpuS');
console.log(`${RESULTS.toLocaleString('en-US')} results (${CASES.toLocaleString('en-US')} cases × ${MODELS.length} models, exact-match, concurrency ${CONCURRENCY}), median of ${ROUNDS}; load average ${loadBefore} before, ${load()} after (1, 5, 15 min)\n`);
console.log('| tool | wall | CPU | peak RSS | passed |');
console.log('|---|---|---|---|---|');
for (const tool of ['assay', 'promptfoo'] as const) {
  const name = tool === 'assay' ? `assay ${assayVersion}` : `promptfoo ${peer.version}`;
  console.log(`| ${name} | ${med(tool, 'wallS').toFixed(2)} s | ${med(tool, 'cpuS').toFixed(2)} s | ${med(tool, 'maxRssMb').toFixed(0)} MB | ${measured[tool][0]!.passed} of ${RESULTS} |`);
}
console.log('\n| target | measured | |');
console.log('|---|---|---|');
console.log(`| peak RSS, assay / promptfoo ≤ 0.25 | ${rssRatio.toFixed(2)} | ${rssRatio <= 0.25 ? 'met' : 'not met'} |`);
console.log(`| wall, promptfoo / assay ≥ 10× | ${speedup.toFixed(1)}× | ${speedup >= 10 ? 'met' : 'not met'} |`);
console.log(`| (CPU, promptfoo / assay: for reference) | ${cpuRatio.toFixed(1)}× | |`);
