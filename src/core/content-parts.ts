import {createHash} from 'node:crypto';

/**
 * A piece of a message that is not just text: an image (PNG, JPEG, WebP, GIF) or a file (PDF), as
 * base64 bytes or a URL the provider fetches. `name` is for people (the suite's path or URL).
 */
export interface MediaPart {
  type: 'image' | 'file';
  mediaType: string;
  /** Base64 bytes; absent when the part is a URL. */
  data?: string;
  url?: string;
  name: string;
}

export type ContentPart = {type: 'text'; text: string} | MediaPart;

export const IMAGE_TYPES: Readonly<Record<string, string>> = {png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif'};
export const FILE_TYPES: Readonly<Record<string, string>> = {pdf: 'application/pdf'};

/**
 * What a media part reads as in a message's text: its kind and a digest of its bytes (or URL).
 * Every wire carries the same bytes, so the sandbox, reading them back from any wire, finds the
 * same text as the suite does: the same image is the same prompt, a different one another.
 */
export function mediaMarker(type: MediaPart['type'], source: {data: string} | {url: string}): string {
  return `[${type} ${mediaDigest(source)}]`;
}

/** 12 hex digits of the SHA-256 of a part's bytes (or its URL): the marker's digest, and the name of its kept copy in a run directory. */
export function mediaDigest(source: {data: string} | {url: string}): string {
  return createHash('sha256').update('data' in source ? Buffer.from(source.data, 'base64') : source.url).digest('hex').slice(0, 12);
}

/** A message's text with its media as markers, in order. */
export function partsText(parts: readonly ContentPart[]): string {
  return parts.map((p) => (p.type === 'text' ? p.text : mediaMarker(p.type, p.data !== undefined ? {data: p.data} : {url: p.url!}))).join('');
}

/** A data: URL's media type and base64 bytes, or null when it is not one. */
export function parseDataUrl(url: string): {mediaType: string; data: string} | null {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? {mediaType: m[1]!, data: m[2]!} : null;
}
