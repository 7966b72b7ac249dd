import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {mediaDigest, type ContentPart} from '../src/core/content-parts.ts';
import {reportMedia} from '../src/report/report-media.ts';
import {readRunMedia} from '../src/rundir/read-run-media.ts';
import {MEDIA_MAX_BYTES, MEDIA_RUN_MAX_BYTES} from '../src/rundir/run-media.ts';
import {writeRunMedia} from '../src/runner/write-run-media.ts';

const png = (n: number, fill: number) => Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), Buffer.alloc(n - 8, fill)]).toString('base64');
const image = (data: string, name = 'a.png'): ContentPart => ({type: 'image', mediaType: 'image/png', data, name});
const caseWith = (...parts: ContentPart[]) => ({messages: [{role: 'user' as const, content: '', parts}]});

describe('media in the run directory', () => {
  it('keeps each distinct image once, under its digest; lists PDFs and URLs without keeping them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assay-media-'));
    const red = png(80, 1);
    const shared = caseWith(image(red), {type: 'text', text: 'x'});
    const count = writeRunMedia(dir, [shared, shared, caseWith(image(red, 'copy.png')), caseWith({type: 'file', mediaType: 'application/pdf', data: Buffer.from('%PDF-1.4').toString('base64'), name: 'd.pdf'}), caseWith({type: 'image', mediaType: 'image/png', url: 'https://x.example/a.png', name: 'https://x.example/a.png'})]);
    expect(count).toBe(3);
    expect(readdirSync(join(dir, 'media'))).toEqual([`${mediaDigest({data: red})}.png`]);
    const manifest = JSON.parse(readFileSync(join(dir, 'media.json'), 'utf8'));
    expect(manifest.media.map((m: {file: string | null; omitted?: string; url?: string}) => [m.file, m.omitted ?? null, m.url ?? null])).toEqual([
      [`media/${mediaDigest({data: red})}.png`, null, null],
      [null, 'document', null],
      [null, null, 'https://x.example/a.png'],
    ]);
    const media = readRunMedia(dir);
    expect(media.problem).toBeNull();
    expect(media.entries.get(mediaDigest({data: red}))!.data).toBe(red);
  });

  it('caps each image and the run: the rest are listed as placeholders; a resume adds to what is there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assay-media-'));
    const big = png(MEDIA_MAX_BYTES + 1, 2);
    const fits = Array.from({length: Math.floor(MEDIA_RUN_MAX_BYTES / MEDIA_MAX_BYTES)}, (_, i) => png(MEDIA_MAX_BYTES, 10 + i));
    writeRunMedia(dir, [caseWith(image(big)), ...fits.map((d) => caseWith(image(d)))]);
    const later = png(100, 99);
    writeRunMedia(dir, [caseWith(image(later))]);
    const entries = [...readRunMedia(dir).entries.values()];
    expect(entries.map((e) => e.omitted ?? (e.data ? 'kept' : 'missing'))).toEqual(['large', ...fits.map(() => 'kept'), 'budget']);
    expect(readdirSync(join(dir, 'media'))).toHaveLength(fits.length);
    const shown = reportMedia(readRunMedia(dir), [`[image ${mediaDigest({data: later})}] [image ${mediaDigest({data: big})}]`]);
    expect(Object.values(shown).map((m) => m.note)).toEqual(["image, 100 B: past the run's 1 MiB of kept images", `image, ${Math.round((MEDIA_MAX_BYTES + 1) / 1024)} KiB: over the 64 KiB kept per image`]);
  });

  it('a media.json that is not assay\'s is a note, not a failure; the report only carries media its shown inputs name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assay-media-'));
    writeFileSync(join(dir, 'media.json'), JSON.stringify({v: 1, media: [{digest: '../../etc', type: 'image'}]}));
    const media = readRunMedia(dir);
    expect(media.entries.size).toBe(0);
    expect(media.problem).toMatch(/^media\.json is not assay's: field "media\[0\]\.digest"/);
    const ok = mkdtempSync(join(tmpdir(), 'assay-media-'));
    const a = png(50, 3);
    const b = png(50, 4);
    writeRunMedia(ok, [caseWith(image(a)), caseWith(image(b))]);
    expect(Object.keys(reportMedia(readRunMedia(ok), [`look: [image ${mediaDigest({data: b})}]`, 'no markers']))).toEqual([mediaDigest({data: b})]);
  });
});
