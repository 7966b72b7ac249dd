import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {runAb} from '../src/ab/run-ab.ts';
import {loadTraffic, sampleTraffic} from '../src/ab/load-traffic.ts';
import {makeProject, runCli} from './helpers.ts';

// Sandbox models whose accuracy is known: the truth the verdicts are checked against.
const PROVIDERS = `id: sim
type: sandbox
wire: openai
models:
  - { label: weak, model: weak, pricing: { inputPerMTok: 0.1, outputPerMTok: 0.1 }, sim: { accuracy: 0.6, ttftMs: 0, msPerToken: 0 } }
  - { label: strong, model: strong, pricing: { inputPerMTok: 1, outputPerMTok: 1 }, sim: { accuracy: 0.8, ttftMs: 0, msPerToken: 0 } }
  - { label: twin-a, model: twin-a, sim: { accuracy: 0.75, ttftMs: 0, msPerToken: 0 } }
  - { label: twin-b, model: twin-b, sim: { accuracy: 0.75, ttftMs: 0, msPerToken: 0 } }
  - { label: judge, model: judge, type: judge-only, sim: { accuracy: 1, ttftMs: 0, msPerToken: 0 } }
`;

function traffic(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const tag = i % 3 === 0 ? 'billing' : 'support';
    lines.push(JSON.stringify({id: `req-${i}`, messages: [{role: 'system', content: 'Answer briefly.'}, {role: 'user', content: `Ticket ${i}: what is the code?`}], expected: `code-${i}`, tags: [tag]}));
  }
  return `${lines.join('\n')}\n`;
}

function project(n = 400, extra: Record<string, string> = {}): string {
  return makeProject({'bench.config.json': JSON.stringify({providers: ['p.yaml'], suites: ['s.yaml'], concurrency: 64}), 'p.yaml': PROVIDERS, 's.yaml': 'id: unused\nprompt: "x"\ncases: [{expected: x}]\n', 'traffic.jsonl': traffic(n), ...extra});
}

describe('A/B verdict against models of known accuracy', () => {
  it('finds a real 20-point difference, and its CI covers the truth', async () => {
    const cwd = project();
    const {verdict, run} = await runAb({cwd, control: 'weak', treatment: 'strong', sample: 'traffic.jsonl', n: 300, seed: 4, sandboxLatencyScale: 0});
    expect(verdict.verdict).toBe('better');
    expect(verdict.n).toBe(300);
    expect(verdict.test).toBe('mcnemar-score');
    expect(verdict.pValue).toBeLessThan(0.001);
    expect(verdict.difference.ciLow).toBeLessThan(0.2);
    expect(verdict.difference.ciHigh).toBeGreaterThan(0.2);
    expect(verdict.cost.difference!.estimate).toBeGreaterThan(0);
    expect(verdict.perTag.map((t) => t.tag)).toEqual(['billing', 'support']);
    expect(JSON.parse(readFileSync(join(run.dir, 'ab.json'), 'utf8')).verdict).toBe('better');
  });

  it('calls two identical models different at about the 5% the test promises, and the CI covers the true 0', async () => {
    const cwd = project(200);
    let indistinguishable = 0;
    let covered = 0;
    const seeds = Array.from({length: 40}, (_, i) => 100 + i);
    for (const seed of seeds) {
      const {verdict} = await runAb({cwd, control: 'twin-a', treatment: 'twin-b', sample: 'traffic.jsonl', seed, sandboxLatencyScale: 0, outDir: `runs-${seed}`});
      if (verdict.verdict === 'indistinguishable') indistinguishable++;
      if (verdict.difference.ciLow <= 0 && verdict.difference.ciHigh >= 0) covered++;
    }
    // An exact 5% test on 40 seeds calls 2 false differences on average and more than 5 with probability
    // 1.4% (binomial); the precise size is checked in statistics-coverage.test.ts over thousands of datasets.
    expect(seeds.length - indistinguishable).toBeLessThanOrEqual(5);
    expect(covered / seeds.length).toBeGreaterThanOrEqual(0.9);
  }, 180_000);

  it('says how many requests would settle an unsure comparison', async () => {
    const {verdict} = await runAb({cwd: project(), control: 'weak', treatment: 'strong', sample: 'traffic.jsonl', n: 20, seed: 2, sandboxLatencyScale: 0, effect: 0.1});
    expect(verdict.mde).toBeGreaterThan(0.2);
    expect(verdict.nForEffect.n).toBeGreaterThan(20);
  });
});

