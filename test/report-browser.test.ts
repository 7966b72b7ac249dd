import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {chromium, type Browser, type Page} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Summary} from '../src/runner/summarize.ts';
import {FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';

// Debian's Chromium driven by playwright-core (see scripts/ensure-chromium.sh); one browser per file.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('report.html in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  let summary: Summary;
  const problems: string[] = [];

  beforeAll(async () => {
    const project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const [r, b] = await Promise.all([runCli(['run', '--json', '--sample', '6', '--seed', '3'], {cwd: project}), chromium.launch({executablePath: CHROMIUM, headless: true, args: FLAGS})]);
    browser = b;
    expect(r.code, r.stderr).toBe(0);
    dir = JSON.parse(r.stdout).dir;
    summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    page = await browser.newPage({viewport: {width: 1280, height: 900}});
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    await page.waitForSelector('body[data-ready="1"]', {timeout: 10_000});
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('runs its script under the CSP with no errors or violations', () => {
    expect(problems).toEqual([]);
  });

  it('shows the leaderboard numbers of summary.json, best model first', async () => {
    const rows = await page.$$eval('#leaderboard tbody tr', (trs) =>
      trs.map((tr) => ({
        model: tr.getAttribute('data-model'),
        values: Object.fromEntries([...tr.querySelectorAll('td[data-metric]')].map((td) => [td.getAttribute('data-metric'), td.getAttribute('data-value')])),
        passText: tr.querySelector('td[data-metric="passRate"]')!.textContent,
      })),
    );
    expect(rows.map((r) => r.model).sort()).toEqual(Object.keys(summary.models).sort());
    const rates = rows.map((r) => Number(r.values.passRate));
    expect(rates).toEqual([...rates].sort((a, b) => b - a));
    for (const row of rows) {
      const s = summary.models[row.model!]!;
      expect(Number(row.values.n)).toBe(s.n);
      expect(Number(row.values.passRate)).toBe(s.passRate);
      expect(Number(row.values.meanScore)).toBe(s.meanScore);
      expect(Number(row.values.costPer1kUsd)).toBe(s.costPer1kUsd);
      expect(Number(row.values.latencyMs)).toBe(s.latencyMs.p50);
      expect(Number(row.values.errorRate)).toBe(s.errorRate);
      expect(Number(row.values.judgeCostUsd)).toBe(s.judgeCostUsd);
      expect(row.passText).toContain(`${(s.passRate! * 100).toFixed(1)}%`);
      expect(row.passText).toContain(`${(s.passRateCi95![0] * 100).toFixed(1)}%`);
    }
    await expect(page.textContent('#simulated-label')).resolves.toContain('simulated');
    await expect(page.textContent('#run-meta')).resolves.toContain(summary.runId);
  });

  it('draws the charts: a point per priced model, the frontier, a box per model, a heat-map cell per suite × model', async () => {
    const models = Object.keys(summary.models).length;
    expect(await page.locator('#scatter circle.pt').count()).toBe(models);
    expect(await page.locator('#scatter circle.pt.on').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#latency rect.box').count()).toBe(models);
    const cells = Object.values(summary.suites).reduce((n, byModel) => n + Object.keys(byModel).length, 0) + Object.values(summary.tags).reduce((n, byModel) => n + Object.keys(byModel).length, 0);
    expect(await page.locator('#heatmap rect.cell').count()).toBe(cells);
  });

  it('filters by model, status and tag, and searches the text', async () => {
    const count = () => page.textContent('#case-count');
    const all = await count();
    const totalCases = Number(/of (\d+) cases/.exec(all!)![1]);
    expect(totalCases).toBe(42);

    await page.selectOption('#f-model', {label: 'sim-mini'});
    expect(await page.locator('#cases thead th[data-model]').count()).toBe(1);
    await page.selectOption('#f-status', 'fail');
    const failing = summary.models['sim-mini']!.graded - summary.models['sim-mini']!.passed;
    expect(await count()).toMatch(new RegExp(`^${failing} of 42 cases`));
    expect(await page.locator('#cases tbody .badge.pass').count()).toBe(0);
    await page.selectOption('#f-status', '');
    await page.selectOption('#f-model', '-1');

    await page.selectOption('#f-tag', 'math');
    const math = await page.$$eval('#cases tbody tr td.case', (tds) => tds.map((td) => td.textContent));
    expect(math.length).toBeGreaterThan(0);
    expect(math.every((t) => t!.includes('arithmetic'))).toBe(true);
    await page.selectOption('#f-tag', '-1');

    // A case's own input is a unique needle: the search finds exactly that case.
    const caseId = await page.textContent('#cases tbody tr:nth-child(2) .cid');
    const input = await page.textContent('#cases tbody tr:nth-child(2) td:nth-child(2) pre');
    await page.fill('#f-search', input!.slice(0, 60).toUpperCase());
    await expect.poll(count).toMatch(/^1 of 42 cases/);
    expect(await page.textContent('#cases tbody tr .cid')).toBe(caseId);
    await page.fill('#f-search', 'no such text anywhere 9q8w7e');
    await expect.poll(count).toMatch(/^0 of 42 cases/);
    await page.fill('#f-search', '');
    await expect.poll(count).toBe(all);
  });

  it('takes a sane screenshot', async () => {
    const png = await page.screenshot();
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1280);
    expect(png.readUInt32BE(20)).toBe(900);
    expect(png.length).toBeGreaterThan(20_000);
  });
});
