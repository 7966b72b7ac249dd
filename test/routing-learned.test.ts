// The learned per-request router (assay route --learn): trained on prompts, stored in the policy,
// served by createRouter exactly as simulated.
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import Papa from 'papaparse';
import {beforeAll, describe, expect, it} from 'vitest';
import {createRouter, stickyFraction} from '../src/routing/create-router.ts';
import {generatePolicy} from '../src/routing/generate-policy.ts';
import {learnRouter} from '../src/routing/learn-router.ts';
import {compileScorer} from '../src/routing/learned-scorer.ts';
import {loadOutcomes} from '../src/routing/load-outcomes.ts';
import {loadPolicy, policyToYaml} from '../src/routing/load-policy.ts';
import type {OutcomeSet, RoutingPolicy} from '../src/routing/policy-types.ts';
import {simulatePolicy} from '../src/routing/simulate-policy.ts';
import {makeProject, runCli} from './helpers.ts';
import {GPT4, halves, MIXTRAL, routellmRows, sharedDataMissing} from './shared-routing-data.ts';

const TOPICS = ['capital of France', 'colour of the sky', 'author of Hamlet', 'boiling point of water', 'largest planet', 'speed of sound', 'tallest mountain', 'longest river'];
const HARD = ['prove the inequality by induction', 'evaluate the definite integral', 'find all integer solutions of the diophantine equation', 'show the series converges'];

/**
 * 600 cases, one tag for all: a tag rule cannot tell them apart. A quarter are hard maths prompts
 * the cheap model mostly fails and the dear one mostly solves; on the rest both are right as often.
 */
function syntheticRows(): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (let i = 0; i < 600; i++) {
    const hard = i % 4 === 0;
    const prompt = hard ? `Please ${HARD[(i >> 2) % HARD.length]} number ${i}; answer with steps.` : `Quick question ${i}: what is the ${TOPICS[i % TOPICS.length]}?`;
    const u = stickyFraction(`u:${i}`);
    const v = stickyFraction(`v:${i}`);
    const strong = hard ? (u < 0.9 ? 1 : 0) : u < 0.95 ? 1 : 0;
    const weak = hard ? (v < 0.1 ? 1 : 0) : v < 0.95 ? 1 : 0;
    rows.push({case_id: `c${i}`, model: 'dear', score: strong, cost_usd: 0.01, tags: 'qa', prompt});
    rows.push({case_id: `c${i}`, model: 'cheap', score: weak, cost_usd: 0.0005, tags: 'qa', prompt});
  }
  return rows;
}

function writeHalves(dir: string, rows: Record<string, string | number>[]): [string, string] {
  return [0, 1].map((h) => {
    const file = join(dir, `outcomes-${h}.csv`);
    writeFileSync(file, Papa.unparse(rows.filter((r) => (stickyFraction(`half:${r.case_id}`) < 0.5 ? 0 : 1) === h)));
    return file;
  }) as [string, string];
}

/** Held-out quality and cost of what createRouter decides for each case, prompt in the request. */
function servedOn(policy: RoutingPolicy, test: OutcomeSet): {quality: number; costUsd: number; picks: string[]} {
  const router = createRouter(policy);
  const picks = test.cases.map((c) => router.route({input: c.prompt, tags: c.tags, metadata: c.metadata, inputTokens: c.inputTokens, key: c.caseId})[0]!);
  let q = 0;
  let cost = 0;
  test.cases.forEach((c, i) => {
    q += c.byModel[picks[i]!]!.score!;
    cost += c.byModel[picks[i]!]!.costUsd!;
  });
  return {quality: q / test.cases.length, costUsd: cost / test.cases.length, picks};
}

