import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {parse as parseYaml} from 'yaml';
import {beforeAll, describe, expect, it} from 'vitest';
import {litellmConfigSchema} from '../src/routing/export-litellm.ts';
import {portkeyConfigSchema} from '../src/routing/export-portkey.ts';
import {routingPolicySchema} from '../src/routing/policy-schema.ts';
import {FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';

const FLEET = ['sim-flash', 'sim-large', 'sim-medium', 'sim-mini'];

describe('assay route / simulate on a sandbox run (built CLI)', () => {
  let project: string;
  let runDir: string;

  beforeAll(async () => {
    project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const args = ['run', '--suite', 'arithmetic', '--suite', 'sentiment', '--suite', 'capitals', '--suite', 'extraction', '--json'];
    const r = await runCli(args, {cwd: project});
    expect(r.code, r.stderr).toBe(0);
    const runs = readdirSync(join(project, 'reports'));
    runDir = join('reports', runs[0]!);
  });

  it('route --json prints a policy over the measured fleet with out-of-sample expectations', async () => {
    const r = await runCli(['route', '--from', runDir, '--json'], {cwd: project});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const policy = JSON.parse(r.stdout);
    expect(routingPolicySchema.safeParse(policy).success).toBe(true);
    expect(Object.keys(policy.models).sort()).toEqual(FLEET);
    expect(policy.models['sim-large'].pricing).toEqual({inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75});
    expect(policy.sources).toEqual([runDir]);
    for (const r of [...policy.rules, policy.default]) for (const w of r.route) expect(FLEET).toContain(w.model);
    expect(policy.expected.method).toMatch(/cross-validation/);
    expect(policy.expected.n).toBe(40 + 40 + 40 + 30);
    // 95% of the best model's quality is the default target: the selection meets it on its own cross-validated
    // figure (rounded to 4 digits); the nested estimate, with its interval, may miss it, and then says so.
    expect(policy.expected.selectionQuality).toBeGreaterThanOrEqual(0.95 * policy.expected.bestSingleQuality - 1e-3);
    expect(policy.expected.qualityCi95[0]).toBeLessThanOrEqual(policy.expected.quality);
    expect(policy.expected.qualityCi95[1]).toBeGreaterThanOrEqual(policy.expected.quality);
    if (policy.expected.quality < 0.95 * policy.expected.bestSingleQuality - 1e-4) expect(r.stderr).toMatch(/warning: out of sample the policy keeps [\d.]+% .* under the 95\.0% asked/);
    expect(policy.expected.costUsdPer1k).toBeLessThan(policy.expected.bestSingleCostUsdPer1k);
    expect(policy.expected.p95LatencyMs).not.toBeNull();
    expect(policy.resilience.retry.maxAttempts).toBeGreaterThanOrEqual(2);
  });

  it('route --out --explain writes the YAML and prints the evidence; simulate replays it', async () => {
    const r = await runCli(['route', '--from', runDir, '--out', 'policy.yaml', '--explain', '--canary', 'sim-flash:0.1'], {cwd: project});
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(project, 'policy.yaml'))).toBe(true);
    expect(r.stdout).toMatch(/why: /);
    expect(r.stdout).toMatch(/95% CI/);
    const policy = parseYaml(readFileSync(join(project, 'policy.yaml'), 'utf8'));
    expect(policy.canary).toEqual({model: 'sim-flash', weight: 0.1});

    const s = await runCli(['simulate', '--policy', 'policy.yaml', '--from', runDir, '--json'], {cwd: project});
    expect(s.code, s.stderr).toBe(0);
    const report = JSON.parse(s.stdout);
    expect(report.policy).toEqual(expect.objectContaining({quality: expect.any(Number), costUsd: expect.any(Number), p95LatencyMs: expect.any(Number)}));
    expect(Object.keys(report.baselines).sort()).toEqual(FLEET);
    expect(report.oracle.quality).toBeGreaterThanOrEqual(Math.max(...FLEET.map((m) => report.baselines[m].quality)));
    expect(report.policy.quality).toBeLessThanOrEqual(report.oracle.quality);
    expect(typeof report.aiq).toBe('number');
    expect(report.policy.servedBy['sim-flash']).toBeGreaterThan(0); // the canary got traffic

    const text = await runCli(['simulate', '--policy', 'policy.yaml', '--from', runDir], {cwd: project});
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^policy\s/m);
    expect(text.stdout).toMatch(/^oracle\s/m);
  });

  it('--export litellm and --export portkey print validated gateway configs', async () => {
    const ll = await runCli(['route', '--from', runDir, '--export', 'litellm'], {cwd: project});
    expect(ll.code, ll.stderr).toBe(0);
    expect(litellmConfigSchema.safeParse(parseYaml(ll.stdout)).success).toBe(true);
    const pk = await runCli(['route', '--from', join(runDir, 'results.jsonl'), '--export', 'portkey'], {cwd: project});
    expect(pk.code, pk.stderr).toBe(0);
    expect(portkeyConfigSchema.safeParse(JSON.parse(pk.stdout)).success).toBe(true);
    // run.json recorded how each model was called; the sandbox's URL was not, so it is a reference.
    const meta = JSON.parse(readFileSync(join(project, runDir, 'run.json'), 'utf8')) as {models: Record<string, {timeoutMs?: number; wire?: string}>};
    for (const m of Object.values(meta.models)) expect(m.timeoutMs).toBeGreaterThan(0);
    expect(pk.stdout).toMatch(/"custom_host": "\$\{[A-Z0-9_]+_BASE_URL\}/);
    expect(pk.stderr).toMatch(/^note: .*cb_config/m);
  });

  it('bad input is exit 2 naming the file, field or line', async () => {
    const missing = await runCli(['route', '--from', 'reports/nope'], {cwd: project});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/reports\/nope.*no such file/);
    const junk = await runCli(['route', '--from', runDir, '--min-quality', 'most'], {cwd: project});
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/--min-quality/);
    const canary = await runCli(['route', '--from', runDir, '--canary', 'sim-flash'], {cwd: project});
    expect(canary.code).toBe(2);
    writeFileSync(join(project, 'bad.yaml'), 'version: 1\ngeneratedAt: x\nsources: []\nobjective: {}\nmodels: {}\nrules: []\ndefault: {route: [], fallback: []}\n');
    const bad = await runCli(['simulate', '--policy', 'bad.yaml', '--from', runDir], {cwd: project});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
