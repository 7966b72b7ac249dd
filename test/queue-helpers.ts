import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {readFileSync, existsSync, readdirSync} from 'node:fs';
import {createServer} from 'node:net';
import {join} from 'node:path';
import {Redis} from 'ioredis';
import {BIN} from './helpers.ts';

/** Whether Debian's redis-server is installed (scripts/ensure-redis.sh installs it before the tests). */
export const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number};
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server on loopback, without persistence (as the tests want it). */
export class RedisServer {
  port = 0;
  private child: ChildProcess | null = null;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(port?: number): Promise<this> {
    this.port = port ?? (await freePort());
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {stdio: ['ignore', 'pipe', 'pipe']});
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
    return this;
  }

  /** Empties it: a test starts without the jobs and keys an earlier one left. */
  async flush(): Promise<void> {
    const client = new Redis(this.url);
    try {
      await client.flushall();
    } finally {
      client.disconnect();
    }
  }

  /** Kills it at once (SIGKILL): everything it held is gone, as after a crash without persistence. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  /** JSON events printed so far (--json). */
  events: Array<{type: string; [k: string]: unknown}>;
  stderr: () => string;
  exited: Promise<number | null>;
  ready: Promise<void>;
}

/** Starts `assay worker URL --json` as a child process. */
export function startWorker(url: string, args: string[] = [], cwd = process.cwd()): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker', url, '--json', ...args], {cwd, env: {...process.env, CI: 'true', FORCE_COLOR: '0'}, stdio: ['ignore', 'pipe', 'pipe']});
  const events: WorkerProcess['events'] = [];
  let buffer = '';
  let err = '';
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout!.on('data', (d) => {
    buffer += d;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        const e = JSON.parse(line) as WorkerProcess['events'][number];
        events.push(e);
        if (e.type === 'ready') onReady();
      } catch {
        // not an event line
      }
    }
  });
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {child, events, stderr: () => err, exited, ready};
}

/**
 * After each test: kills the workers it left running (one that failed part-way never stopped its own)
 * and empties Redis, so the next test neither shares a worker nor finds jobs it did not add.
 */
export async function cleanUpQueueTest(workers: WorkerProcess[], redis: RedisServer): Promise<void> {
  await Promise.all(
    workers.splice(0).map(async (w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return;
      w.child.kill('SIGKILL');
      await w.exited;
    }),
  );
  await redis.flush();
}

/** Stops a worker gracefully (SIGTERM) and returns its exit code. */
export async function stopWorker(w: WorkerProcess): Promise<number | null> {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  return w.exited;
}

/** The run directory's journal lines (the only run under reports/). */
export function journalOf(project: string): Array<Record<string, unknown>> {
  const file = journalFile(project);
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function journalFile(project: string): string | null {
  const reports = join(project, 'reports');
  if (!existsSync(reports)) return null;
  const runs = readdirSync(reports);
  return runs.length === 1 ? join(reports, runs[0]!, 'results.jsonl') : null;
}

export function keyOf(r: Record<string, unknown>): string {
  return JSON.stringify([r.suiteId, r.caseId, r.model, r.repeat]);
}

export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
