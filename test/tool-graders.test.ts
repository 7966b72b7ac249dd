import {describe, expect, it} from 'vitest';
import {graderSchema} from '../src/config/schema.ts';
import {InputError} from '../src/core/errors.ts';
import type {ToolCall, ToolDef} from '../src/core/types.ts';
import {createGrader, graderContext} from '../src/graders/create-grader.ts';
import type {GradeInput, Grader} from '../src/graders/grader.ts';

const TOOLS: ToolDef[] = [
  {name: 'get_weather', parameters: {type: 'object', properties: {city: {type: 'string'}, unit: {type: 'string', enum: ['celsius', 'fahrenheit']}}, required: ['city'], additionalProperties: false}},
  {name: 'convert', parameters: {type: 'object', properties: {amount: {type: 'number'}, from: {type: 'string'}, to: {type: 'string'}}, required: ['amount', 'from', 'to']}},
];

/** A grader as a suite file defines it: parsed by the suite schema (defaults applied), with the suite's tools. */
async function grader(def: Record<string, unknown>, tools: ToolDef[] = TOOLS): Promise<Grader> {
  return createGrader(graderSchema.parse(def), graderContext('s.yaml', {tools}));
}

const input = (toolCalls: ToolCall[], vars: Record<string, unknown> = {}): GradeInput => ({output: '', toolCalls, expected: null, vars, caseId: 'c1', latencyMs: 10, costUsd: 0, input: 'q'});
const paris = {name: 'get_weather', arguments: {city: 'Paris'}};