describe('learned router on prompts a tag cannot separate', () => {
  let train: OutcomeSet;
  let test: OutcomeSet;
  let files: [string, string];
  beforeAll(() => {
    files = writeHalves(mkdtempSync(join(tmpdir(), 'assay-learn-')), syntheticRows());
    train = loadOutcomes([files[0]]);
    test = loadOutcomes([files[1]]);
  });

  it('reads the prompt column of an outcomes CSV', () => {
    expect(train.cases.every((c) => typeof c.prompt === 'string' && c.prompt.length > 0)).toBe(true);
    expect(train.cases[0]!.metadata.prompt).toBeUndefined();
  });

  it('sends hard prompts to the dear model and the rest to the cheap one, beating the tag policy out of sample', () => {
    const policy = generatePolicy(train, {minQuality: 0.95, now: new Date(0)}).policy;
    const {learned} = learnRouter(train, {minQuality: 0.95});
    expect(learned.base).toBe('cheap');
    const router = createRouter({...policy, learned});
    const hard = {input: 'Please evaluate the definite integral number 9999; answer with steps.', tags: ['qa']};
    expect(router.decide(hard)).toEqual(expect.objectContaining({ruleName: 'learned', models: ['dear', 'cheap']}));
    expect(router.route({input: 'Quick question 9999: what is the longest river?', tags: ['qa']})[0]).toBe('cheap');
    // Without the prompt the tag rules decide, as a gateway would.
    expect(router.decide({tags: ['qa'], key: 'k'}).ruleName).not.toBe('learned');

    const tagOnly = servedOn(policy, test);
    const withLearned = servedOn({...policy, learned}, test);
    const dear = test.cases.reduce((s, c) => s + c.byModel.dear!.score!, 0) / test.cases.length;
    expect(withLearned.quality).toBeGreaterThanOrEqual(0.95 * dear - 0.02);
    expect(withLearned.costUsd).toBeLessThan(0.6 * tagOnly.costUsd);
    // The nested estimate is honest about the held-out figures.
    expect(Math.abs(learned.expected.quality / learned.expected.bestSingleQuality - withLearned.quality / dear)).toBeLessThan(0.05);
  });

  it('a policy file round trip serves the same decisions, and simulate reports what createRouter does', () => {
    const policy: RoutingPolicy = {...generatePolicy(train, {now: new Date(0)}).policy, learned: learnRouter(train).learned};
    const dir = mkdtempSync(join(tmpdir(), 'assay-learn-'));
    writeFileSync(join(dir, 'p.yaml'), policyToYaml(policy));
    const reloaded = loadPolicy(join(dir, 'p.yaml'));
    const before = servedOn(policy, test);
    const after = servedOn(reloaded, test);
    expect(after.picks).toEqual(before.picks);
    const scorer = compileScorer(policy.learned!);
    expect(test.cases.map((c) => scorer.pick({input: c.prompt, tags: c.tags, metadata: c.metadata, inputTokens: c.inputTokens}))).toEqual(before.picks);
    const sim = simulatePolicy(reloaded, test);
    expect(sim.policy.byRule.learned!.n).toBe(test.cases.length);
    expect(sim.policy.quality).toBeCloseTo(before.quality, 4);
    expect(sim.policy.costUsdPer1k!).toBeCloseTo(before.costUsd * 1000, 4);
    for (const m of ['cheap', 'dear']) expect(sim.policy.servedBy[m]).toBe(before.picks.filter((p) => p === m).length);
  });

  it('assay route --learn and simulate through the CLI; exports say what they cannot carry; tampered weights are exit 2', async () => {
    const project = makeProject({'train.csv': readFileSync(files[0], 'utf8'), 'test.csv': readFileSync(files[1], 'utf8')});
    const r = await runCli(['route', '--from', 'train.csv', '--learn', '--out', 'p.yaml', '--explain'], {cwd: project});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/learned router \(nested 5-fold cross-validation/);
    const s = await runCli(['simulate', '--policy', 'p.yaml', '--from', 'test.csv', '--json'], {cwd: project});
    expect(s.code, s.stderr).toBe(0);
    const report = JSON.parse(s.stdout);
    expect(report.policy.byRule.learned.n).toBe(test.cases.length);
    expect(report.policy.servedBy.dear).toBeGreaterThan(0);
    expect(report.policy.servedBy.cheap).toBeGreaterThan(report.policy.servedBy.dear);
    const ex = await runCli(['route', '--from', 'train.csv', '--learn', '--export', 'litellm'], {cwd: project});
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stderr).toMatch(/cannot run the learned router/);
    const yaml = readFileSync(join(project, 'p.yaml'), 'utf8').replace(/weights: (\S{8})\S*/, 'weights: $1');
    writeFileSync(join(project, 'bad.yaml'), yaml);
    const bad = await runCli(['simulate', '--policy', 'bad.yaml', '--from', 'test.csv'], {cwd: project});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:\d+ field "learned\.models\[0\]\.weights"/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(sharedDataMissing !== null)('learned router on RouteLLM GSM8K + MT-Bench (generate on one half, serve the other)', () => {
  it('reaches the target for less than the tag policy, and serves the held-out half as the simulation says', () => {
    const {sets} = halves(routellmRows(), 'routellm-learn');
    const [train, test] = sets;
    const policy = generatePolicy(train, {minQuality: 0.95, now: new Date(0)}).policy;
    const learned = learnRouter(train, {minQuality: 0.95}).learned;
    const tagOnly = servedOn(policy, test);
    const withLearned = servedOn({...policy, learned}, test);
    const gpt4 = test.cases.reduce((s, c) => s + c.byModel[GPT4]!.score!, 0) / test.cases.length;
    const mixtral = test.cases.reduce((s, c) => s + c.byModel[MIXTRAL]!.score!, 0) / test.cases.length;
    expect(withLearned.quality).toBeGreaterThan(mixtral + 0.1);
    expect(withLearned.quality).toBeGreaterThanOrEqual(0.95 * gpt4 - 0.03);
    expect(withLearned.costUsd).toBeLessThan(tagOnly.costUsd);
    const sim = simulatePolicy({...policy, learned}, test);
    expect(sim.policy.servedBy[GPT4]).toBe(withLearned.picks.filter((p) => p === GPT4).length);
    // RouteLLM's metrics on the held-out half: both beat random mixing (0.5), the learned router more.
    const g = sim.gapRecovered;
    expect(g.rules!.strong).toBe(GPT4);
    expect(g.rules!.weak).toBe(MIXTRAL);
    expect(g.rules!.apgr).toBeGreaterThan(0.55);
    expect(g.learned!.apgr).toBeGreaterThan(g.rules!.apgr);
    expect(g.learned!.cpt50!).toBeLessThan(0.5);
    expect(sim.rulesOnly!.costUsdPer1k!).toBeCloseTo(tagOnly.costUsd * 1000, 3);
  });
});
