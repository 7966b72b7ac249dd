// Renders a 100,000-result report (4 models × 25,000 cases) and records its file size, the time to
// render it, and in Chromium the time to first paint, until the page is interactive, and to filter
// and search it. Run: npm run bench:report   (about 15 s). Numbers go in docs/performance.md.
// Then the same report with an image in every case (200 distinct 40 KiB images, every one among the
// cases shown): its size is the most thumbnails can add under the run directory's media caps.
import {randomBytes} from 'node:crypto';
import {mkdtempSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {chromium} from 'playwright-core';
import type {Result} from '../src/core/types.ts';
import {mediaMarker} from '../src/core/content-parts.ts';
import {renderReportHtml} from '../src/report/report-html.ts';
import {readRunMedia} from '../src/rundir/read-run-media.ts';
import {summarize} from '../src/runner/summarize.ts';
import {writeRunMedia} from '../src/runner/write-run-media.ts';

const CASES = 25_000;
const MODELS = [
  {label: 'sim-large', accuracy: 0.95, latency: 900, cost: 0.0002},
  {label: 'sim-medium', accuracy: 0.87, latency: 450, cost: 0.00003},
  {label: 'sim-flash', accuracy: 0.82, latency: 250, cost: 0.00001},
  {label: 'sim-mini', accuracy: 0.7, latency: 150, cost: 0.000004},
];
const TAGS = ['math', 'json', 'classification', 'factual', 'europe', 'asia'];
const WORDS = 'the answer is a number between one and one hundred that the model computed from the question given'.split(' ');

let seed = 7;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const sentence = (n: number) => Array.from({length: n}, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');

const results: Result[] = [];
for (let c = 0; c < CASES; c++) {
  const input = `Question ${c}: ${sentence(12)}?`;
  const expected = String(c * 7);
  const tags = [TAGS[c % TAGS.length]!, TAGS[(c * 7) % TAGS.length]!];
  for (const m of MODELS) {
    const error = rand() < 0.01;
    const pass = !error && rand() < m.accuracy;
    const latencyMs = m.latency * Math.exp((rand() - 0.5) * 0.8);
    results.push({
      runId: 'bench', suiteId: `suite-${c % 5}`, caseId: `case-${c}`, model: m.label, provider: 'sim', repeat: 0,
      status: error ? 'error' : 'ok', output: error ? null : pass ? expected : `${sentence(8)} ${c * 7 + 1}`,
      error: error ? {class: 'rate-limit', status: 429, message: 'rate limited', hint: 'slow down'} : null,
      latencyMs, ttftMs: latencyMs * 0.4, inputTokens: 30, outputTokens: 12, tokensEstimated: false, costUsd: error ? null : m.cost,
      grades: error ? [] : [{grader: 'exact-match', score: pass ? 1 : 0, pass, reason: pass ? 'equal to the reference' : `expected "${expected}"`}],
      score: error ? null : pass ? 1 : 0, pass: error ? null : pass, tags, attempts: 1, startedAt: '', endedAt: '',
      finishReason: 'stop', finishReasonRaw: 'stop', queueMs: 0, rateWaitMs: 0, cached: false, stream: true, simulated: true, input, expected,
    });
  }
}

const t0 = performance.now();
const summary = summarize('bench', results);
const t1 = performance.now();
const html = renderReportHtml(summary, results);
const t2 = performance.now();
const dir = mkdtempSync(join(tmpdir(), 'assay-report-bench-'));
const file = join(dir, 'report.html');
writeFileSync(file, html);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const runs: Array<{firstPaintMs: number; fcpMs: number; readyMs: number; filterMs: number; searchMs: number; pageMs: number; heapMb: number}> = [];
for (let i = 0; i < 3; i++) {
  const page = await browser.newPage({viewport: {width: 1400, height: 900}});
  const started = Date.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="1"]', {timeout: 60_000});
  const readyMs = Date.now() - started;
  const paint = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime])));
  const timed = (action: () => Promise<void>) => page.evaluate(() => performance.now()).then(async (a) => {
    await action();
    return (await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))))) - a;
  });
  const filterMs = await timed(async () => {
    await page.selectOption('#f-status', 'fail');
  });
  await page.selectOption('#f-status', '');
  const searchMs = await timed(async () => {
    await page.evaluate(() => {
      const input = document.getElementById('f-search') as HTMLInputElement;
      input.value = 'case-2417';
      input.dispatchEvent(new Event('input'));
    });
    await page.waitForFunction(() => /^\d+ of 25000 cases/.test(document.getElementById('case-count')!.textContent ?? '') && !document.getElementById('case-count')!.textContent!.startsWith('25000 of'));
  });
  await page.fill('#f-search', '');
  await page.waitForFunction(() => document.getElementById('case-count')!.textContent!.startsWith('25000 of'));
  const pageMs = await timed(async () => {
    await page.click('#next');
  });
  const heap = await page.evaluate(() => (performance as unknown as {memory?: {usedJSHeapSize: number}}).memory?.usedJSHeapSize ?? 0);
  runs.push({firstPaintMs: paint['first-paint'] ?? Number.NaN, fcpMs: paint['first-contentful-paint'] ?? Number.NaN, readyMs, filterMs, searchMs, pageMs, heapMb: heap / 2 ** 20});
  await page.close();
}
await browser.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const row = (name: string, value: string) => console.log(`${name.padEnd(34)} ${value}`);
console.log(`report of ${results.length.toLocaleString('en')} results (${MODELS.length} models × ${CASES.toLocaleString('en')} cases), median of ${runs.length} loads`);
row('file size', `${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`);
row('summarize (node)', `${(t1 - t0).toFixed(0)} ms`);
row('render report.html (node)', `${(t2 - t1).toFixed(0)} ms`);
row('first paint (chromium)', `${median(runs.map((r) => r.firstPaintMs)).toFixed(0)} ms`);
row('first contentful paint', `${median(runs.map((r) => r.fcpMs)).toFixed(0)} ms`);
row('interactive (charts + first page)', `${median(runs.map((r) => r.readyMs)).toFixed(0)} ms`);
row('filter fail (all rows)', `${median(runs.map((r) => r.filterMs)).toFixed(0)} ms`);
row('full-text search (incl. 250 ms debounce)', `${median(runs.map((r) => r.searchMs)).toFixed(0)} ms`);
row('next page', `${median(runs.map((r) => r.pageMs)).toFixed(0)} ms`);
row('JS heap', `${median(runs.map((r) => r.heapMb)).toFixed(0)} MiB`);
console.log(`(file: ${file})`);

