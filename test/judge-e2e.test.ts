import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';

describe('judged suites end to end (sandbox judge)', () => {
  it('runs the rubric suite: judge cost is kept apart, comparisons are in the summary', async () => {
    const project = makeProject({'bench.config.json': JSON.stringify({...JSON.parse(FAST_DEFAULT_CONFIG), judge: 'sim-judge'})}, {withDefaults: true});
    const r = await runCli(['run', '--suite', 'definitions', '--json'], {cwd: project});
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    const results = readFileSync(join(summary.dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Result);
    expect(results).toHaveLength(15 * 4);
    for (const res of results) {
      const [rubric] = res.grades;
      expect(rubric!.grader).toBe('rubric');
      expect(rubric!.judge!.model).toBe('sim-judge');
      expect(res.judgeCostUsd).toBeGreaterThan(0);
      // the graded model's cost is its own, not the judge's
      expect(res.costUsd).not.toBe(res.judgeCostUsd);
    }
    const large = summary.models['sim-large'];
    expect(large.judgeCostUsd).toBeCloseTo(results.filter((x) => x.model === 'sim-large').reduce((s, x) => s + x.judgeCostUsd!, 0), 10);
    expect(large.unscored).toBe(0);
    expect(summary.comparisons).toHaveLength(6);
    expect(summary.comparisons[0]).toHaveProperty('mcnemar');
  });

  it('counts and shows unscored grades, and keeps them out of the pass rate', async () => {
    const project = makeProject({
      'bench.config.json': JSON.stringify({providers: ['p.yaml'], suites: ['s.yaml'], judge: 'mumbler', sandbox: {latencyScale: 0}}),
      'p.yaml': `id: sim
type: sandbox
wire: gemini
models:
  - { label: answerer, model: answerer, sim: { accuracy: 1 } }
  - { label: mumbler, model: mumbler, type: judge-only, pricing: { inputPerMTok: 1, outputPerMTok: 1 }, sim: { judgeFormatErrors: 1 } }
`,
      's.yaml': 'id: s\nprompt: "Capital of {{c}}?"\ncases:\n  - {c: France, expected: Paris}\n  - {c: Peru, expected: Lima}\ngraders:\n  - type: exact-match\n  - type: judge\n    rubric: Names the right city.\n',
    });
    const r = await runCli(['run'], {cwd: project});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/unscored .*answerer 2/);
    const dir = /wrote (\S+)\/\{/.exec(r.stdout)![1]!;
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.models.answerer).toMatchObject({unscored: 2, graded: 0, passRate: null});
    expect(summary.models.answerer.judgeCostUsd).toBeGreaterThan(0);
  });

  it('uses a custom grader function registered in bench.config.ts', async () => {
    const project = makeProject({
      'bench.config.ts': `export default {
  providers: [{id: 'sim', type: 'sandbox', wire: 'openai', models: [{label: 'm', model: 'm', sim: {accuracy: 1}}]}],
  suites: [{id: 's', prompt: 'Spell {{w}}', cases: [{w: 'cat', expected: 'cat'}, {w: 'dog', expected: 'dog'}], graders: [{type: 'custom', function: 'shortAnswer'}]}],
  graders: {shortAnswer: ({output}: {output: string}) => ({score: output.length <= 3 ? 1 : 0, reason: \`\${output.length} chars\`})},
  sandbox: {latencyScale: 0},
};
`,
    });
    const outcome = await runBenchmark({cwd: project});
    expect(outcome.results.map((x) => x.grades[0])).toEqual([
      {grader: 'shortAnswer', score: 1, pass: true, reason: '3 chars'},
      {grader: 'shortAnswer', score: 1, pass: true, reason: '3 chars'},
    ]);
  });

  it('names an unknown judge model at load time (exit 2)', async () => {
    const project = makeProject({
      'bench.config.json': JSON.stringify({providers: ['p.yaml'], suites: ['s.yaml']}),
      'p.yaml': 'id: sim\ntype: sandbox\nwire: openai\nmodels: [{label: a, model: a}]\n',
      's.yaml': 'id: s\nprompt: "hi"\ncases: [{expected: x}]\ngraders:\n  - type: judge\n    rubric: ok\n    model: gpt-judge\n',
    });
    const r = await runCli(['run'], {cwd: project});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('judge model "gpt-judge" is not a model label');
    expect(r.stderr).toContain('s.yaml:7');
  });

  it('blames a typo in the config\'s default judge on the config, not on the suite that inherits it', async () => {
    const project = makeProject({
      'bench.config.yaml': 'providers: [p.yaml]\nsuites: [s.yaml]\njudge: sim-judgee\n',
      'p.yaml': 'id: sim\ntype: sandbox\nwire: openai\nmodels: [{label: a, model: a}, {label: sim-judge, model: sim-judge}]\n',
      's.yaml': 'id: s\nprompt: "hi"\ncases: [{expected: x}]\ngraders:\n  - type: judge\n    rubric: ok\n',
    });
    const r = await runCli(['run'], {cwd: project});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bench.config.yaml:3 field "judge": judge "sim-judgee" is not a model label');
    expect(r.stderr).not.toContain('s.yaml');
  });
});