describe('traffic samples', () => {
  it('reports malformed and unsupported lines with their line numbers, and runs the rest', async () => {
    const good = traffic(6).trim().split('\n');
    const sample = [
      good[0],
      '{"messages": [{"role": "user", "content": "unterminated',
      good[1],
      JSON.stringify({messages: [{role: 'user', content: [{type: 'image_url', image_url: {url: 'data:,'}}]}], expected: 'x'}),
      JSON.stringify({messages: [{role: 'user', content: 'hi'}], tools: [{type: 'function'}], expected: 'x'}),
      '[1, 2]',
      ...good.slice(2),
    ].join('\n');
    const cwd = project(6, {'mixed.jsonl': sample});
    const r = await runCli(['ab', '--control', 'weak', '--treatment', 'strong', '--sample', 'mixed.jsonl', '--json'], {cwd});
    expect(r.code).toBe(0);
    const verdict = JSON.parse(r.stdout);
    expect(verdict.n).toBe(6);
    expect(verdict.skipped.map((s: {line: number}) => s.line)).toEqual([2, 4, 5, 6]);
    expect(verdict.skipped[0].reason).toMatch(/not valid JSON/);
    expect(verdict.skipped[1].reason).toMatch(/image/);
    expect(verdict.skipped[2].reason).toMatch(/tools/);
  });

  it('reads OpenAI batch lines and samples deterministically, stratified by tag', async () => {
    const dir = makeProject({
      'batch.jsonl': Array.from({length: 30}, (_, i) => JSON.stringify({custom_id: `b${i}`, body: {model: 'gpt-x', messages: [{role: 'user', content: `q${i}`}]}, tags: [i < 10 ? 'rare' : 'common']})).join('\n'),
    });
    const {requests} = await loadTraffic(join(dir, 'batch.jsonl'));
    expect(requests[0]).toMatchObject({id: 'b0', messages: [{role: 'user', content: 'q0'}], expected: null});
    const a = sampleTraffic(requests, 9, 5);
    expect(a.map((r) => r.id)).toEqual(sampleTraffic(requests, 9, 5).map((r) => r.id));
    expect(a.filter((r) => r.tags[0] === 'rare')).toHaveLength(3);
    expect(a.filter((r) => r.tags[0] === 'common')).toHaveLength(6);
  });

  it('judges pairwise (both orders) when there is no expected answer', async () => {
    const noExpected = traffic(40).trim().split('\n').map((l) => {
      const {expected: _expected, ...rest} = JSON.parse(l);
      return JSON.stringify(rest);
    });
    const cwd = project(40, {'open.jsonl': noExpected.join('\n')});
    const {verdict} = await runAb({cwd, control: 'weak', treatment: 'strong', sample: 'open.jsonl', judge: 'judge', sandboxLatencyScale: 0});
    expect(verdict.metric).toBe('pairwise');
    expect(verdict.test).toBe('mcnemar-score');
    expect(verdict.pairwise!.wins + verdict.pairwise!.ties + verdict.pairwise!.losses).toBe(40);
  });

  it('exits 1 with --fail-if-worse when the treatment is worse', async () => {
    const r = await runCli(['ab', '--control', 'strong', '--treatment', 'weak', '--sample', 'traffic.jsonl', '--n', '300', '--seed', '4', '--fail-if-worse'], {cwd: project()});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^WORSE: weak is worse than strong/);
  });
});