// The same run, each case with an image: the report embeds the kept ones (MEDIA_RUN_MAX_BYTES in all).
const images = Array.from({length: 200}, () => Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), randomBytes(40 * 1024)]).toString('base64'));
const withImages = results.map((r, i) => ({...r, input: `${r.input} ${mediaMarker('image', {data: images[Math.floor(i / MODELS.length / 5) % images.length]!})}`}));
const mediaRun = mkdtempSync(join(tmpdir(), 'assay-report-bench-media-'));
writeRunMedia(mediaRun, images.map((data, i) => ({messages: [{role: 'user' as const, content: '', parts: [{type: 'image' as const, mediaType: 'image/png', data, name: `img-${i}.png`}]}]})));
const t3 = performance.now();
const media = readRunMedia(mediaRun);
const mediaHtml = renderReportHtml(summarize('bench', withImages), withImages, {media});
const t4 = performance.now();
writeFileSync(join(mediaRun, 'report.html'), mediaHtml);
row('file size, an image in every case', `${(statSync(join(mediaRun, 'report.html')).size / 2 ** 20).toFixed(1)} MiB (${[...media.entries.values()].filter((m) => m.data).length} of ${images.length} images kept, the rest placeholders)`);
row('load media + summarize + render (node)', `${(t4 - t3).toFixed(0)} ms`);
