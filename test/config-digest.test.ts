import {createHash} from 'node:crypto';
import {rmSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {configDigest} from '../src/config/config-digest.ts';
import {loadConfig, type LoadedConfig} from '../src/config/load-config.ts';
import {makeProject} from './helpers.ts';

/** The digest as run.json defines it: one JSON text of the whole config, hashed at once. */
function wholeText(loaded: LoadedConfig): string {
  const suites = loaded.suites.map((s) => ({id: s.id, graders: s.graderDefs, cases: [...s.cases].map((c) => [c.id, c.messages, c.expected, c.tags])}));
  return `sha256:${createHash('sha256').update(JSON.stringify({config: loaded.config, providers: loaded.providers, suites})).digest('hex')}`;
}

const PROVIDER = 'id: sim\ntype: sandbox\nwire: openai\nmodels:\n  - {label: m1, model: m1}\n';

const INLINE = '  - {id: inline, prompt: "Echo {{w}}", cases: [{id: x, w: "1"}, {w: "two", expected: "two", tags: "t1;t2"}]}\n';

function project(inline = ''): string {
  return makeProject({
    'bench.config.yaml': `providers: [providers/p.yaml]\nconcurrency: 4\nsuites:\n  - suites/a.yaml\n${inline}  - suites/b.yaml\n`,
    'providers/p.yaml': PROVIDER,
    'suites/a.yaml': 'id: a\nsystem: "Be brief"\nprompt: "Say {{word}}"\ntags: [base]\ndataset: ../datasets/a.csv\ngraders:\n  - type: exact-match\n',
    'datasets/a.csv': 'id,word,expected,tags\n1,hi,hi,x\n2,"a, b","x ""y""",\n3,"two\nlines",z,x;y\n',
    'suites/b.yaml': 'id: b\nprompt: "Say {{word}}"\ndataset: ../datasets/b.jsonl\n',
    'datasets/b.jsonl': '{"id":"j1","word":"é","expected":{"n":1}}\n{"word":"none"}\n',
  });
}

describe('config digest', () => {
  it('is computed while the config loads, with the value of hashing the whole config as one text', async () => {
    const dir = project();
    const loaded = await loadConfig(undefined, {cwd: dir});
    const expected = wholeText(loaded);
    // Datasets gone from disk: the streamed cases are not read again for the digest.
    rmSync(join(dir, 'datasets'), {recursive: true});
    expect(configDigest(loaded)).toBe(expected);
  });

  it('is hashed again, to the same value, for a copy of the loaded config, and follows changes made after loading', async () => {
    const dir = project(INLINE);
    const loaded = await loadConfig(undefined, {cwd: dir});
    const before = configDigest(loaded);
    expect(configDigest({...loaded})).toBe(before);
    loaded.config.concurrency = 5;
    expect(configDigest(loaded)).not.toBe(before);
    expect(configDigest(loaded)).toBe(wholeText(loaded));
    const inlineCase = [...loaded.suites[1]!.cases][0]!;
    inlineCase.tags.push('edited');
    expect(configDigest(loaded)).toBe(wholeText(loaded));
    const one = {...loaded, suites: [loaded.suites[2]!]};
    expect(configDigest(one)).toBe(wholeText(one));
  });

  it('is the same whether the streamed dataset is the only suite or not', async () => {
    const dir = makeProject({
      'bench.config.yaml': 'providers: [providers/p.yaml]\nsuites: [suites/a.yaml]\n',
      'providers/p.yaml': PROVIDER,
      'suites/a.yaml': 'id: a\nprompt: "Say {{word}}"\ndataset: ../datasets/a.csv\n',
      'datasets/a.csv': `word\n${Array.from({length: 500}, (_, i) => `w${i}`).join('\n')}\n`,
    });
    const loaded = await loadConfig(undefined, {cwd: dir});
    expect(configDigest(loaded)).toBe(wholeText(loaded));
  });
});
