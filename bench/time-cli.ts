// Runs a Node script (the assay CLI, or a peer tool) as a child process under /usr/bin/time, for the
// benchmarks that compare whole processes: wall seconds, CPU seconds (user + system) and peak RSS.
import {spawn} from 'node:child_process';
import {join, resolve} from 'node:path';

/** bin/run.js of this checkout. */
export const BIN = join(resolve(import.meta.dirname, '..'), 'bin', 'run.js');

export interface Timed {
  wallS: number;
  cpuS: number;
  maxRssMb: number;
  stdout: string;
}

/**
 * `node ...args` in `cwd` under /usr/bin/time. Fails (with the end of stderr) when the exit code is
 * not one of `okCodes` (default 0 and 1, a run whose gate failed) or time printed nothing.
 */
export function timeNode(cwd: string, args: string[], opts: {env?: NodeJS.ProcessEnv; okCodes?: number[]} = {}): Promise<Timed> {
  const okCodes = opts.okCodes ?? [0, 1];
  return new Promise((done, fail) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, ...args], {cwd, env: opts.env ?? {...process.env, CI: 'true'}, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      if (!m || !okCodes.includes(code ?? -1)) return fail(new Error(`${args[0]} exited ${code}: ${stderr.slice(-1500)}`));
      done({wallS: Number(m[1]), cpuS: Number(m[2]) + Number(m[3]), maxRssMb: Number(m[4]) / 1024, stdout});
    });
  });
}

/** The assay CLI (`assay ...args`) under /usr/bin/time. */
export function timeCli(cwd: string, args: string[]): Promise<Timed> {
  return timeNode(cwd, [BIN, ...args]);
}
