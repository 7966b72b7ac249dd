import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {crc32, deflateSync} from 'node:zlib';
import {chromium, type Browser, type Page} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {MEDIA_MAX_BYTES} from '../src/rundir/run-media.ts';
import {FAST_DEFAULT_CONFIG, makeProject, runCli} from './helpers.ts';

// Debian's Chromium driven by playwright-core (see scripts/ensure-chromium.sh), as in report-browser.test.ts.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A valid RGB PNG of noise, stored uncompressed: bigger than MEDIA_MAX_BYTES at this size. */
function noisePng(side: number): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc(side * (1 + side * 3));
  for (let i = 0; i < rows.length; i++) rows[i] = i % (1 + side * 3) === 0 ? 0 : (i * 2654435761) >>> 24;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, {level: 0})), chunk('IEND', Buffer.alloc(0))]);
}

const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

async function openReport(browser: Browser, dir: string, problems: string[]): Promise<Page> {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}});
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(pathToFileURL(join(dir, 'report.html')).href);
  await page.waitForSelector('body[data-ready="1"]', {timeout: 10_000});
  // Every thumbnail decoded (or failed): data: URLs load without the network, but not synchronously.
  await page.waitForFunction(() => [...document.querySelectorAll('img.thumb')].every((i) => (i as HTMLImageElement).complete));
  return page;
}

const thumbnails = (page: Page) =>
  page.$$eval('#cases tbody tr', (trs) =>
    trs.map((tr) => ({
      input: tr.querySelector('td:nth-child(2) pre')!.textContent!,
      images: [...tr.querySelectorAll('img.thumb')].map((i) => ({digest: i.getAttribute('data-media'), width: (i as HTMLImageElement).naturalWidth, src: (i as HTMLImageElement).src.slice(0, 21)})),
      notes: [...tr.querySelectorAll('.media-note')].map((n) => ({digest: n.getAttribute('data-media'), text: n.textContent})),
      links: [...tr.querySelectorAll('a.media-link')].map((a) => ({digest: a.getAttribute('data-media'), href: a.getAttribute('href')})),
    })),
  );

describe('thumbnails in report.html (Chromium)', () => {
  let browser: Browser;
  const problems: string[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({executablePath: CHROMIUM, headless: true, args: FLAGS});
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the vision suite: each case shows its image, decoded from the run directory; a deleted image becomes a placeholder', async () => {
    const project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const r = await runCli(['run', '--json', '--suite', 'vision'], {cwd: project});
    expect(r.code, r.stderr).toBe(0);
    const dir: string = JSON.parse(r.stdout).dir;
    const manifest = JSON.parse(readFileSync(join(dir, 'media.json'), 'utf8')) as {media: Array<{digest: string; file: string}>};
    expect(manifest.media).toHaveLength(8);
    for (const m of manifest.media) expect(readFileSync(join(dir, m.file)).subarray(1, 4).toString()).toBe('PNG');

    let page = await openReport(browser, dir, problems);
    let rows = await thumbnails(page);
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      expect(row.images).toHaveLength(1);
      expect(row.input).toContain(`[image ${row.images[0]!.digest}]`);
      expect(row.images[0]!.width).toBe(16);
      expect(row.images[0]!.src).toBe('data:image/png;base64');
    }
    expect(new Set(rows.map((row) => row.images[0]!.digest)).size).toBe(8);
    await page.close();

    // One kept image lost (a directory copied in part): the report is rebuilt and still works.
    const lost = manifest.media[0]!;
    rmSync(join(dir, lost.file));
    const rebuilt = await runCli(['report', dir], {cwd: project});
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    page = await openReport(browser, dir, problems);
    rows = await thumbnails(page);
    expect(rows.flatMap((row) => row.images).filter((i) => i.width === 16)).toHaveLength(7);
    expect(rows.flatMap((row) => row.notes)).toEqual([{digest: lost.digest, text: `[image] image missing from the run directory (${lost.file})`}]);
    await page.close();
    expect(problems).toEqual([]);
  });

  it('a PDF, an image over the cap and an image by URL: placeholders and a link, never fetched; the page stays light', async () => {
    const big = noisePng(160);
    expect(big.length).toBeGreaterThan(MEDIA_MAX_BYTES);
    const suite = `id: media
messages:
  - role: user
    content:
      - {type: text, text: "Describe: "}
      - {type: image, path: "big.png"}
      - {type: file, path: "doc.pdf"}
      - {type: image, url: "https://images.example/cat.png"}
cases: [{id: one, expected: "x"}]
graders: [{type: exact-match}]
`;
    const project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG, 'suites/media.yaml': suite, 'suites/doc.pdf': PDF}, {withDefaults: true});
    writeFileSync(join(project, 'suites/big.png'), big);
    const r = await runCli(['run', '--json', '--suite', 'media', '--model', 'sim-flash', '--model', 'sim-mini'], {cwd: project});
    expect(r.code, r.stderr).toBe(0);
    const dir: string = JSON.parse(r.stdout).dir;
    const manifest = JSON.parse(readFileSync(join(dir, 'media.json'), 'utf8')) as {media: Array<Record<string, unknown>>};
    expect(manifest.media.map((m) => [m.type, m.file, m.omitted ?? null, m.url ?? null])).toEqual([
      ['image', null, 'large', null],
      ['file', null, 'document', null],
      ['image', null, null, 'https://images.example/cat.png'],
    ]);
    expect(readFileSync(join(dir, 'report.html')).length).toBeLessThan(big.length);

    const page = await openReport(browser, dir, problems);
    const [row] = await thumbnails(page);
    expect(row!.images).toEqual([]);
    expect(row!.notes.map((n) => n.text)).toEqual([`[image] image, ${Math.round(big.length / 1024)} KiB: over the 64 KiB kept per image`, `[file] PDF, ${PDF.length} B: not kept in the run directory`]);
    expect(row!.links.map((l) => l.href)).toEqual(['https://images.example/cat.png']);
    const results = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Result);
    for (const res of results) for (const n of [...row!.notes, ...row!.links]) expect(res.input).toContain(`${n.digest}]`);
    await page.close();

    // A hand-edited media.json: a javascript: URL is no link, and a name with markup is text.
    manifest.media[2] = {...manifest.media[2], url: 'javascript:alert(1)', name: '<img src=x onerror="document.title=1">'};
    writeFileSync(join(dir, 'media.json'), JSON.stringify(manifest));
    expect((await runCli(['report', dir], {cwd: project})).code).toBe(0);
    const edited = await openReport(browser, dir, problems);
    const [hostile] = await thumbnails(edited);
    expect(hostile!.links).toEqual([]);
    expect(hostile!.notes.at(-1)!.text).toBe('[image] <img src=x onerror="document.title=1">');
    expect(await edited.locator('#cases img').count()).toBe(0);
    await edited.close();
    expect(problems).toEqual([]);
  });
});
