import {basename} from 'node:path';
import type {ContentPart} from '../core/content-parts.ts';
import {ProviderError} from './provider-error.ts';

// Text, images and files of a user turn in each API's own shape: OpenAI image_url and file parts,
// Anthropic image and document blocks, Gemini inlineData and fileData parts.

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
