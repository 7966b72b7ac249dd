import {describe, expect, it} from 'vitest';
import {InputError} from '../src/core/errors.ts';
import {createGrader as create, graderContext} from '../src/graders/create-grader.ts';
import type {GraderDef} from '../src/config/schema.ts';

const createGrader = (def: GraderDef, file: string) => create(def, graderContext(file));
import type {GradeInput} from '../src/graders/grader.ts';
import {normalize} from '../src/graders/normalize.ts';

const input = (output: string, expected: string | null = null, vars: Record<string, unknown> = {}): GradeInput => ({output, expected, vars, caseId: 'c1', latencyMs: 10, costUsd: 0, input: 'q'});

describe('exact-match', () => {
  it('normalises by trim by default and by squad on request', async () => {
    const trim = await createGrader({type: 'exact-match', normalize: 'trim'}, 's.yaml');
    expect((await trim.grade(input('  42\n', '42'))).pass).toBe(true);
    expect((await trim.grade(input('The answer is 42.', '42'))).pass).toBe(false);
    const none = await createGrader({type: 'exact-match', normalize: 'none'}, 's.yaml');
    expect((await none.grade(input(' 42', '42'))).pass).toBe(false);
    const squad = await createGrader({type: 'exact-match', normalize: 'squad'}, 's.yaml');
    expect((await squad.grade(input('The Eiffel Tower!', 'eiffel tower'))).pass).toBe(true);
  });

  it('accepts any of several templated references and explains a miss', async () => {
    const g = await createGrader({type: 'exact-match', normalize: 'trim', expected: ['{{a}}', '{{b}}']}, 's.yaml');
    expect((await g.grade(input('y', null, {a: 'x', b: 'y'}))).pass).toBe(true);
    const miss = await g.grade(input('z', null, {a: 'x', b: 'y'}));
    expect(miss).toMatchObject({pass: false, score: 0});
    expect(miss.reason).toContain('"x" or "y"');
  });

  it('refuses a case with no expected value at load time', async () => {
    const g = await createGrader({type: 'exact-match', normalize: 'trim'}, 's.yaml');
    expect(() => g.check!({vars: {}, expected: null, caseId: 'c9'}, {file: 'd.csv', line: 4})).toThrow(InputError);
  });
});

describe('contains, regex, json-valid', () => {
  it('contains honours case sensitivity', async () => {
    const sensitive = await createGrader({type: 'contains', value: 'Paris', caseSensitive: true}, 's');
    const insensitive = await createGrader({type: 'contains', value: 'Paris', caseSensitive: false}, 's');
    expect((await sensitive.grade(input('it is paris'))).pass).toBe(false);
    expect((await insensitive.grade(input('it is paris'))).pass).toBe(true);
  });

  it('regex ignores the stateful g flag and rejects invalid patterns', async () => {
    const g = await createGrader({type: 'regex', pattern: '^\\d{4}-\\d{2}$', flags: 'g'}, 's');
    expect((await g.grade(input('2026-11'))).pass).toBe(true);
    expect((await g.grade(input('2026-11'))).pass).toBe(true);
    await expect(createGrader({type: 'regex', pattern: '('}, 's')).rejects.toThrow(/invalid regular expression/);
  });

  it('json-valid accepts plain JSON and a single fence, rejects the rest', async () => {
    const g = await createGrader({type: 'json-valid'}, 's');
    expect((await g.grade(input('{"a": 1}'))).pass).toBe(true);
    const fenced = await g.grade(input('```json\n{"a": 1}\n```'));
    expect(fenced.pass).toBe(true);
    expect(fenced.reason).toContain('fence');
    expect((await g.grade(input('{"a": 1'))).pass).toBe(false);
    expect((await g.grade(input('Here you go: {"a": 1}'))).pass).toBe(false);
  });
});

describe('normalize', () => {
  it('squad drops articles, punctuation and case', () => {
    expect(normalize('  The  Answer, is: A cat! ', 'squad')).toBe('answer is cat');
  });
});