describe('tool-call', () => {
  it('exact: the named tool with exactly the expected arguments', async () => {
    const g = await grader({type: 'tool-call', name: 'get_weather', arguments: {city: 'Paris'}});
    expect(await g.grade(input([paris]))).toMatchObject({pass: true, score: 1});
    const extra = await g.grade(input([{name: 'get_weather', arguments: {city: 'Paris', unit: 'celsius'}}]));
    expect(extra).toMatchObject({pass: false, score: 0});
    expect(extra.reason).toContain('unexpected unit');
    const wrong = await g.grade(input([{name: 'get_weather', arguments: {city: 'Lyon'}}]));
    expect(wrong.reason).toBe('get_weather: city is "Lyon", expected "Paris"');
    expect((await g.grade(input([]))).reason).toBe('no call to get_weather (got no call)');
    expect((await g.grade(input([{name: 'convert', arguments: {amount: 1, from: 'EUR', to: 'USD'}}]))).pass).toBe(false);
  });

  it('any matching call among several passes; arguments that are not JSON fail with what was sent', async () => {
    const g = await grader({type: 'tool-call', name: 'get_weather', arguments: {city: 'Paris'}});
    expect((await g.grade(input([{name: 'get_weather', arguments: {city: 'Rome'}}, paris]))).pass).toBe(true);
    const broken = await g.grade(input([{name: 'get_weather', arguments: '{"city": "Par'}]));
    expect(broken).toMatchObject({pass: false});
    expect(broken.reason).toContain('not a JSON object');
  });

  it('subset: the expected arguments among others', async () => {
    const g = await grader({type: 'tool-call', name: 'get_weather', arguments: {city: 'Paris'}, match: 'subset'});
    expect((await g.grade(input([{name: 'get_weather', arguments: {city: 'Paris', unit: 'celsius'}}]))).pass).toBe(true);
    expect((await g.grade(input([{name: 'get_weather', arguments: {unit: 'celsius'}}]))).reason).toBe('get_weather: city is missing (expected "Paris")');
  });

  it('schema: any arguments the tool\'s parameters accept', async () => {
    const g = await grader({type: 'tool-call', name: 'get_weather', match: 'schema'});
    expect((await g.grade(input([{name: 'get_weather', arguments: {city: 'Anywhere'}}]))).pass).toBe(true);
    const bad = await g.grade(input([{name: 'get_weather', arguments: {city: 'Paris', unit: 'kelvin'}}]));
    expect(bad.pass).toBe(false);
    expect(bad.reason).toContain('/unit must be equal to one of the allowed values');
    expect((await g.grade(input([{name: 'get_weather', arguments: {}}]))).reason).toContain("must have required property 'city'");
  });

  it('name: null (or a name that renders empty) expects no call', async () => {
    const none = await grader({type: 'tool-call', name: null});
    expect(await none.grade(input([]))).toMatchObject({pass: true, reason: 'no call, as expected'});
    expect((await none.grade(input([paris]))).reason).toBe('called get_weather({"city":"Paris"}) where no call was expected');
    const templated = await grader({type: 'tool-call', name: '{{tool}}', arguments: '{{args}}'});
    expect((await templated.grade(input([], {tool: '', args: null}))).pass).toBe(true);
    expect((await templated.grade(input([paris], {tool: 'get_weather', args: {city: 'Paris'}}))).pass).toBe(true);
    expect(none.toolReference!({vars: {}, expected: null, caseId: 'c'})).toEqual([]);
  });

  it('argument templates: text typed by the tool schema ("250" is 250 where it says number), a lone placeholder keeps its value', async () => {
    const g = await grader({type: 'tool-call', name: 'convert', arguments: {amount: '{{amount}}', from: '{{from}}', to: 'JPY'}});
    const call = {name: 'convert', arguments: {amount: 250, from: 'EUR', to: 'JPY'}};
    expect((await g.grade(input([call], {amount: '250', from: 'EUR'}))).pass).toBe(true);
    expect((await g.grade(input([call], {amount: 250, from: 'EUR'}))).pass).toBe(true);
    expect((await g.grade(input([{...call, arguments: {...call.arguments, amount: '250'}}], {amount: '250', from: 'EUR'}))).pass).toBe(false);
    expect(g.toolReference!({vars: {amount: '250', from: 'EUR'}, expected: null, caseId: 'c'})).toEqual([call]);
  });

  it('refuses at load time: an unknown tool, arguments beside match: schema, a suite without tools, a missing variable', async () => {
    await expect(grader({type: 'tool-call', name: 'get_wether'})).resolves.toBeDefined();
    const typo = await grader({type: 'tool-call', name: 'get_wether'});
    expect(() => typo.check!({vars: {}, expected: null, caseId: 'c1'}, {file: 'd.csv', line: 3})).toThrow(/expects a call to "get_wether", which is not one of the suite's tools/);
    await expect(grader({type: 'tool-call', name: 'get_weather', match: 'schema', arguments: {city: 'x'}})).rejects.toThrow(InputError);
    await expect(grader({type: 'tool-call', name: 'get_weather'}, [])).rejects.toThrow(/needs the suite to offer `tools`/);
    const templated = await grader({type: 'tool-call', name: 'get_weather', arguments: {city: '{{city}}'}});
    expect(() => templated.check!({vars: {}, expected: null, caseId: 'c2'}, {file: 'd.csv', line: 4})).toThrow(/no value for template variable "city"/);
  });
});

describe('tool-calls (F1)', () => {
  const oslo = {name: 'get_weather', arguments: {city: 'Oslo'}};
  const fx = {name: 'convert', arguments: {amount: 5, from: 'EUR', to: 'USD'}};

  it('scores F1 over the calls, in any order by default', async () => {
    const g = await grader({type: 'tool-calls', calls: [oslo, fx]});
    expect(await g.grade(input([fx, oslo]))).toMatchObject({score: 1, pass: true});
    // one of two expected, and one other: precision 1/2, recall 1/2
    const half = await g.grade(input([oslo, paris]));
    expect(half).toMatchObject({score: 0.5, pass: false});
    expect(half.reason).toMatch(/^1 of 2 expected calls made, 1 other \(F1 0\.50\)/);
    // one of two, nothing else: precision 1, recall 1/2, F1 2/3
    expect((await g.grade(input([oslo]))).score).toBeCloseTo(2 / 3, 6);
    expect((await g.grade(input([]))).score).toBe(0);
  });

  it('each call counts once: the same call twice is one hit and one extra', async () => {
    const g = await grader({type: 'tool-calls', calls: [oslo]});
    expect((await g.grade(input([oslo, oslo]))).score).toBeCloseTo(2 / 3, 6);
  });

  it('pairs calls so that the most expected ones are matched (a greedy first pick would lose one)', async () => {
    // subset: {city: Oslo} fits either made call; {city: Oslo, unit: celsius} fits only the first.
    const g = await grader({type: 'tool-calls', calls: [{name: 'get_weather', arguments: {city: 'Oslo'}}, {name: 'get_weather', arguments: {city: 'Oslo', unit: 'celsius'}}], match: 'subset'});
    const made = [{name: 'get_weather', arguments: {city: 'Oslo', unit: 'celsius'}}, {name: 'get_weather', arguments: {city: 'Oslo', unit: 'fahrenheit'}}];
    expect((await g.grade(input(made))).score).toBe(1);
  });

  it('ordered: a right call out of order does not count', async () => {
    const g = await grader({type: 'tool-calls', calls: [oslo, fx], ordered: true});
    expect((await g.grade(input([oslo, fx]))).score).toBe(1);
    expect((await g.grade(input([fx, oslo]))).score).toBe(0.5);
  });

  it('no call expected and none made scores 1; a threshold below 1 passes partial credit', async () => {
    expect((await (await grader({type: 'tool-calls', calls: []})).grade(input([])))).toMatchObject({score: 1, pass: true});
    const lenient = await grader({type: 'tool-calls', calls: [oslo, fx], threshold: 0.6});
    expect((await lenient.grade(input([oslo]))).pass).toBe(true);
  });

  it('takes the calls from a dataset column: a JSON list, or its text (CSV)', async () => {
    const g = await grader({type: 'tool-calls', calls: '{{calls}}'});
    expect((await g.grade(input([oslo], {calls: [oslo]}))).pass).toBe(true);
    expect((await g.grade(input([oslo], {calls: JSON.stringify([oslo])}))).pass).toBe(true);
    expect((await g.grade(input([], {calls: ''}))).pass).toBe(true);
    expect(() => g.check!({vars: {calls: 'not json'}, expected: null, caseId: 'c3'}, {file: 'd.csv', line: 5})).toThrow(/not JSON/);
    expect(g.toolReference!({vars: {calls: [fx]}, expected: null, caseId: 'c'})).toEqual([fx]);
  });

  it('schema mode checks each call against its tool', async () => {
    const g = await grader({type: 'tool-calls', calls: [{name: 'get_weather'}, {name: 'convert'}], match: 'schema'});
    expect((await g.grade(input([{name: 'get_weather', arguments: {city: 'X'}}, {name: 'convert', arguments: {amount: 1, from: 'A', to: 'B'}}]))).score).toBe(1);
    expect((await g.grade(input([{name: 'get_weather', arguments: {city: 'X'}}, {name: 'convert', arguments: {amount: 'one', from: 'A', to: 'B'}}]))).score).toBe(0.5);
  });
});

describe('the sandbox\'s simulated calls, graded', () => {
  it('right calls always pass, and every kind of wrong call fails (200 seeded draws per expectation)', async () => {
    const {rightCalls, wrongCalls} = await import('../src/sandbox/simulate-tool-calls.ts');
    const {seededRandom} = await import('../src/core/seeded-random.ts');
    const offer = {tools: TOOLS, choice: 'auto' as const};
    const expectations = [[], [{name: 'get_weather', arguments: {city: 'Paris'}}], [{name: 'get_weather', arguments: {city: 'Oslo'}}, {name: 'convert', arguments: {amount: 5, from: 'EUR', to: 'USD'}}]];
    const g = await grader({type: 'tool-calls', calls: '{{calls}}', match: 'subset'});
    const kinds = new Set<string>();
    for (const calls of expectations) {
      expect((await g.grade(input(rightCalls(calls, offer), {calls}))).pass).toBe(true);
      const random = seededRandom(7);
      for (let i = 0; i < 200; i++) {
        const wrong = wrongCalls(calls, offer, random);
        kinds.add(wrong.length === 0 ? 'none' : wrong.length < calls.length ? 'drop' : wrong[0]!.name !== (calls[0]?.name ?? '') ? 'tool' : 'argument');
        expect((await g.grade(input(wrong, {calls}))).pass, JSON.stringify(wrong)).toBe(false);
      }
    }
    expect([...kinds].sort()).toEqual(['argument', 'drop', 'none', 'tool']);
  });

  it('where the grader checks only the schema, a wrong argument breaks it', async () => {
    const {wrongCalls} = await import('../src/sandbox/simulate-tool-calls.ts');
    const {seededRandom} = await import('../src/core/seeded-random.ts');
    const g = await grader({type: 'tool-call', name: 'convert', match: 'schema'});
    const random = seededRandom(3);
    for (let i = 0; i < 100; i++) {
      const wrong = wrongCalls([{name: 'convert'}], {tools: TOOLS, choice: 'required'}, random);
      expect((await g.grade(input(wrong))).pass, JSON.stringify(wrong)).toBe(false);
    }
  });
});
