import {utimesSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadConfig} from '../src/config/load-config.ts';
import {InputError} from '../src/core/errors.ts';
import {hash53, IdHashSet} from '../src/datasets/id-hash-set.ts';
import {parseCsv, parseJsonl} from '../src/datasets/load-dataset.ts';
import {datasetStamp, readDatasetRows} from '../src/datasets/read-dataset-rows.ts';
import {planRun, sampleCases} from '../src/runner/plan-tasks.ts';
import type {SuiteCase} from '../src/suites/load-suite.ts';
import {makeProject} from './helpers.ts';
import {inputErrorOf} from './input-error-of.ts';

const PROVIDER = 'id: sim\ntype: sandbox\nwire: openai\nmodels:\n  - {label: m1, model: m1}\n  - {label: m2, model: m2}\n';
const CONFIG = JSON.stringify({providers: ['providers/*.yaml'], suites: ['suites/*.yaml']});

function project(dataset: string, name = 'd.csv'): string {
  return makeProject({
    'bench.config.json': CONFIG,
    'providers/p.yaml': PROVIDER,
    'suites/s.yaml': `id: s1\nprompt: "Say {{word}}"\ndataset: ../datasets/${name}\ngraders:\n  - type: exact-match\n`,
    [`datasets/${name}`]: dataset,
  });
}

function rows(file: string, chunkBytes: number) {
  return [...readDatasetRows(file, 'd', undefined, chunkBytes)];
}

async function loadFails(dir: string): Promise<InputError> {
  const error = await loadConfig(undefined, {cwd: dir}).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

const CSV = 'id,word,expected\n1,hi,hi\n2,"a, b","x ""y"""\n3,"two\nlines",z\n\n\n4,last,1\r\n5,crlf,2\n';

describe('streamed datasets: rows read a chunk at a time', () => {
  it('gives the rows and lines of parsing the whole text, at any chunk size', () => {
    const dir = project(CSV);
    const file = join(dir, 'datasets/d.csv');
    const whole = parseCsv(CSV, 'd');
    for (const size of [1, 2, 3, 5, 8, 64, 1 << 20]) expect(rows(file, size)).toEqual(whole);
    const jsonl = '{"id":1}\n\n{"id":"two","w":"a\\nb"}\r\n  {"id":3}';
    writeFileSync(join(dir, 'datasets/d.jsonl'), jsonl);
    for (const size of [1, 4, 1 << 20]) expect(rows(join(dir, 'datasets/d.jsonl'), size)).toEqual(parseJsonl(jsonl, 'd'));
  });

  it('names the line of a bad row past the first chunk', () => {
    const dir = project(`word,expected\n${'a,a\n'.repeat(50)}b,b,extra\n`);
    const e = inputErrorOf(() => rows(join(dir, 'datasets/d.csv'), 16));
    expect(e.line).toBe(52);
    expect(e.message).toMatch(/3 fields, the header has 2/);
    writeFileSync(join(dir, 'datasets/d.jsonl'), `${'{"word":"a"}\n'.repeat(30)}{"word": \n`);
    const j = inputErrorOf(() => rows(join(dir, 'datasets/d.jsonl'), 16));
    expect(j.line).toBe(31);
    expect(j.message).toMatch(/not valid JSON/);
  });

  it('names the line where an unterminated quote opens', () => {
    const dir = project(`id,q\n${Array.from({length: 38}, (_, i) => `${i},a`).join('\n')}\n40,"open\n41,b\n`);
    for (const size of [16, 1 << 16]) {
      const e = inputErrorOf(() => rows(join(dir, 'datasets/d.csv'), size));
      expect(e.line).toBe(40);
      expect(e.message).toMatch(/Quoted field unterminated/);
    }
  });

  it('keeps a hash of each id: distinct ids are never taken for a duplicate, repeats always are', () => {
    const seen = new IdHashSet();
    for (let i = 0; i < 200_000; i++) expect(seen.add(`c${i}`)).toBe(false);
    expect(seen.add('c12345')).toBe(true);
    expect(seen.add('c199999')).toBe(true);
    expect(hash53('ab')).not.toBe(hash53('ba'));
  });

  it('refuses to read again a file that changed since it was stamped', () => {
    const dir = project('word,expected\nhi,hi\n');
    const file = join(dir, 'datasets/d.csv');
    const stamp = datasetStamp(file);
    expect([...readDatasetRows(file, 'd', stamp)]).toHaveLength(1);
    writeFileSync(file, 'word,expected\nhi,hi\nho,ho\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(inputErrorOf(() => [...readDatasetRows(file, 'd', stamp)]).message).toMatch(/changed on disk/);
  });
});

describe('a suite on a streamed dataset', () => {
  it('counts its cases up front and reads the same cases each time', async () => {
    const dir = project(CSV);
    const loaded = await loadConfig(undefined, {cwd: dir});
    const cases = loaded.suites[0]!.cases;
    expect(Array.isArray(cases)).toBe(false);
    expect(cases.length).toBe(5);
    const first = [...cases];
    expect(first.map((c) => c.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(first[1]!.messages).toEqual([{role: 'user', content: 'Say a, b'}]);
    expect([...cases]).toEqual(first);
    const plan = planRun(loaded, {repeat: 2});
    expect(plan.size).toBe(5 * 2 * 2);
    expect(plan.sizes.get('m1')).toBe(10);
    expect([...plan.tasksOf('m2')].map((t) => t.key)).toHaveLength(10);
  });

  it('refuses a duplicate id at load, naming both lines', async () => {
    const e = await loadFails(project('id,word,expected\na,x,x\nb,y,y\nc,z,z\nb,w,w\n'));
    expect(e.file).toBe('datasets/d.csv');
    expect(e.line).toBe(5);
    expect(e.message).toContain('duplicate case id "b" (first at line 3)');
  });

  it('refuses a row that does not render at load, with its line', async () => {
    const e = await loadFails(project('{"id":"a","word":"x","expected":"x"}\n{"id":"b","word":"y","expected":"y","tags":5}\n', 'd.jsonl'));
    expect(e.file).toBe('datasets/d.jsonl');
    expect(e.line).toBe(2);
    expect(e.field).toBe('tags');
  });

  it('samples the same cases as the same dataset held in memory, the same for a seed', async () => {
    const lines = Array.from({length: 200}, (_, i) => `c${i},w${i},e${i}`);
    const loaded = await loadConfig(undefined, {cwd: project(`id,word,expected\n${lines.join('\n')}\n`)});
    const streamed = loaded.suites[0]!.cases;
    const held: SuiteCase[] = [...streamed];
    const ids = (cases: Iterable<SuiteCase>) => Array.from(cases, (c) => c.id);
    const picked = sampleCases(streamed, 20, 7, 's1');
    expect(picked.length).toBe(20);
    expect(ids(picked)).toEqual(ids(sampleCases(held, 20, 7, 's1')));
    expect(ids(picked)).toEqual(ids(sampleCases(streamed, 20, 7, 's1')));
    expect(ids(picked)).not.toEqual(ids(sampleCases(streamed, 20, 8, 's1')));
    // In the dataset's order.
    expect(ids(picked)).toEqual([...ids(picked)].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
    const plan = planRun(loaded, {sample: 20, seed: 7});
    expect(plan.size).toBe(40);
    expect([...plan.tasksOf('m1')].map((t) => t.testCase.id)).toEqual(ids(picked));
  });
});
