import {basename} from 'node:path';
import type {ContentPart} from '../core/content-parts.ts';
import {ProviderError} from './provider-error.ts';

// Text, images and files of a user turn in each API's own shape: OpenAI image_url and file parts,
// Anthropic image and document blocks, Gemini inlineData and fileData parts, Bedrock Converse image
// and document blocks.

const dataUrl = (p: {mediaType: string; data?: string}) => `data:${p.mediaType};base64,${p.data}`;

export function openaiParts(parts: readonly ContentPart[]): Array<Record<string, unknown>> {
  return parts.map((p) => {
    if (p.type === 'text') return {type: 'text', text: p.text};
    if (p.type === 'image') return {type: 'image_url', image_url: {url: p.data !== undefined ? dataUrl(p) : p.url}};
    if (p.data === undefined) {
      throw new ProviderError('bad-request', `OpenAI chat completions take a file as data, not a URL (${p.name})`, {hint: 'give the file as `path:` (read and sent as data) instead of `url:`', retryable: false});
    }
    return {type: 'file', file: {filename: basename(p.name) || 'file.pdf', file_data: dataUrl(p)}};
  });
}

export function anthropicBlocks(parts: readonly ContentPart[]): Array<Record<string, unknown> & {type: string}> {
  return parts.map((p) => {
    if (p.type === 'text') return {type: 'text', text: p.text};
    const source = p.data !== undefined ? {type: 'base64', media_type: p.mediaType, data: p.data} : {type: 'url', url: p.url};
    return {type: p.type === 'image' ? 'image' : 'document', source};
  });
}

export function geminiMediaParts(parts: readonly ContentPart[]): Array<Record<string, unknown>> {
  return parts.map((p) => {
    if (p.type === 'text') return {text: p.text};
    return p.data !== undefined ? {inlineData: {mimeType: p.mediaType, data: p.data}} : {fileData: {fileUri: p.url, mimeType: p.mediaType}};
  });
}

const CONVERSE_IMAGE_FORMATS: Readonly<Record<string, string>> = {'image/png': 'png', 'image/jpeg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp'};

/**
 * Bedrock Converse content blocks: `{text}`, `{image: {format, source}}`, `{document: {format, name,
 * source}}`. Bytes travel base64 in the JSON body; a URL can only be an s3:// location (Converse
 * fetches nothing else), so an http(s) URL is refused before sending, as a bad request.
 */
export function converseBlocks(parts: readonly ContentPart[]): Array<Record<string, unknown>> {
  return parts.map((p) => {
    if (p.type === 'text') return {text: p.text};
    let source: Record<string, unknown>;
    if (p.data !== undefined) source = {bytes: p.data};
    else if (p.url!.startsWith('s3://')) source = {s3Location: {uri: p.url}};
    else {
      throw new ProviderError('bad-request', `Bedrock Converse takes an ${p.type === 'image' ? 'image' : 'file'} as bytes or an s3:// location, not a URL (${p.name})`, {hint: 'give it as `path:` (read and sent as bytes) instead of `url:`', retryable: false});
    }
    if (p.type === 'image') return {image: {format: CONVERSE_IMAGE_FORMATS[p.mediaType] ?? p.mediaType.replace(/^image\//, ''), source}};
    return {document: {format: 'pdf', name: documentName(p.name), source}};
  });
}

/** Converse allows letters, digits, single spaces, hyphens, parentheses and square brackets in a document's name. */
function documentName(name: string): string {
  const clean = basename(name).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9\s\-()[\]]/g, '-').replace(/\s+/g, ' ').trim();
  return clean || 'document';
}
