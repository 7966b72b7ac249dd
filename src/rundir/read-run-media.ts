import {readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {describeProblems} from './parse-stored.ts';
import {MEDIA_MAX_BYTES, MEDIA_RUN_MAX_BYTES, RUN_MEDIA_FILE, runMediaSchema, type MediaEntry} from './run-media.ts';

/** One image or file of media.json, with its kept copy's bytes (base64) when they could be read. */
export interface LoadedMedia extends MediaEntry {
  data?: string;
  /** media.json names a kept copy that is gone, unreadable or over the caps (a run directory edited by hand). */
  missing?: boolean;
}

export interface RunMedia {
  entries: Map<string, LoadedMedia>;
  /** Why media.json could not be read (the report says so and shows the markers); null when it was, or there is none. */
  problem: string | null;
}

/**
 * media.json and the kept images of a run directory, for the report. Nothing here stops a report: a
 * missing media.json is an older run (no thumbnails), a foreign one is a note, a missing image a
 * placeholder. The caps hold on reading too, so a hand-filled media/ cannot bloat the page.
 */
export function readRunMedia(dir: string): RunMedia {
  const entries = new Map<string, LoadedMedia>();
  let text: string;
  try {
    text = readFileSync(join(dir, RUN_MEDIA_FILE), 'utf8');
  } catch {
    return {entries, problem: null};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return {entries, problem: `${RUN_MEDIA_FILE} is not valid JSON (${(error as Error).message})`};
  }
  const parsed = runMediaSchema.safeParse(raw);
  if (!parsed.success) return {entries, problem: `${RUN_MEDIA_FILE} is not assay's: ${describeProblems(parsed.error)}`};
  let total = 0;
  for (const entry of parsed.data.media) {
    const loaded: LoadedMedia = {...entry};
    if (entry.file !== null) {
      const bytes = readKept(join(dir, entry.file));
      if (bytes === null || bytes.byteLength > MEDIA_MAX_BYTES || total + bytes.byteLength > MEDIA_RUN_MAX_BYTES) loaded.missing = true;
      else {
        total += bytes.byteLength;
        loaded.data = bytes.toString('base64');
      }
    }
    entries.set(entry.digest, loaded);
  }
  return {entries, problem: null};
}

function readKept(path: string): Buffer | null {
  try {
    // Size first: a huge file put there by hand is not read at all.
    return statSync(path).size > MEDIA_MAX_BYTES ? Buffer.alloc(MEDIA_MAX_BYTES + 1) : readFileSync(path);
  } catch {
    return null;
  }
}
