import {readFileSync} from 'node:fs';
import {extname, resolve} from 'node:path';
import {compileTemplate, type CompiledTemplate} from '../config/render-template.ts';
import {FILE_TYPES, IMAGE_TYPES, parseDataUrl, type ContentPart, type MediaPart} from '../core/content-parts.ts';
import {InputError} from '../core/errors.ts';

type PartDef = {type: 'text'; text: string} | {type: 'image' | 'file'; path?: string; url?: string; data?: string; mediaType?: string};
type Where = {file: string; caseId: string; line?: number};

/**
 * A message's parts as a template: text, and an image or file's path, URL or data, render per case
 * (so a dataset column can name the file). Files are read when a case renders, once per path.
 */
export function compileContentParts(defs: readonly PartDef[], at: {file: string; field: string; line?: number; dir: string}): (vars: Record<string, unknown>, where: Where) => ContentPart[] {
  const bytes = new Map<string, string>();
  const parts = defs.map((def, i) => {
    const field = `${at.field}[${i}]`;
    if (def.type === 'text') {
      const text = compileTemplate(def.text, {...at, field: `${field}.text`});
      return (vars: Record<string, unknown>, where: Where): ContentPart => ({type: 'text', text: text(vars, where)});
    }
    const given = (['path', 'url', 'data'] as const).filter((k) => def[k] !== undefined);
    if (given.length !== 1) throw new InputError(`an ${def.type} part needs exactly one of path, url or data`, {file: at.file, field, line: at.line});
    const source = given[0]!;
    const render: CompiledTemplate = compileTemplate(def[source]!, {...at, field: `${field}.${source}`});
    return (vars: Record<string, unknown>, where: Where): ContentPart => media(def.type, source, render(vars, where).trim(), def.mediaType, {...where, field, dir: at.dir}, bytes);
  });
  return (vars, where) => parts.map((part) => part(vars, where));
}

function media(type: MediaPart['type'], source: 'path' | 'url' | 'data', value: string, mediaType: string | undefined, at: Where & {field: string; dir: string}, cache: Map<string, string>): MediaPart {
  const kinds = type === 'image' ? IMAGE_TYPES : FILE_TYPES;
  const allowed = Object.values(kinds);
  const fail = (message: string, hint: string) => new InputError(`case "${at.caseId}": ${message}`, {file: at.file, field: `${at.field}.${source}`, line: at.line, hint});
  const typed = (ext: string) => {
    const found = mediaType ?? kinds[ext.replace(/^\./, '').toLowerCase()];
    if (!found || !allowed.includes(found)) throw fail(`${type} ${JSON.stringify(value)} is not ${type === 'image' ? 'a PNG, JPEG, WebP or GIF image' : 'a PDF'}`, `${type}s may be ${Object.keys(kinds).join(', ')}; mediaType: names the type when the name does not`);
    return found;
  };
  if (source === 'path') {
    if (value === '') throw fail(`the ${type} path is empty`, 'the path is relative to the suite file');
    const abs = resolve(at.dir, value);
    const mt = typed(extname(value));
    let data = cache.get(abs);
    if (data === undefined) {
      try {
        data = readFileSync(abs).toString('base64');
      } catch (error) {
        throw fail(`cannot read ${type} ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, `the path is relative to the suite file (${at.dir})`);
      }
      cache.set(abs, data);
    }
    return {type, mediaType: mt, data, name: value};
  }
  const inline = parseDataUrl(value);
  if (inline) return {type, mediaType: typed(`.${Object.entries(kinds).find(([, v]) => v === inline.mediaType)?.[0] ?? inline.mediaType}`), data: inline.data, name: `${type} data`};
  if (source === 'data') {
    if (!mediaType) throw fail(`${type} data without a media type`, 'give a data: URL (data:image/png;base64,...), or base64 with mediaType');
    return {type, mediaType: typed(''), data: value, name: `${type} data`};
  }
  if (!/^https?:\/\//i.test(value)) throw fail(`${type} url ${JSON.stringify(value)} is not an http(s) or data: URL`, 'a file on disk is `path:`');
  return {type, mediaType: typed(extname(new URL(value).pathname)), url: value, name: value};
}
