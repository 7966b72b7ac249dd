import {existsSync, mkdirSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {mediaDigest, type MediaPart} from '../core/content-parts.ts';
import type {ChatMessage} from '../core/types.ts';
import {asWriteError, writeFileAtomic, writeJsonAtomic} from '../core/write-atomic.ts';
import {IMAGE_EXTENSIONS, MEDIA_MAX_BYTES, MEDIA_RUN_MAX_BYTES, RUN_MEDIA_DIR, RUN_MEDIA_FILE, runMediaSchema, type MediaEntry} from '../rundir/run-media.ts';

/**
 * Keeps the images a run's cases send in its directory, each distinct one once (media/<digest>.<ext>,
 * written atomically), and lists every image and file in media.json, so the report can show
 * thumbnails next to the `[image <digest>]` markers of the inputs. PDFs, images over MEDIA_MAX_BYTES
 * and images past the run's MEDIA_RUN_MAX_BYTES are listed but not kept; URLs are never fetched.
 * A resumed run adds to what is there. Returns how many entries media.json has (0: nothing written).
 */
export function writeRunMedia(dir: string, cases: Iterable<{messages: readonly ChatMessage[]}>): number {
  const manifestFile = join(dir, RUN_MEDIA_FILE);
  const entries = new Map<string, MediaEntry>(previousEntries(manifestFile).map((e) => [e.digest, e]));
  const before = entries.size;
  let keptBytes = [...entries.values()].reduce((n, e) => n + (e.file !== null && e.bytes !== null ? e.bytes : 0), 0);
  const seen = new Set<object>();
  for (const testCase of cases) {
    // Every model and repeat of a case shares its messages: each case is read once.
    if (seen.has(testCase)) continue;
    seen.add(testCase);
    for (const part of testCase.messages.flatMap((m) => m.parts ?? [])) {
      if (part.type === 'text') continue;
      const digest = mediaDigest(part.data !== undefined ? {data: part.data} : {url: part.url!});
      if (entries.has(digest)) continue;
      const entry = describe(part, digest);
      if (entry.file !== null) {
        if (entry.bytes! > MEDIA_MAX_BYTES) Object.assign(entry, {file: null, omitted: 'large'});
        else if (keptBytes + entry.bytes! > MEDIA_RUN_MAX_BYTES) Object.assign(entry, {file: null, omitted: 'budget'});
        else {
          keep(dir, entry.file, Buffer.from(part.data!, 'base64'));
          keptBytes += entry.bytes!;
        }
      }
      entries.set(digest, entry);
    }
  }
  if (entries.size > before) writeJsonAtomic(manifestFile, {v: 1, media: [...entries.values()]});
  return entries.size;
}

function describe(part: MediaPart, digest: string): MediaEntry {
  const base = {digest, type: part.type, mediaType: part.mediaType, name: part.name};
  if (part.data === undefined) return {...base, bytes: null, file: null, url: part.url!};
  const bytes = Buffer.byteLength(part.data, 'base64');
  const ext = IMAGE_EXTENSIONS[part.mediaType];
  if (part.type === 'file' || !ext) return {...base, bytes, file: null, omitted: 'document'};
  return {...base, bytes, file: `${RUN_MEDIA_DIR}/${digest}.${ext}`};
}

/** Writes one kept image unless the same digest is there already with its size (a resume, or a case sharing it). */
function keep(dir: string, file: string, bytes: Buffer): void {
  const path = join(dir, file);
  try {
    if (existsSync(path) && statSync(path).size === bytes.byteLength) return;
    mkdirSync(join(dir, RUN_MEDIA_DIR), {recursive: true});
  } catch (error) {
    throw asWriteError(path, error);
  }
  writeFileAtomic(path, bytes);
}

/** The entries of an earlier media.json of this run (a resume); none when there is none or it is not assay's. */
function previousEntries(file: string): MediaEntry[] {
  try {
    const parsed = runMediaSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data.media : [];
  } catch {
    return [];
  }
}
