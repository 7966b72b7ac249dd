import {resolve} from 'node:path';
import {partsText} from '../core/content-parts.ts';
import {InputError} from '../core/errors.ts';
import type {ChatMessage} from '../core/types.ts';
import type {SkippedRequest, TrafficRequest} from './traffic-request.ts';

/**
 * Built-in patterns for `--scrub NAME`; each match becomes [NAME]. Applied in this order, most
 * specific first, so a card number is not half-taken for a phone number.
 */
export const SCRUB_PATTERNS: Record<string, RegExp> = {
  email: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  // A card number: 13 to 19 digits, optionally grouped by spaces or dashes.
  card: /\b(?:\d[ -]?){12,18}\d\b/g,
  ssn: /\b\d{3}-\d{2}-\d{4}\b/g,
  ipv4: /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g,
  phone: /(?<![\w+])\+?\d{1,3}[ .-]?\(?\d{2,4}\)?[ .-]?\d{3,4}[ .-]?\d{3,4}\b/g,
};

export type ScrubFn = (text: string) => string | Promise<string>;

export interface ScrubOptions {
  /** Built-in pattern names (SCRUB_PATTERNS), or "all". */
  builtIn?: string[];
  /** Extra regular expressions (source text); matches become [REDACTED]. */
  patterns?: string[];
  /** A module whose default export is (text) => text, run after the patterns. */
  module?: string;
  cwd?: string;
}

/** The scrubber `opts` describe, or null when nothing is to be scrubbed. Bad names and patterns are input errors. */
export async function createScrubber(opts: ScrubOptions): Promise<ScrubFn | null> {
  const asked = new Set((opts.builtIn ?? []).flatMap((n) => (n === 'all' ? Object.keys(SCRUB_PATTERNS) : [n])));
  for (const name of asked) {
    if (!SCRUB_PATTERNS[name]) throw new InputError(`--scrub ${name}: no such built-in pattern`, {hint: `use one of ${Object.keys(SCRUB_PATTERNS).join(', ')}, all, or --scrub-pattern REGEX`});
  }
  const names = Object.keys(SCRUB_PATTERNS).filter((name) => asked.has(name));
  const custom = (opts.patterns ?? []).map((source) => {
    try {
      return new RegExp(source, 'g');
    } catch (error) {
      throw new InputError(`--scrub-pattern ${JSON.stringify(source)} is not a regular expression: ${(error as Error).message}`, {hint: 'write a JavaScript regular expression, without slashes'});
    }
  });
  let fn: ScrubFn | null = null;
  if (opts.module) {
    const path = resolve(opts.cwd ?? process.cwd(), opts.module);
    const {createJiti} = await import('jiti');
    const mod = (await createJiti(import.meta.url, {moduleCache: false}).import(path).catch((error: Error) => {
      throw new InputError(`--scrub-module ${opts.module} could not be loaded: ${error.message}`, {file: opts.module, hint: 'export default a function (text: string) => string'});
    })) as {default?: unknown};
    if (typeof mod.default !== 'function') throw new InputError(`--scrub-module ${opts.module} has no default export function`, {file: opts.module, hint: 'export default (text: string) => text.replace(...)'});
    fn = mod.default as ScrubFn;
  }
  if (names.length === 0 && custom.length === 0 && !fn) return null;
  return async (text: string) => {
    let out = text;
    for (const name of names) out = out.replace(SCRUB_PATTERNS[name]!, `[${name.toUpperCase()}]`);
    for (const re of custom) out = out.replace(re, '[REDACTED]');
    return fn ? String(await fn(out)) : out;
  };
}

/** Every string inside a value (a tool call's arguments), scrubbed; the structure kept. */
async function scrubValue(value: unknown, scrub: ScrubFn): Promise<unknown> {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return Promise.all(value.map((v) => scrubValue(v, scrub)));
  if (value && typeof value === 'object') return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await scrubValue(v, scrub)] as const)));
  return value;
}

/** A message's text, its text parts (what a provider is sent when it has images) and its tool calls' arguments. */
async function scrubMessage(m: ChatMessage, scrub: ScrubFn): Promise<ChatMessage> {
  const out: ChatMessage = {...m, content: await scrub(m.content)};
  if (m.parts) {
    out.parts = await Promise.all(m.parts.map(async (p) => (p.type === 'text' ? {...p, text: await scrub(p.text)} : p)));
    // The text is the parts' text with media markers: rebuilt, so a pattern never eats into a marker.
    out.content = partsText(out.parts);
  }
  if (m.toolCalls) out.toolCalls = await Promise.all(m.toolCalls.map(async (c) => ({...c, arguments: (await scrubValue(c.arguments, scrub)) as typeof c.arguments})));
  return out;
}

/**
 * Scrubs every text that could reach a provider or a file: the messages, the expected value and the
 * logged answer. Runs before anything is sent or written, so the journal only ever holds scrubbed text.
 */
export async function scrubRequests(requests: readonly TrafficRequest[], scrub: ScrubFn): Promise<TrafficRequest[]> {
  return Promise.all(
    requests.map(async (r) => ({
      ...r,
      messages: await Promise.all(r.messages.map((m) => scrubMessage(m, scrub))),
      expected: r.expected === null ? null : await scrub(r.expected),
      logged: r.logged ? {...r.logged, output: await scrub(r.logged.output)} : r.logged,
    })),
  );
}

/** Keeps the first of requests with the same conversation; the rest are reported as duplicates. */
export function dedupeRequests(requests: readonly TrafficRequest[]): {requests: TrafficRequest[]; skipped: SkippedRequest[]} {
  const first = new Map<string, string>();
  const kept: TrafficRequest[] = [];
  const skipped: SkippedRequest[] = [];
  for (const r of requests) {
    const key = JSON.stringify(r.messages);
    const original = first.get(key);
    if (original !== undefined) skipped.push({line: r.line, id: r.id, reason: `same conversation as ${original} (--dedupe)`});
    else {
      first.set(key, r.id);
      kept.push(r);
    }
  }
  return {requests: kept, skipped};
}
