import {readdirSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {chromium, type Browser} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';

// What a person sees in the first screen, on a phone (390 px) and a laptop (1440 px), in Debian's Chromium.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WIDTHS = [390, 1440];

describe('report layout in Chromium', () => {
  let browser: Browser;
  let report: string;
  let comparison: string;

  beforeAll(async () => {
    const project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const launching = chromium.launch({executablePath: CHROMIUM, headless: true, args: FLAGS});
    const a = await runCli(['run', '--json', '--suite', 'arithmetic', '--suite', 'capitals', '--seed', '1'], {cwd: project});
    const b = await runCli(['run', '--json', '--suite', 'arithmetic', '--suite', 'capitals', '--seed', '2'], {cwd: project});
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    report = join(JSON.parse(a.stdout).dir, 'report.html');
    const compared = await runCli(['report', JSON.parse(a.stdout).dir, JSON.parse(b.stdout).dir], {cwd: project});
    expect(compared.code, compared.stderr).toBe(0);
    const dir = readdirSync(join(project, 'reports')).find((d) => d.startsWith('compare-'))!;
    comparison = join(project, 'reports', dir, 'comparison.html');
    browser = await launching;
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string, width: number) {
    const page = await browser.newPage({viewport: {width, height: 900}});
    await page.goto(pathToFileURL(file).href);
    return page;
  }

  it.each(WIDTHS)('report at %i px: no page-level horizontal overflow; the recommendation, frontier and totals are on the first screen', async (width) => {
    const page = await open(report, width);
    await page.waitForSelector('body[data-ready="1"]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    for (const id of ['recommendation', 'frontier', 'totals']) {
      const box = await page.locator(`#${id}`).boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.y + box!.height, `#${id} bottom at ${width}px`).toBeLessThanOrEqual(900);
    }
    expect(await page.locator('#recommendation').textContent()).toMatch(/Recommended: sim-\w+/);
    // Model names are never broken inside: each name cell is one line high.
    const heights = await page.$$eval('#leaderboard td.name', (tds) => tds.map((td) => td.getBoundingClientRect().height));
    const oneLine = Math.min(...heights);
    for (const h of heights) expect(h).toBeLessThan(oneLine * 1.5);
    await page.close();
  });

  it('the leaderboard sorts by a clicked column, both ways', async () => {
    const page = await open(report, 1440);
    await page.waitForSelector('body[data-ready="1"]');
    const costs = () => page.$$eval('#leaderboard tbody td[data-metric="costPer1kUsd"]', (tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    await page.click('#leaderboard th[data-sort="costPer1kUsd"]');
    const descending = await costs();
    expect(descending).toEqual([...descending].sort((x, y) => y - x));
    await page.click('#leaderboard th[data-sort="costPer1kUsd"]');
    const ascending = await costs();
    expect(ascending).toEqual([...ascending].sort((x, y) => x - y));
    await page.close();
  });

  it('the heat map says n in every graded cell and has a legend', async () => {
    const page = await open(report, 1440);
    await page.waitForSelector('body[data-ready="1"]');
    const ns = await page.$$eval('#heatmap text.celln', (ts) => ts.map((t) => t.textContent));
    expect(ns.length).toBeGreaterThan(0);
    for (const n of ns) expect(n).toMatch(/^n=\d+$/);
    expect(await page.locator('#heat-legend').isVisible()).toBe(true);
    await page.close();
  });

  it.each(WIDTHS)('comparison page at %i px: no page-level overflow; the verdict per candidate is on the first screen', async (width) => {
    const page = await open(comparison, width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    const glance = page.locator('p.glance').first();
    const box = await glance.boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(900);
    expect(await glance.textContent()).toMatch(/against .*: (worse|better|no model)/);
    await page.close();
  });
});
