// Queue mode at scale: `assay run --queue` (the coordinator) with one `assay worker`, a throwaway
// redis-server and the zero-latency server, each in a process of its own. Prints one JSON line: the
// coordinator's wall and CPU seconds and peak RSS (/usr/bin/time), the worker's, and the most jobs of
// the run seen in Redis at once (sampled every 50 ms). Run: node bench/queue-scale.ts [CASES] (default
// 100000; one model), or npm run bench:queue -- CASES. Needs redis-server (scripts/ensure-redis.sh). Figures go in docs/performance.md.
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {createInterface} from 'node:readline';
import {Redis} from 'ioredis';
import {RedisServer} from '../test/queue-helpers.ts';
import {BIN, timeCli} from './time-cli.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CASES = Number(process.argv[2] ?? 100_000);
if (!Number.isInteger(CASES) || CASES < 1) throw new Error(`CASES must be a whole number >= 1, got ${process.argv[2]}`);

/** A child's first stdout line containing `marker` (or its first line, without one). */
function firstLine(child: ChildProcess, marker = ''): Promise<string> {
  return new Promise((done, fail) => {
    child.once('exit', (code) => fail(new Error(`${child.spawnfile} exited ${code} before it was ready`)));
    const rl = createInterface({input: child.stdout!});
    rl.on("line", (l) => {
      if (!l.includes(marker)) return;
      rl.removeAllListeners('line');
      child.removeAllListeners('exit');
      done(l);
    });
  });
}

const redisServer = await new RedisServer().start();
const url = redisServer.url;
const zero = spawn(process.execPath, [join(ROOT, 'bench', 'zero-latency-server.ts'), String(CASES), 'zero-a'], {stdio: ['pipe', 'pipe', 'inherit']});
const baseURL = `${await firstLine(zero)}/v1`;

const dir = mkdtempSync(join(tmpdir(), 'assay-queue-scale-'));
writeFileSync(join(dir, 'cases.csv'), `id,q,expected\n${Array.from({length: CASES}, (_, i) => `c${i},question ${i},answer ${i}`).join('\n')}\n`);
writeFileSync(join(dir, 's.yaml'), 'id: s\nprompt: "Answer {{q}}"\ndataset: cases.csv\ngraders: [{type: exact-match}]\n');
writeFileSync(join(dir, 'bench.config.yaml'), `providers:\n  - id: local\n    type: openai-compatible\n    baseURL: ${baseURL}\n    circuitBreaker: false\n    models:\n      - { label: zero-a, model: zero-a, stream: false }\nsuites: [s.yaml]\nconcurrency: 64\n`);

// Not under /usr/bin/time: stopping it must reach the worker itself. Its peak RSS is read from /proc.
const worker = spawn(process.execPath, [BIN, 'worker', url, '--json', '--concurrency', '64'], {cwd: dir, env: {...process.env, CI: 'true'}, stdio: ['ignore', 'pipe', 'inherit']});
await firstLine(worker, '"ready"');
worker.stdout!.resume();

// Every job of the queue in Redis (this Redis serves only this run), in any state.
const probe = new Redis(url);
let mostJobs = 0;
let stopSampling = false;
const sampling = (async () => {
  for (let done = false; !done; ) {
    const k = 'bull:assay-tasks:';
    const [[, wait], [, active], [, prioritized], [, delayed], [, completed], [, failed]] = (await probe
      .multi()
      .llen(`${k}wait`)
      .llen(`${k}active`)
      .zcard(`${k}prioritized`)
      .zcard(`${k}delayed`)
      .zcard(`${k}completed`)
      .zcard(`${k}failed`)
      .exec())! as Array<[Error | null, number]>;
    mostJobs = Math.max(mostJobs, wait + active + prioritized + delayed + completed + failed);
    await new Promise((r) => setTimeout(r, 50));
    done = stopSampling;
  }
})();

const coordinator = await timeCli(dir, ['run', '--queue', url, '--json']);
stopSampling = true;
await sampling;
probe.disconnect();
const workerRssKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1]);
worker.kill('SIGTERM');
await new Promise((r) => worker.once('close', r));
zero.kill('SIGTERM');
await redisServer.kill();
const n = (JSON.parse(coordinator.stdout) as {overall: {n: number}}).overall.n;
console.log(
  JSON.stringify({
    cases: CASES,
    results: n,
    coordinator: {wallS: coordinator.wallS, cpuS: Number(coordinator.cpuS.toFixed(2)), maxRssMb: Math.round(coordinator.maxRssMb)},
    worker: {maxRssMb: Math.round(workerRssKb / 1024)},
    mostJobsInRedis: mostJobs,
  }),
);
