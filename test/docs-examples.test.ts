import {spawn} from 'node:child_process';
import {chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join, relative} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {BIN, makeProject, ROOT, runCli} from './helpers.ts';

// Every `assay ...` example in README.md, docs/ and each command's --help runs as written, in a
// project laid out like a fresh clone (the default fleet and suites on the sandbox, answering at
// once). Each line goes to `sh -c` unchanged, with `assay` on PATH. Placeholders a reader replaces
// (a run id, reports/A) point at runs made first. Lines that cannot run on this machine by nature
// are listed in NOT_RUN with the reason; an example neither run nor listed fails the test.

/** Examples that cannot run offline here, matched by a fragment, with why. */
const NOT_RUN: Array<[RegExp, string]> = [
  [/gpt-4o|claude-haiku|queue\.internal|10\.0\.0\.5/, 'names a real provider or a remote host'],
  [/--queue |^assay worker /, 'needs a Redis server (test/queue-run.test.ts runs both against a real one)'],
  [/^assay (sandbox|view)\b/, 'serves until stopped (test/view-server.test.ts and the sandbox tests start them)'],
  [/^assay monitor .*--interval (5m|1h)/, 'runs every few minutes until stopped (test/monitor.test.ts runs cycles back to back)'],
  [/your-tool/, 'stands for the reader\'s own program'],
  [/--otlp-endpoint http:\/\/127\.0\.0\.1:4318/, 'needs an OpenTelemetry collector (test/telemetry-e2e.test.ts sends to a stand-in it starts)'],
];

/** What a reader substitutes, and what this test puts there. */
function placeholders(runA: string, runB: string): Array<[RegExp, string]> {
  return [
    [/reports\/(2026-11-2[45]T[0-9-]+Z|<runId>|A|run-a)(?=[\s/]|$)/g, runA],
    [/reports\/(B|2026-11-20T09-00-00Z)(?=[\s/]|$)/g, runB],
  ];
}

function examplesInDocs(): Array<{where: string; line: string}> {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs'), {recursive: true}).map(String).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  const out: Array<{where: string; line: string}> = [];
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const block of text.matchAll(/```(?:bash|sh|shell)\n([\s\S]*?)```/g)) {
      for (const line of block[1]!.split('\n')) if (/^assay /.test(line.trim())) out.push({where: file, line: line.trim()});
    }
  }
  return out;
}

async function examplesInHelp(cwd: string): Promise<Array<{where: string; line: string}>> {
  const commands = readdirSync(join(ROOT, 'src', 'commands')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
  const out: Array<{where: string; line: string}> = [];
  for (const command of commands) {
    const help = await runCli([command, '--help'], {cwd});
    const examples = help.stdout.split('EXAMPLES')[1] ?? '';
    for (const m of examples.matchAll(/^\s+\$ (assay .*)$/gm)) out.push({where: `assay ${command} --help`, line: m[1]!.trim()});
  }
  return out;
}

function sh(line: string, cwd: string, pathDir: string): Promise<{code: number | null; out: string}> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], {cwd, env: {...process.env, CI: 'true', FORCE_COLOR: '0', PATH: `${pathDir}:${process.env.PATH}`}, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({code, out}));
  });
}

