import type {RunMedia} from '../rundir/read-run-media.ts';
import {IMAGE_EXTENSIONS, MEDIA_MAX_BYTES, MEDIA_RUN_MAX_BYTES} from '../rundir/run-media.ts';

/**
 * What the page shows for one `[image <digest>]` or `[file <digest>]` marker: a thumbnail (`src`, a
 * data: URL of an image type, the only kind of image the report's CSP loads), a link to a URL that is
 * never fetched, or a labelled placeholder (`note`).
 */
export interface ReportMedia {
  type: 'image' | 'file';
  name: string;
  src?: string;
  url?: string;
  note?: string;
}

export const MEDIA_MARKER = /\[(image|file) ([0-9a-f]{12})\]/g;

const kib = (bytes: number | null) => (bytes === null ? '' : bytes < 1024 ? `${bytes} B` : `${Math.round(bytes / 1024)} KiB`);

/** The media the shown inputs name, by digest: only those, so a run's other images add nothing to the page. */
export function reportMedia(media: RunMedia | undefined, inputs: Iterable<string>): Record<string, ReportMedia> {
  const out: Record<string, ReportMedia> = {};
  if (!media || media.entries.size === 0) return out;
  for (const input of inputs) {
    if (!input.includes('[')) continue;
    for (const [, , digest] of input.matchAll(MEDIA_MARKER)) {
      if (digest! in out) continue;
      const e = media.entries.get(digest!);
      if (!e) continue;
      const item: ReportMedia = {type: e.type, name: e.name};
      const kind = e.type === 'file' ? 'PDF' : 'image';
      if (e.url !== undefined) item.url = e.url;
      else if (e.data !== undefined && IMAGE_EXTENSIONS[e.mediaType] && /^[A-Za-z0-9+/]*={0,2}$/.test(e.data)) item.src = `data:${e.mediaType};base64,${e.data}`;
      else if (e.missing) item.note = `${kind} missing from the run directory (${e.file})`;
      else if (e.omitted === 'document') item.note = `${kind}, ${kib(e.bytes)}: not kept in the run directory`;
      else if (e.omitted === 'large') item.note = `${kind}, ${kib(e.bytes)}: over the ${kib(MEDIA_MAX_BYTES)} kept per image`;
      else if (e.omitted === 'budget') item.note = `${kind}, ${kib(e.bytes)}: past the run's ${MEDIA_RUN_MAX_BYTES / 2 ** 20} MiB of kept images`;
      else item.note = `${kind} not kept`;
      out[digest!] = item;
    }
  }
  return out;
}
