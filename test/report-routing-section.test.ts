import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {chromium, type Browser, type Page} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {buildRouting, ROUTING_MAX_RESULTS} from '../src/report/routing-section.ts';
import {routeFromSources} from '../src/routing/route-from-sources.ts';
import type {RoutingPolicy} from '../src/routing/policy-types.ts';
import {FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('routing section of report.html', () => {
  let browser: Browser;
  let page: Page;
  let project: string;
  let dir: string;
  let policy: RoutingPolicy;
  const problems: string[] = [];

  beforeAll(async () => {
    project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const [r, b] = await Promise.all([runCli(['run', '--json'], {cwd: project}), chromium.launch({executablePath: CHROMIUM, headless: true, args: FLAGS})]);
    browser = b;
    expect(r.code, r.stderr).toBe(0);
    dir = JSON.parse(r.stdout).dir;
    // What `assay route --from DIR` generates with its defaults: the section must show the same policy.
    policy = routeFromSources({from: [dir]}).policy;
    page = await browser.newPage({viewport: {width: 1280, height: 900}});
    page.on('console', (m) => problems.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    await page.waitForSelector('body[data-ready="1"]', {timeout: 10_000});
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows every rule of the policy, default last, with route, fallbacks, expected figures and rationale', async () => {
    expect(problems).toEqual([]);
    expect(await page.locator('#routing h2').textContent()).toBe('Routing');
    expect(await page.locator('#routing-note').count()).toBe(0);
    const rows = await page.$$eval('#routing-rules tbody tr', (trs) =>
      trs.map((tr) => ({rule: tr.getAttribute('data-rule'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent), quality: tr.querySelector('td[data-value]')!.getAttribute('data-value')})),
    );
    const all = [...policy.rules, policy.default];
    expect(rows.length).toBe(all.length);
    expect(rows.at(-1)!.rule).toBe('default');
    rows.forEach((row, i) => {
      const rule = all[i]!;
      if (i < policy.rules.length) expect(row.cells[1]).toBe(policy.rules[i]!.name);
      for (const w of rule.route) expect(row.cells[2]).toContain(w.model);
      if (rule.fallback.length) expect(row.cells[3]).toBe(rule.fallback.join(' → '));
      expect(Number(row.cells[4])).toBe(rule.expected.n);
      expect(Number(row.quality)).toBe(rule.expected.quality);
      expect(row.cells[8]).toBe(rule.rationale);
    });
  });

  it('compares the policy out of sample with each single model', async () => {
    const rows = await page.$$eval('#routing-compare tbody tr', (trs) =>
      trs.map((tr) => ({kind: tr.getAttribute('data-kind'), label: tr.getAttribute('data-label'), quality: Number(tr.querySelector('[data-metric="quality"]')!.getAttribute('data-value')), cost: Number(tr.querySelector('[data-metric="cost"]')!.getAttribute('data-value'))})),
    );
    const e = policy.expected!;
    expect(rows[0]).toMatchObject({kind: 'policy', quality: e.quality, cost: e.costUsdPer1k});
    const models = rows.filter((r) => r.kind === 'model');
    expect(models.map((r) => r.label).sort()).toEqual(['sim-flash', 'sim-large', 'sim-medium', 'sim-mini']);
    expect(models.find((r) => r.label === e.bestSingleModel)!.quality).toBeCloseTo(e.bestSingleQuality, 4);
    expect(rows.at(-1)!.kind).toBe('oracle');
    // The default target: at least 95% of the best model's quality, for less than it costs.
    expect(await page.textContent('#routing-estimate')).toContain('Out of sample');
    expect(e.costUsdPer1k!).toBeLessThan(e.bestSingleCostUsdPer1k!);
  });

  it('shows a one-line note for a run with too few shared cases, and nothing for one model', async () => {
    const few = await runCli(['run', '--json', '--sample', '2'], {cwd: project});
    expect(few.code, few.stderr).toBe(0);
    const html = readFileSync(join(JSON.parse(few.stdout).dir, 'report.html'), 'utf8');
    expect(html).toMatch(/<p class="muted" id="routing-note">No routing policy here: only 14 case\(s\) were graded on two or more models/);
    expect(html).not.toContain('id="routing-rules"');

    const one = await runCli(['run', '--json', '--sample', '2', '--model', 'sim-large'], {cwd: project});
    expect(one.code, one.stderr).toBe(0);
    expect(readFileSync(join(JSON.parse(one.stdout).dir, 'report.html'), 'utf8')).not.toContain('id="routing"');
  });

  it('skips the policy with a note above the result limit, before reading anything', () => {
    const base = {suiteId: 's', status: 'ok', score: 1} as const;
    const results = Array.from({length: ROUTING_MAX_RESULTS + 1}, (_, i) => ({...base, caseId: `c${i >> 1}`, model: i % 2 ? 'a' : 'b'}) as unknown as Result);
    const out = buildRouting('/nonexistent', results);
    expect(out && 'note' in out && out.note).toMatch(/over the report's limit of 20,000/);
  });

  it('costs little on the default run', () => {
    const results = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Result);
    buildRouting(dir, results);
    // Its speed is measured in bench/ (no wall-clock bounds in tests: CI machines are loaded).
    const out = buildRouting(dir, results);
    expect(out && 'generated' in out).toBe(true);
  });
});
