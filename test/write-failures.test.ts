import {spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readJournal} from '../src/runner/journal.ts';
import {BIN, makeProject, runCli} from './helpers.ts';
import {SandboxProcess} from './sandbox-process.ts';

// Disk-full runs on a real full file system: a small tmpfs mounted in a private mount namespace
// (unshare -m), so nothing outside this test sees it. Needs root (or user namespaces); where the
// machine offers neither, those tests are skipped and say so.
const canMount = (() => {
  const probe = spawnSync('unshare', ['-m', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; r=$?; rmdir "$d"; exit $r'], {encoding: 'utf8'});
  return probe.status === 0;
})();

let server: SandboxProcess;
beforeAll(async () => (server = await SandboxProcess.start({anyModel: true, latencyScale: 0})));
afterAll(() => server.close());

const N = 60;

function project(extra = ''): string {
  // Long-ish answers so the journal outgrows a small disk within the run.
  const cases = Array.from({length: N}, (_, i) => `  - {id: c${i}, q: "question ${i} ${'padding '.repeat(40)}"}`).join('\n');
  return makeProject({
    'bench.config.yaml': `providers:
  - id: ext
    type: sandbox
    wire: openai
    baseURL: ${server.url}/v1
    limits: { concurrency: 4 }
    models: [{ label: m, model: m }]
suites: [s.yaml]
outDir: reports
${extra}`,
    's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${cases}\n`,
  });
}

/** Runs a shell script in a private mount namespace with `reports/` on a tmpfs of `kb` KB, from the project dir. */
function onSmallDisk(cwd: string, kb: number, script: string): void {
  mkdirSync(join(cwd, 'reports'), {recursive: true});
  mkdirSync(join(cwd, 'out'), {recursive: true});
  const full = `set -u
mount -t tmpfs -o size=${kb}k tmpfs reports
${script}
mkdir -p out/saved && cp -a reports/. out/saved/ 2>/dev/null
true`;
  const r = spawnSync('unshare', ['-m', 'sh', '-c', full], {cwd, encoding: 'utf8', env: {...process.env, CI: 'true', FORCE_COLOR: '0', ASSAY: `${process.execPath} ${BIN}`}, timeout: 120_000});
  if (r.status !== 0) throw new Error(`script failed: ${r.stderr}`);
}

const read = (cwd: string, name: string) => readFileSync(join(cwd, 'out', name), 'utf8');

describe.skipIf(!canMount)('a full disk (tmpfs in a private mount namespace)', () => {
  it('mid-run: exit 3 naming the file and the resume command, nothing torn, and resume completes once space is freed', () => {
    const cwd = project();
    onSmallDisk(
      cwd,
      2048,
      `dd if=/dev/zero of=reports/filler bs=1k count=2000 2>/dev/null
$ASSAY run > out/1.out 2> out/1.err; echo $? > out/1.code
dir=$(ls -d reports/2*)
echo "$dir" > out/dir
ls -la "$dir" > out/1.ls
rm reports/filler
$ASSAY run --resume "$dir" > out/2.out 2> out/2.err; echo $? > out/2.code`,
    );
    const dir = read(cwd, 'dir').trim();
    expect(read(cwd, '1.code').trim(), read(cwd, '1.err')).toBe('3');
    const err = read(cwd, '1.err');
    expect(err).toMatch(/cannot write \S*reports\/2\S+: ENOSPC/);
    expect(err).toContain(`assay run --resume ${join(cwd, dir)}`);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
    // No 0-byte or torn file, no lock, no temp file after the failure.
    const listing = read(cwd, '1.ls');
    expect(listing).not.toContain('run.lock');
    expect(listing).not.toContain('.tmp');
    for (const line of listing.split('\n').filter((l) => /\.(json|csv|html)$/.test(l))) expect(line.split(/\s+/)[4], line).not.toBe('0');

    expect(read(cwd, '2.code').trim(), read(cwd, '2.err')).toBe('0');
    const saved = join(cwd, 'out', 'saved', dir.replace(/^reports\//, ''));
    const journal = readJournal(join(saved, 'results.jsonl')).results;
    expect(new Set(journal.map((r) => r.caseId)).size).toBe(N);
    expect(journal.filter((r) => r.status === 'ok')).toHaveLength(N);
    expect(JSON.parse(readFileSync(join(saved, 'summary.json'), 'utf8')).overall.n).toBe(N);
    expect(existsSync(join(saved, 'run.lock'))).toBe(false);
  });

  it('already full at the start: exit 3, and no run directory or lock is left behind', () => {
    const cwd = project();
    onSmallDisk(
      cwd,
      64,
      `dd if=/dev/zero of=reports/filler bs=1k count=200 2>/dev/null
$ASSAY run > out/1.out 2> out/1.err; echo $? > out/1.code
rm reports/filler
ls -A reports > out/1.ls`,
    );
    expect(read(cwd, '1.code').trim(), read(cwd, '1.err')).toBe('3');
    expect(read(cwd, '1.err')).toMatch(/cannot write \S+: ENOSPC \(no space left on the disk\)/);
    expect(read(cwd, '1.ls').trim()).toBe('');
  });
});

describe('unwritable and torn run directories', () => {
  it('a read-only reports directory: exit 3 naming it, not a stack trace', async () => {
    if (process.getuid?.() === 0) {
      // root ignores file modes: use a path under a file, which no one can write into.
      const cwd = project();
      writeFileSync(join(cwd, 'blocked'), 'a file, not a directory\n');
      const r = await runCli(['run', '--out', 'blocked/reports'], {cwd});
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/cannot write \S*blocked\S*: ENOTDIR/);
      return;
    }
    const cwd = project();
    mkdirSync(join(cwd, 'reports'));
    chmodSync(join(cwd, 'reports'), 0o555);
    const r = await runCli(['run'], {cwd});
    chmodSync(join(cwd, 'reports'), 0o755);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/cannot write \S*reports\S*: EACCES/);
  });

  it('--resume with a torn run.json rebuilds it from the journal and finishes the run', async () => {
    const cwd = project();
    const first = await runCli(['run', '--json'], {cwd});
    expect(first.code, first.stderr).toBe(0);
    const dir = JSON.parse(first.stdout).dir as string;
    const journal = readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n');
    writeFileSync(join(dir, 'results.jsonl'), `${journal.slice(0, 20).join('\n')}\n`);
    const meta = readFileSync(join(dir, 'run.json'), 'utf8');
    writeFileSync(join(dir, 'run.json'), meta.slice(0, Math.floor(meta.length / 2)));
    rmSync(join(dir, 'summary.json'));

    const resumed = await runCli(['run', '--resume', dir], {cwd});
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('run.json is not valid JSON');
    expect(new Set(readJournal(join(dir, 'results.jsonl')).results.map((r) => r.caseId)).size).toBe(N);
    const rebuilt = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(rebuilt.id).toBe(dir.split('/').at(-1));
    expect(statSync(join(dir, 'summary.json')).size).toBeGreaterThan(0);
  });

  it('--resume with neither run.json nor a journal: exit 2 naming the directory', async () => {
    const cwd = project();
    mkdirSync(join(cwd, 'reports', 'empty'), {recursive: true});
    const r = await runCli(['run', '--resume', 'reports/empty'], {cwd});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('reports/empty');
    expect(r.stderr).toContain('fix:');
  });

  it('an unset key variable is refused before anything is written', async () => {
    const cwd = makeProject({
      'bench.config.yaml': `providers:
  - id: real
    type: openai
    auth: { env: ASSAY_TEST_UNSET_KEY }
    models: [{ label: gpt, model: gpt-x }]
suites: [s.yaml]
`,
      's.yaml': 'id: s\nprompt: "hi"\ncases: [{id: a}]\n',
    });
    const r = await runCli(['run'], {cwd, env: {ASSAY_TEST_UNSET_KEY: undefined}});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ASSAY_TEST_UNSET_KEY');
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
    expect(readdirSync(cwd).sort()).toEqual(['bench.config.yaml', 's.yaml']);
  });
});