describe('every example in the docs and --help runs as written', () => {
  let cwd: string;
  let pathDir: string;
  let examples: Array<{where: string; line: string; run: string | null; why?: string}>;

  beforeAll(async () => {
    // The shipped bench.config.ts, with the sandbox answering at once so dozens of runs take seconds.
    const config = readFileSync(join(ROOT, 'bench.config.ts'), 'utf8').replace(/\n\} satisfies ConfigInput;/, '\n  sandbox: {latencyScale: 0},\n} satisfies ConfigInput;');
    expect(config).toContain('latencyScale: 0');
    cwd = makeProject({'bench.config.ts': config}, {withDefaults: true});
    // `assay` on PATH, as `npm link` or a global install puts it.
    pathDir = join(cwd, '.bin');
    mkdirSync(pathDir);
    writeFileSync(join(pathDir, 'assay'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(pathDir, 'assay'), 0o755);
    const a = await runCli(['run', '--suite', 'arithmetic', '--suite', 'capitals', '--json', '--seed', '1'], {cwd});
    const b = await runCli(['run', '--suite', 'arithmetic', '--suite', 'capitals', '--json', '--seed', '2'], {cwd});
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const runA = relative(cwd, JSON.parse(a.stdout).dir);
    const runB = relative(cwd, JSON.parse(b.stdout).dir);
    // outcomes.csv / holdout.csv: per-item outcomes in the documented CSV shape, from run A's answers.
    const rows = readFileSync(join(cwd, runA, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {caseId: string; model: string; score: number | null; costUsd: number | null; latencyMs: number | null; tags: string[]});
    const csv = ['case_id,model,score,cost_usd,latency_ms,tags', ...rows.filter((r) => r.score !== null).map((r) => `${r.caseId},${r.model},${r.score},${r.costUsd ?? ''},${r.latencyMs ?? ''},${r.tags.join(';')}`)].join('\n');
    writeFileSync(join(cwd, 'outcomes.csv'), `${csv}\n`);
    copyFileSync(join(cwd, 'outcomes.csv'), join(cwd, 'holdout.csv'));
    const policy = await runCli(['route', '--from', runA, '--out', 'routing-policy.yaml'], {cwd});
    expect(policy.code, policy.stderr).toBe(0);
    const subs = placeholders(runA, runB);
    examples = [...examplesInDocs(), ...(await examplesInHelp(cwd))].map((e) => {
      const skip = NOT_RUN.find(([re]) => re.test(e.line));
      if (skip) return {...e, run: null, why: skip[1]};
      return {...e, run: subs.reduce((line, [re, to]) => line.replace(re, to), e.line)};
    });
  }, 300_000);

  it('finds the examples, and says which it does not run and why', () => {
    expect(examples.length).toBeGreaterThan(30);
    const skipped = examples.filter((e) => e.run === null);
    // Visible in the test output: what is not run here.
    for (const e of skipped) console.info(`not run (${e.why}): ${e.where}: ${e.line}`);
    expect(skipped.length).toBeLessThan(examples.length / 3);
  });

  it('runs each of the others with exit 0 (or 1 where it asks for a verdict that may fail)', async () => {
    const failures: string[] = [];
    const queue = examples.filter((e) => e.run !== null);
    // Onboarding examples change the project (init writes a config, add provider a provider file):
    // each runs in a fresh copy, so the others still see the default fleet. Without the provider's
    // key (none here) its check ends 1, as the docs say it would.
    const onboarding = /^assay (init|add provider)\b|^assay check (?!sim-)[a-z]/;
    const onboardCwd = makeProject({'bench.config.ts': readFileSync(join(cwd, 'bench.config.ts'), 'utf8')}, {withDefaults: true});
    for (const e of queue.filter((x) => onboarding.test(x.line))) {
      // In the order the docs give them: add a provider, then check it. `init` starts from an empty folder.
      const {code, out} = await sh(e.run!, /^assay init\b/.test(e.line) ? makeProject({}) : onboardCwd, pathDir);
      if (code !== 0 && code !== 1) failures.push(`${e.where}: ${e.line}\n  exit ${code}: ${out.trim().split('\n').slice(-3).join('\n  ')}`);
    }
    queue.splice(0, queue.length, ...queue.filter((x) => !onboarding.test(x.line)));
    // A few at a time: each starts the CLI; results do not depend on the order except the placeholders made above.
    await Promise.all(
      Array.from({length: 3}, async () => {
        for (let e = queue.shift(); e; e = queue.shift()) {
          const {code, out} = await sh(e.run!, cwd, pathDir);
          const verdict = /--fail-on|--fail-if|--min-pass-rate|--max-error-rate/.test(e.line);
          if (!(code === 0 || (verdict && code === 1))) failures.push(`${e.where}: ${e.line}\n  exit ${code}: ${out.trim().split('\n').slice(-3).join('\n  ')}`);
        }
      }),
    );
    expect(failures, failures.join('\n')).toEqual([]);
  }, 600_000);
});
