import {describe, expect, it} from 'vitest';
import type {GraderDef} from '../src/config/schema.ts';
import {createGrader, graderContext} from '../src/graders/create-grader.ts';
import {custom} from '../src/graders/custom.ts';
import type {GradeInput} from '../src/graders/grader.ts';
import {extractNumber, parseNumber} from '../src/graders/numeric.ts';
import {levenshtein} from '../src/graders/similarity.ts';
import {makeProject} from './helpers.ts';

const make = (def: GraderDef) => createGrader(def, graderContext('suite.yaml'));
const input = (output: string, expected: string | null = null, extra: Partial<GradeInput> = {}): GradeInput => ({output, expected, vars: {}, caseId: 'c1', latencyMs: 120, costUsd: 0.002, input: 'q', ...extra});

describe('numeric', () => {
  it.each([
    ['Natalia sold 48 clips in April and 24 in May.\n#### 72', 72, '####'],
    ['Reasoning... ANSWER: 1,234.5', 1234.5, 'ANSWER:'],
    ['so the total is \\boxed{ -17 }.', -17, '\\boxed{}'],
    ['It costs $1,250 and then $2,500 in total', 2500, 'last number'],
    ['The result is −3.25', -3.25, 'last number'],
    ['answer: 12%', 12, 'ANSWER:'],
    ['about 12% of them, so 7 left', 7, 'last number'],
  ])('extracts %j', (text, value, via) => {
    expect(extractNumber(text)).toEqual({value, via});
  });

  it('parses separators and currency but not garbage', () => {
    expect(parseNumber('€1,000,000')).toBe(1_000_000);
    expect(parseNumber('1,00')).toBeNull();
    expect(parseNumber('12abc')).toBeNull();
  });

  it('compares with absolute and relative tolerance', async () => {
    const exact = await make({type: 'numeric', absTol: 1e-9, relTol: 0});
    expect((await exact.grade(input('#### 72', '72'))).pass).toBe(true);
    expect((await exact.grade(input('#### 72.5', '72'))).pass).toBe(false);
    const loose = await make({type: 'numeric', absTol: 0, relTol: 0.01});
    expect((await loose.grade(input('ANSWER: 1005', '1000'))).pass).toBe(true);
    expect((await loose.grade(input('ANSWER: 1011', '1000'))).pass).toBe(false);
    const none = await exact.grade(input('I cannot say.', '72'));
    expect(none).toMatchObject({pass: false, score: 0});
    expect(none.reason).toContain('no number found');
  });

  it('rejects a non-numeric expected value at load time', async () => {
    const g = await make({type: 'numeric', absTol: 0, relTol: 0});
    expect(() => g.check!({vars: {}, expected: 'seventy', caseId: 'c2'}, {file: 'd.csv', line: 3})).toThrow(/not a number/);
  });
});

describe('substring family', () => {
  it('not-contains, contains-any, contains-all, starts-with', async () => {
    const not = await make({type: 'not-contains', value: ['sorry', 'as an AI'], caseSensitive: false});
    expect((await not.grade(input('Sure, here it is'))).pass).toBe(true);
    expect((await not.grade(input('Sorry, I cannot'))).pass).toBe(false);
    const any = await make({type: 'contains-any', value: ['Paris', 'Lyon'], caseSensitive: true});
    expect((await any.grade(input('It is Lyon.'))).pass).toBe(true);
    const all = await make({type: 'contains-all', value: ['name', 'age', 'city'], caseSensitive: true});
    const partial = await all.grade(input('{"name": 1, "age": 2}'));
    expect(partial).toMatchObject({pass: false});
    expect(partial.score).toBeCloseTo(2 / 3);
    expect(partial.reason).toContain('"city"');
    const starts = await make({type: 'starts-with', value: 'Yes', caseSensitive: true});
    expect((await starts.grade(input('  Yes, it is.'))).pass).toBe(true);
    expect((await starts.grade(input('Well, yes'))).pass).toBe(false);
  });
});

