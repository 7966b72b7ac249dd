import {spawn} from 'node:child_process';
import {cpSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin', 'run.js');

/** A throwaway project folder with the given files (paths relative to it). */
export function makeProject(files: Record<string, string>, opts: {withDefaults?: boolean} = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'assay-test-'));
  if (opts.withDefaults) {
    for (const sub of ['providers', 'suites', 'datasets']) cpSync(join(ROOT, sub), join(dir, sub), {recursive: true});
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), {recursive: true});
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (dist/) as a user would, on the same Node that runs the tests. */
export function runCli(args: string[], opts: {cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: {...process.env, CI: 'true', FORCE_COLOR: '0', ...opts.env},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({code, stdout, stderr});
    });
  });
}

/** A config (JSON) using the repo's default fleet and suites with the sandbox answering instantly. */
export const FAST_DEFAULT_CONFIG = JSON.stringify({
  providers: ['providers/*.yaml'],
  suites: ['suites/*.yaml'],
  concurrency: 16,
  outDir: 'reports',
  judge: 'sim-judge',
  sandbox: {latencyScale: 0},
});
