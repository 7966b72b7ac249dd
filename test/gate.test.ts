import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';

/** Checks XML well-formedness enough for our output: every tag closes in order, attributes quoted. */
function elements(xml: string): Array<{name: string; attrs: Record<string, string>; children: number}> {
  const stack: Array<{name: string; attrs: Record<string, string>; children: number}> = [];
  const all: typeof stack = [];
  for (const m of xml.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([\w-]+)((?:\s+[\w-]+="[^"]*")*)\s*(\/?)>/g)) {
    const [, closing, name, rawAttrs, selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
      continue;
    }
    const attrs = Object.fromEntries([...rawAttrs!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
    const el = {name: name!, attrs, children: 0};
    if (stack.length > 0) stack.at(-1)!.children++;
    all.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  return all;
}

describe('gate', () => {
  it('exits 1 and names the failing threshold; writes JUnit XML CI systems can read', async () => {
    const project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const r = await runCli(['run', '--suite', 'arithmetic', '--suite', 'capitals', '--sample', '10', '--min-pass-rate', '0.99', '--junit', 'out/junit.xml', '--json'], {cwd: project});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/gate failed/);
    expect(r.stderr).toMatch(/run: sim-mini pass rate \d+\.\d% \(min 99\.0%\) — FAILED/);
    const summary = JSON.parse(r.stdout);
    expect(summary.gate.pass).toBe(false);
    const failing = summary.gate.checks.filter((c: {pass: boolean}) => !c.pass).map((c: {model: string}) => c.model);
    for (const model of failing) expect(summary.models[model].passRate).toBeLessThan(0.99);

    const xml = readFileSync(join(project, 'out/junit.xml'), 'utf8');
    const els = elements(xml);
    expect(els[0]!.name).toBe('testsuites');
    const suites = els.filter((e) => e.name === 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['arithmetic', 'capitals', 'gate']);
    const results = readFileSync(join(summary.dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Result);
    const cases = els.filter((e) => e.name === 'testcase');
    expect(cases).toHaveLength(results.length + summary.gate.checks.length);
    const failures = els.filter((e) => e.name === 'failure').length;
    expect(failures).toBe(results.filter((x) => x.pass === false).length + failing.length);
    expect(Number(els[0]!.attrs.failures)).toBe(failures);
    for (const s of suites) expect(Number(s.attrs.tests)).toBe(s.children);
  });

  it('passes when thresholds hold, and applies a suite\'s own gate', async () => {
    const project = makeProject({'bench.config.json': JSON.stringify({...JSON.parse(FAST_DEFAULT_CONFIG), gate: {maxErrorRate: 0.5, maxCostUsd: 10}})}, {withDefaults: true});
    const ok = await runCli(['run', '--suite', 'sentiment', '--sample', '5', '--model', 'sim-large'], {cwd: project});
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/gate: passed/);

    const suite = readFileSync(join(project, 'suites/sentiment.yaml'), 'utf8');
    const strict = makeProject(
      {'bench.config.json': FAST_DEFAULT_CONFIG, 'suites/sentiment.yaml': `${suite}\ngate: { maxCostUsd: 0.0000001 }\n`},
      {withDefaults: true},
    );
    const r = await runCli(['run', '--suite', 'sentiment', '--sample', '5', '--model', 'sim-large'], {cwd: strict});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/suite:sentiment: total cost \$0\.\d+ \(max \$0\.0000\) — FAILED/);
  });

  it('rejects a malformed threshold flag with exit 2', async () => {
    const project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const r = await runCli(['run', '--min-pass-rate', '95'], {cwd: project});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--min-pass-rate must be a number from 0 to 1');
  });
});