describe('similarity, length, latency and cost bounds', () => {
  it('levenshtein distance and a similarity threshold', async () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    const g = await make({type: 'similarity', threshold: 0.8, normalize: 'trim'});
    const near = await g.grade(input('The quick brown fox', 'The quick brown fix'));
    expect(near.pass).toBe(true);
    expect(near.score).toBeCloseTo(1 - 1 / 19);
    expect((await g.grade(input('Something else entirely', 'The quick brown fox'))).pass).toBe(false);
  });

  it('length bounds in words and characters', async () => {
    const words = await make({type: 'length', max: 3, unit: 'words'});
    expect((await words.grade(input('one two three'))).pass).toBe(true);
    expect((await words.grade(input('one two three four'))).pass).toBe(false);
    const chars = await make({type: 'length', min: 5, unit: 'chars'});
    expect((await chars.grade(input('abc'))).pass).toBe(false);
  });

  it('latency and cost bounds per case; unknown cost is unscored, not failed', async () => {
    expect((await (await make({type: 'latency', maxMs: 100})).grade(input('x'))).pass).toBe(false);
    expect((await (await make({type: 'cost', maxUsd: 0.01})).grade(input('x'))).pass).toBe(true);
    const unknown = await (await make({type: 'cost', maxUsd: 0.01})).grade(input('x', null, {costUsd: null}));
    expect(unknown).toMatchObject({unscored: true, pass: null, score: null});
  });
});

describe('json-schema', () => {
  const schema = {type: 'object', required: ['name', 'age'], properties: {name: {type: 'string'}, age: {type: 'integer', minimum: 0}}, additionalProperties: false};

  it('validates inline schemas and lists every error', async () => {
    const g = await make({type: 'json-schema', schema});
    expect((await g.grade(input('{"name": "Ann", "age": 31}'))).pass).toBe(true);
    const bad = await g.grade(input('{"name": 5, "age": -1, "extra": true}'));
    expect(bad.pass).toBe(false);
    expect(bad.reason).toContain('/name must be string');
    expect(bad.reason).toContain('/age must be >= 0');
    expect(bad.reason).toContain('additional properties');
    expect((await g.grade(input('{"name": "Ann",'))).reason).toMatch(/not valid JSON/);
  });

  it('reads a schema file relative to the suite', async () => {
    const dir = makeProject({'schemas/person.json': JSON.stringify(schema)});
    const g = await createGrader({type: 'json-schema', schemaFile: 'schemas/person.json'}, graderContext(`${dir}/suite.yaml`));
    expect((await g.grade(input('{"name": "A", "age": 2}'))).pass).toBe(true);
  });
});

describe('custom graders', () => {
  it('accepts numbers, booleans and objects', async () => {
    expect(await custom(() => 0.9, 'n').grade(input('x'))).toMatchObject({score: 0.9, pass: true});
    expect(await custom(() => false, 'b').grade(input('x'))).toMatchObject({score: 0, pass: false});
    expect(await custom(async ({output}) => ({score: output.length / 10, reason: 'by length'}), 'o').grade(input('abcde'))).toMatchObject({score: 0.5, pass: true, reason: 'by length'});
  });

  it('turns an exception into a visible unscored grade, not a crash or a 0', async () => {
    const g = await custom(() => {
      throw new Error('grader bug: cannot read foo');
    }, 'buggy').grade(input('x'));
    expect(g).toMatchObject({unscored: true, score: null, pass: null});
    expect(g.reason).toContain('grader bug: cannot read foo');
  });

  it('loads a function from a TypeScript module', async () => {
    const dir = makeProject({'graders/has-answer.ts': 'export function hasAnswer({output}: {output: string}): boolean { return output.includes("42"); }\n'});
    const g = await createGrader({type: 'custom', module: 'graders/has-answer.ts', export: 'hasAnswer'}, graderContext(`${dir}/suite.yaml`));
    expect((await g.grade(input('it is 42'))).pass).toBe(true);
  });
});
