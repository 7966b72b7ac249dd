import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import type {Summary} from '../src/runner/summarize.ts';
import {FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';

// The statistics as a user meets them: the CLI against the sandbox, whose models answer a prompt the
// same way every time (deterministic), so repeats carry no new evidence.
const runDir = (project: string, out: string) => join(project, out, readdirSync(join(project, out))[0]!);
const readSummary = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

describe('statistics end to end (sandbox)', () => {
  let project: string;
  let once: {dir: string; stdout: string};
  let thrice: {dir: string; stdout: string};
  let wider: {dir: string; stdout: string};

  beforeAll(async () => {
    project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const run = async (out: string, extra: string[]) => {
      const r = await runCli(['run', '-s', 'arithmetic', '-s', 'capitals', '--seed', '3', '--no-cache', '-o', out, ...extra], {cwd: project, timeoutMs: 120_000});
      expect(r.code, r.stderr).toBe(0);
      return {dir: runDir(project, out), stdout: r.stdout};
    };
    [once, thrice, wider] = await Promise.all([run('once', ['--sample', '12']), run('thrice', ['--sample', '12', '--repeat', '3']), run('wider', ['--sample', '16'])]);
  }, 180_000);

  it('--repeat 3 of a deterministic model gives the same pass-rate interval as one repeat: summary.json, terminal and HTML agree', () => {
    const a = readSummary(once.dir);
    const b = readSummary(thrice.dir);
    expect(b.n).toBe(3 * a.n);
    const htmlA = readFileSync(join(once.dir, 'report.html'), 'utf8');
    const htmlB = readFileSync(join(thrice.dir, 'report.html'), 'utf8');
    for (const [label, s] of Object.entries(a.models)) {
      const t = b.models[label]!;
      expect(t.passRateCi95, label).toEqual(s.passRateCi95);
      expect(t.passRate).toBe(s.passRate);
      const cell = `${pct(s.passRate!)} [${pct(s.passRateCi95![0])}, ${pct(s.passRateCi95![1])}]`;
      expect(once.stdout).toContain(cell);
      expect(thrice.stdout).toContain(cell);
      const html = `${pct(s.passRate!)} (${pct(s.passRateCi95![0])}–${pct(s.passRateCi95![1])})`;
      expect(htmlA).toContain(html);
      expect(htmlB).toContain(html);
    }
    // The comparisons too: same cases, same test, same numbers.
    expect(b.comparisons.map((c) => [c.a, c.b, c.n, c.ciLow, c.ciHigh, c.pValue])).toEqual(a.comparisons.map((c) => [c.a, c.b, c.n, c.ciLow, c.ciHigh, c.pValue]));
  });

  it('summary.json comparisons carry test, metric, n, interval and raw and Holm-adjusted p; significant exactly when adjusted p < 0.05', () => {
    const s = readSummary(once.dir);
    expect(s.comparisons).toHaveLength(6);
    for (const c of s.comparisons) {
      expect(['mcnemar-score', 'paired-t']).toContain(c.test);
      expect(c.metric).toBe('passRate');
      expect(c.ciLow).toBeGreaterThanOrEqual(-1);
      expect(c.ciHigh).toBeLessThanOrEqual(1);
      expect(c.ciLow > 0 || c.ciHigh < 0).toBe(c.pValue < 0.05);
      expect(c.significant).toBe(!c.tooFew && c.pValueAdjusted < 0.05);
      expect(c.pValueAdjusted).toBeGreaterThanOrEqual(c.pValue);
      if (c.significant) expect(once.stdout).toContain(`${c.b} vs ${c.a}: pass rate`);
    }
  });

  it('assay report A B on runs with different samples: one footing, consistent numbers, and the options warning', async () => {
    const out = join(project, 'cmp');
    const r = await runCli(['report', once.dir, wider.dir, '--out', out], {cwd: project});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('warning: the runs used different options: sample 12 → 16');
    const {comparisons} = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
    const rows = comparisons[0].rows as Array<{model: string; group: {kind: string}; shared: number; baseline: {passRate: number; cases: number}; candidate: {passRate: number; cases: number}; diff: {estimate: number; ciLow: number; ciHigh: number; pValue: number}}>;
    for (const row of rows.filter((x) => x.diff)) {
      expect(row.candidate.passRate - row.baseline.passRate).toBeCloseTo(row.diff.estimate, 12);
      expect(row.diff.ciLow > 0 || row.diff.ciHigh < 0).toBe(row.diff.pValue < 0.05);
      expect(row.shared).toBeLessThanOrEqual(Math.min(row.baseline.cases, row.candidate.cases));
    }
    const all = rows.find((x) => x.group.kind === 'all')!;
    expect(all.baseline.cases).toBe(24);
    expect(all.candidate.cases).toBe(32);
    const html = readFileSync(join(out, 'comparison.html'), 'utf8');
    expect(html).toContain('sample 12 → 16');
    expect(html).toContain(`24 / 32 / ${all.shared}`);
  });

  it('assay ab with tiny tags shows them as "too few" in the terminal and ab.json', async () => {
    const lines = Array.from({length: 30}, (_, i) => JSON.stringify({id: `q${i}`, messages: [{role: 'user', content: `What is ${i} + ${i}? Answer with the number only.`}], expected: String(2 * i), tags: [i < 2 ? 'tiny' : 'bulk']}));
    const dir = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG, 'traffic.jsonl': `${lines.join('\n')}\n`}, {withDefaults: true});
    const r = await runCli(['ab', '--control', 'sim-mini', '--treatment', 'sim-large', '--sample', 'traffic.jsonl', '--seed', '2', '--out', 'runs'], {cwd: dir, timeoutMs: 120_000});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('tiny             too few (n=2)');
    const ab = JSON.parse(readFileSync(join(runDir(dir, 'runs'), 'ab.json'), 'utf8'));
    expect(ab.perTag.find((t: {tag: string}) => t.tag === 'tiny')).toMatchObject({n: 2, tooFew: true, significant: false});
    expect(ab.perTag.find((t: {tag: string}) => t.tag === 'bulk')).toMatchObject({n: 28, tooFew: false});
  }, 120_000);
});
