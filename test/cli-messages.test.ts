import {existsSync, readFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';

// What a new user types, and what they are told back: help, typos, a busy port, promptfoo's -o habit.
describe('help and typos (CLI)', () => {
  const cwd = makeProject({});

  it('`assay help run`, `assay run -h` and `assay run --help` print the same help', async () => {
    const viaHelp = await runCli(['help', 'run'], {cwd});
    const viaH = await runCli(['run', '-h'], {cwd});
    const viaLong = await runCli(['run', '--help'], {cwd});
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('USAGE');
    expect(viaHelp.stdout).toContain('--concurrency');
    expect(viaH.stdout).toBe(viaLong.stdout);
    expect(viaHelp.stdout).toBe(viaLong.stdout);
  });

  it('a mistyped command exits 2 with the closest command', async () => {
    const typo = await runCli(['rnu'], {cwd});
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "rnu"');
    expect(typo.stderr).toContain('did you mean: assay run?');
    const helpTypo = await runCli(['help', 'rute'], {cwd});
    expect(helpTypo.code).toBe(2);
    expect(helpTypo.stderr).toContain('did you mean: assay route?');
  });

  it('a mistyped flag exits 2 with the closest flag of that command', async () => {
    const typo = await runCli(['run', '--suit', 'capitals', '--concurency', '2'], {cwd});
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean: --suite? (for --suit)');
    expect(typo.stderr).toContain('did you mean: --concurrency? (for --concurency)');
    expect(typo.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});

describe('assay sandbox on a busy port (CLI)', () => {
  it('exits 2 naming the port and the fix, as `assay view` does', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as {port: number}).port;
    try {
      const result = await runCli(['sandbox', '--port', String(port)], {cwd: makeProject({})});
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
      expect(result.stderr).toContain('--port 0');
      expect(result.stderr).not.toContain('EADDRINUSE');
    } finally {
      busy.close();
    }
  });
});

describe('-o FILE, as promptfoo users type it (CLI)', () => {
  it('writes the file its extension asks for, besides the run directory', async () => {
    const cwd = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const json = await runCli(['run', '--suite', 'capitals', '--model', 'sim-mini', '-o', 'out.json'], {cwd});
    expect(json.code, json.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(cwd, 'out.json'), 'utf8')) as {runId: string; models: unknown};
    expect(summary.runId).toMatch(/^\d{4}-/);
    expect(existsSync(join(cwd, 'reports', summary.runId, 'summary.json'))).toBe(true);
    const csv = await runCli(['run', '--suite', 'capitals', '--model', 'sim-mini', '-o', 'out.csv'], {cwd});
    expect(csv.code, csv.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'out.csv'), 'utf8').split('\n')[0]).toContain('model');
  });

  it('refuses an extension it cannot write, before anything runs, and makes no directory of it', async () => {
    const cwd = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const result = await runCli(['run', '--suite', 'capitals', '-o', 'out.txt'], {cwd});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot write a ".txt" file');
    expect(existsSync(join(cwd, 'out.txt'))).toBe(false);
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
  });
});

describe('the shipped traffic sample', () => {
  it('runs the `assay ab --help` example as written', async () => {
    const cwd = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const help = await runCli(['ab', '--help'], {cwd});
    const example = /\$ assay (ab --control \S+ --treatment \S+ --sample datasets\/traffic\.jsonl[^\n]*)/.exec(help.stdout);
    expect(example, help.stdout).not.toBeNull();
    const result = await runCli([...example![1]!.trim().split(/\s+/), '--json'], {cwd});
    expect(result.code, result.stderr).toBe(0);
    const ab = JSON.parse(result.stdout) as {n?: number};
    expect(JSON.stringify(ab)).toContain('sim-flash');
  });
});
