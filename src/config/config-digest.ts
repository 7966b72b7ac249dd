import {createHash, type Hash} from 'node:crypto';

/** What the digest covers: the loaded config's parts, structurally (so this module imports no loader). */
interface DigestedConfig {
  config: unknown;
  providers: unknown;
  suites: readonly DigestedSuite[];
}
interface DigestedSuite {
  id: string;
  graderDefs: unknown;
  cases: Iterable<DigestedCase>;
}
interface DigestedCase {
  id: string;
  messages: unknown;
  expected: string | null;
  tags: string[];
}

const json = (value: unknown) => JSON.stringify(value) ?? 'null';
const suiteHead = (s: {id: string; graderDefs: unknown}, i: number) => `${i > 0 ? ',' : ''}{"id":${json(s.id)},${s.graderDefs === undefined ? '' : `"graders":${json(s.graderDefs)},`}"cases":[`;

/**
 * The config digest in run.json: sha256 of
 * `JSON.stringify({config, providers, suites: [{id, graders, cases: [[id, messages, expected, tags]]}]})`,
 * fed to the hash piece by piece (a million cases never become one string). Each piece is fed in
 * that order, so the value is the same however it is computed.
 *
 * Loading computes it on the way (ConfigDigestWriter, fed by the pass that checks every case), so a
 * run does not read and render a streamed dataset once more only to hash it; `configDigest` falls
 * back to hashing the cases again when the loaded config is not the one that was digested while
 * loading, or when its config, providers or suites changed since.
 */
export function configDigest(loaded: DigestedConfig): string {
  const known = digestedWhileLoading.get(loaded);
  if (known && known.matches(loaded)) return known.value;
  const hash = createHash('sha256');
  hash.update(`{"config":${json(loaded.config)},"providers":${json(loaded.providers)},"suites":[`);
  loaded.suites.forEach((s, i) => {
    hash.update(suiteHead(s, i));
    let j = 0;
    for (const c of s.cases) hash.update(`${j++ > 0 ? ',' : ''}${json([c.id, c.messages, c.expected, c.tags])}`);
    hash.update(']}');
  });
  hash.update(']}');
  return `sha256:${hash.digest('hex')}`;
}

/** Digests remembered by the loaded config they were computed for. */
const digestedWhileLoading = new WeakMap<object, {value: string; matches: (loaded: DigestedConfig) => boolean}>();

/**
 * The digest fed while a config loads: the config and providers first, then each suite's head and
 * its cases in order as the loading pass checks them. `finish` remembers the value for that loaded
 * config, with what it covered (the config's and providers' JSON, each suite, its cases object), so
 * `configDigest` can tell whether it still holds.
 */
export class ConfigDigestWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly head: string;
  private suites = 0;
  private cases = 0;

  constructor(config: unknown, providers: unknown) {
    this.head = `{"config":${json(config)},"providers":${json(providers)},"suites":[`;
    this.hash.update(this.head);
  }

  beginSuite(id: string, graderDefs: unknown): void {
    if (this.suites > 0) this.hash.update(']}');
    this.hash.update(suiteHead({id, graderDefs}, this.suites++));
    this.cases = 0;
  }

  addCase(c: DigestedCase): void {
    this.hash.update(`${this.cases++ > 0 ? ',' : ''}${json([c.id, c.messages, c.expected, c.tags])}`);
  }

  /** Ends the digest and remembers it for `loaded` (whose suites must be the ones begun, in order). */
  finish(loaded: DigestedConfig): void {
    if (this.suites > 0) this.hash.update(']}');
    this.hash.update(']}');
    const value = `sha256:${this.hash.digest('hex')}`;
    if (loaded.suites.length !== this.suites) return;
    const head = this.head;
    const suites = loaded.suites.map((s) => ({suite: s, cases: s.cases, head: suiteHead(s, 0)}));
    digestedWhileLoading.set(loaded, {
      value,
      // Cases held in memory (inline, JSON datasets) could have been edited in place by a library
      // caller: those are cheap to hash again, so only streamed cases (read from disk, checked
      // unchanged when read) are trusted to be what was hashed.
      matches: (now) =>
        `{"config":${json(now.config)},"providers":${json(now.providers)},"suites":[` === head &&
        now.suites.length === suites.length &&
        now.suites.every((s, i) => s === suites[i]!.suite && s.cases === suites[i]!.cases && !Array.isArray(s.cases) && suiteHead(s, 0) === suites[i]!.head),
    });
  }
}
