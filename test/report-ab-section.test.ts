import {cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {chromium, type Browser, type Page} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {AbFile} from '../src/report/ab-section.ts';
import {writeReports} from '../src/report/write-reports.ts';
import {makeProject, runCli} from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const PROVIDERS = `id: sim
type: sandbox
wire: openai
models:
  - { label: weak, model: weak, pricing: { inputPerMTok: 0.1, outputPerMTok: 0.1 }, sim: { accuracy: 0.5, ttftMs: 0, msPerToken: 0 } }
  - { label: strong, model: strong, pricing: { inputPerMTok: 1, outputPerMTok: 1 }, sim: { accuracy: 0.9, ttftMs: 0, msPerToken: 0 } }
  - { label: judge, model: judge, type: judge-only, sim: { accuracy: 1, ttftMs: 0, msPerToken: 0 } }
`;

// A model that answers right repeats `expected`: these reach the outputs shown among the disagreements.
const HOSTILE = [
  '<script>window.__pwned = 1; alert(1)</script>',
  '<img src=x onerror="window.__pwned = 2; alert(2)">',
  '</script><script>window.__pwned = 3</script>',
  '<svg onload="window.__pwned = 4"></svg>',
  '{{constructor.constructor("window.__pwned = 5")()}} {{{raw}}}',
  '<a href="javascript:window.__pwned = 6">x</a>',
  '<iframe src="http://127.0.0.1:9/x"></iframe><img src="http://evil.example/p.png">',
  '</pre></td></tr></table><b id="escaped">bold</b>',
];

function traffic(): string {
  const lines: string[] = [];
  for (let i = 0; i < 80; i++) {
    const hostile = HOSTILE[i % HOSTILE.length]!;
    const tags = i === 0 ? ['rare'] : [i % 3 ? 'support' : '<i>billing</i>'];
    lines.push(JSON.stringify({id: i % 10 === 1 ? `<b onmouseover=alert(${i})>r${i}</b>` : `req-${i}`, messages: [{role: 'user', content: `Ticket ${i}: repeat the code`}], expected: `${hostile} #${i}`, tags}));
  }
  return `${lines.join('\n')}\n`;
}

describe('report.html of an A/B run', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  let ab: AbFile;
  const problems: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  let url: string;

  beforeAll(async () => {
    const project = makeProject({'bench.config.json': JSON.stringify({providers: ['p.yaml'], suites: ['s.yaml'], concurrency: 32, sandbox: {latencyScale: 0}}), 'p.yaml': PROVIDERS, 's.yaml': 'id: unused\nprompt: "x"\ncases: [{expected: x}]\n', 'traffic.jsonl': traffic()});
    const [r, b] = await Promise.all([
      runCli(['ab', '--control', 'weak', '--treatment', 'strong', '--sample', 'traffic.jsonl', '--judge', 'judge', '--seed', '5', '--out', 'runs', '--json'], {cwd: project}),
      chromium.launch({executablePath: CHROMIUM, headless: true, args: FLAGS}),
    ]);
    browser = b;
    expect(r.code, r.stderr).toBe(0);
    dir = join(project, 'runs', readdirSync(join(project, 'runs'))[0]!);
    ab = JSON.parse(readFileSync(join(dir, 'ab.json'), 'utf8'));
    // `assay ab` writes ab.json after the run's reports: `assay report DIR` rebuilds them with it.
    const rep = await runCli(['report', dir], {cwd: project});
    expect(rep.code, rep.stderr).toBe(0);
    page = await browser.newPage({viewport: {width: 1280, height: 900}});
    page.on('console', (m) => problems.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (req) => requests.push(req.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    url = pathToFileURL(join(dir, 'report.html')).href;
    await page.goto(url);
    await page.waitForSelector('body[data-ready="1"]', {timeout: 10_000});
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('ran a real A/B with a judged verdict, a one-request tag and hostile outputs among the disagreements', () => {
    expect(ab.judged).toBeDefined();
    // n = 1: too few for any conclusion, yet its interval is finite and inside the metric's range [−1, 1].
    const rare = ab.perTag.find((t) => t.tag === 'rare')!;
    expect(rare).toMatchObject({n: 1, tooFew: true, significant: false});
    expect(rare.ciLow).toBeGreaterThanOrEqual(-1);
    expect(rare.ciHigh).toBeLessThanOrEqual(1);
    expect(ab.disagreements.length).toBeGreaterThan(0);
    expect(ab.disagreements.some((d) => HOSTILE.some((h) => (d.controlOutput ?? '').includes(h) || (d.treatmentOutput ?? '').includes(h)))).toBe(true);
  });

  it('shows the verdict and the numbers of ab.json', async () => {
    const block = page.locator('#ab .ab-block[data-kind="primary"]');
    const attr = (name: string, a = 'data-value') => block.locator(`[data-ab="${name}"]`).getAttribute(a);
    expect(await block.locator('[data-ab="verdict"]').textContent()).toBe(ab.verdict);
    expect(await block.locator('[data-ab="summary"]').textContent()).toBe(ab.summary);
    expect(Number(await attr('estimate'))).toBe(ab.difference.estimate);
    expect(Number(await attr('ci', 'data-low'))).toBe(ab.difference.ciLow);
    expect(Number(await attr('ci', 'data-high'))).toBe(ab.difference.ciHigh);
    expect(Number(await attr('n'))).toBe(ab.n);
    expect(Number(await attr('pValue'))).toBe(ab.pValue);
    expect(Number(await attr('mde'))).toBe(ab.mde);
    expect(Number(await attr('nForEffect'))).toBe(ab.nForEffect.n);
    expect(Number(await attr('passRate', 'data-control'))).toBe(ab.passRate!.control);
    expect(Number(await attr('passRate', 'data-treatment'))).toBe(ab.passRate!.treatment);
    expect(Number(await attr('cost'))).toBe(ab.cost.difference!.estimate);
    expect(Number(await attr('latency'))).toBe(ab.latency.difference!.estimate);
    const text = await block.textContent();
    expect(text).toContain(`${ab.difference.estimate >= 0 ? '+' : '−'}${Math.abs(ab.difference.estimate * 100).toFixed(1)} score points`);
    expect(text).toContain(`p-value (McNemar's score test (Tango interval))`);
    expect(text).toContain(ab.pValue.toPrecision(2));

    const judged = page.locator('#ab .ab-block[data-kind="judged"] [data-ab="pairwise"]');
    expect(Number(await judged.getAttribute('data-wins'))).toBe(ab.judged!.pairwise!.wins);
    expect(Number(await judged.getAttribute('data-ties'))).toBe(ab.judged!.pairwise!.ties);
    expect(Number(await judged.getAttribute('data-losses'))).toBe(ab.judged!.pairwise!.losses);
  });

  it('draws the difference as a bar with its 95% CI around 0', async () => {
    const bar = await page.$eval('#ab .ab-block[data-kind="primary"] svg.abbar', (svg) => {
      const n = (sel: string, a: string) => Number(svg.querySelector(sel)!.getAttribute(a));
      return {lo: n('.range', 'x1'), hi: n('.range', 'x2'), dot: n('.dot', 'cx'), zero: n('.zero', 'x1'), left: n('.track', 'x1'), right: n('.track', 'x2'), cls: svg.getAttribute('class'), label: svg.getAttribute('aria-label')};
    });
    expect(bar.left).toBeLessThan(bar.zero);
    expect(bar.zero).toBeLessThan(bar.right);
    expect(bar.lo).toBeLessThanOrEqual(bar.dot);
    expect(bar.dot).toBeLessThanOrEqual(bar.hi);
    // The zero line is outside the band exactly when the interval excludes 0.
    const excludes = ab.difference.ciLow > 0 || ab.difference.ciHigh < 0;
    expect(bar.zero < bar.lo || bar.zero > bar.hi).toBe(excludes);
    expect((bar.dot > bar.zero) === ab.difference.estimate > 0).toBe(true);
    expect(bar.cls).toContain(ab.verdict === 'better' ? 'up' : ab.verdict === 'worse' ? 'down' : 'flat');
    expect(bar.label).toContain('95% CI');
  });

  it('breaks the difference down per tag with its CI and Holm-adjusted p, and a one-request tag as "too few"', async () => {
    const rows = await page.$$eval('#ab .ab-block[data-kind="primary"] table.ab-tags tbody tr', (trs) =>
      trs.map((tr) => ({tag: tr.getAttribute('data-tag'), tooFew: tr.getAttribute('data-too-few'), value: tr.querySelector('td[data-value]')?.getAttribute('data-value') ?? null, text: tr.textContent, bars: tr.querySelectorAll('svg.abbar').length})),
    );
    expect(rows.map((r) => r.tag)).toEqual(ab.perTag.map((t) => t.tag));
    for (const [i, t] of ab.perTag.entries()) {
      expect(rows[i]!.tooFew).toBe(String(t.tooFew));
      expect(rows[i]!.text).toContain(String(t.n));
      if (t.tooFew) {
        expect(rows[i]!.text).toContain(`too few (n=${t.n})`);
        expect(rows[i]!.bars).toBe(0);
      } else {
        expect(Number(rows[i]!.value)).toBe(t.difference);
        expect(rows[i]!.bars).toBe(1);
        expect(rows[i]!.text).toContain(t.pValueAdjusted.toPrecision(2));
      }
    }
    expect(rows.find((r) => r.tag === 'rare')!.text).toContain('too few (n=1)');
    expect(rows.every((r) => !r.text!.includes('∞'))).toBe(true);
    expect(rows.some((r) => r.tag === '<i>billing</i>')).toBe(true); // a tag with markup, shown as text
  });

  it('lists the requests where they disagree most, with both outputs as text', async () => {
    const rows = await page.$$eval('#ab .ab-block[data-kind="primary"] table.ab-disagree tbody tr', (trs) =>
      trs.map((tr) => ({id: tr.querySelector('.cid')!.textContent, outs: [...tr.querySelectorAll('pre.out')].map((p) => p.textContent)})),
    );
    expect(rows.map((r) => r.id)).toEqual(ab.disagreements.map((d) => d.id));
    rows.forEach((r, i) => expect(r.outs).toEqual([ab.disagreements[i]!.controlOutput, ab.disagreements[i]!.treatmentOutput]));
  });

  it('keeps hostile outputs and ids inert: no script, no element, no request, no dialog', async () => {
    await page.hover('#ab table.ab-disagree tbody tr:first-child');
    await page.hover('#ab table.ab-tags tbody tr:last-child');
    await page.waitForTimeout(100);
    expect(await page.evaluate(() => (window as unknown as {__pwned?: unknown}).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);
    expect(await page.$$eval('#ab img, #ab script, #ab iframe, #ab a, #ab b, #ab i, #ab pre svg', (els) => els.length)).toBe(0);
    expect(await page.$('#escaped')).toBeNull();
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    expect(html).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('shows a note instead of the section when ab.json is broken, and still writes the report', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'assay-ab-broken-'));
    cpSync(dir, copy, {recursive: true});
    writeFileSync(join(copy, 'ab.json'), '{"control": "weak", "treatment": <script>');
    await writeReports(copy, 'broken', {keepGate: true});
    const html = readFileSync(join(copy, 'report.html'), 'utf8');
    expect(html).toMatch(/<p class="muted" id="ab-note">ab\.json is not valid JSON/);
    expect(html).not.toContain('<script>\'');
    writeFileSync(join(copy, 'ab.json'), JSON.stringify({control: 'weak'}));
    await writeReports(copy, 'broken', {keepGate: true});
    expect(readFileSync(join(copy, 'report.html'), 'utf8')).toContain('ab.json is not an A/B verdict');
  });
});
