import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadTraffic} from '../src/ab/load-traffic.ts';
import {runAb} from '../src/ab/run-ab.ts';
import type {Result} from '../src/core/types.ts';
import {FAST_DEFAULT_CONFIG, makeProject, ROOT} from './helpers.ts';

// `assay ab` keeps what production sent beside plain text (tools, a tool conversation, images, a
// response format) and replays it to both arms through their own wires (the default fleet: OpenAI,
// Anthropic and Gemini SDKs against the in-process sandbox, which refuses a malformed request).
const PNG = readFileSync(join(ROOT, 'datasets/images/red.png')).toString('base64');
const WEATHER = {type: 'function', function: {name: 'get_weather', description: 'Weather now.', parameters: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']}}};
const LINES = [
  {id: 'plain', messages: [{role: 'user', content: 'Say hi.'}]},
  {id: 'tools', messages: [{role: 'user', content: 'Weather in Paris?'}], tools: [WEATHER], tool_choice: 'required'},
  {
    id: 'tool-turn',
    messages: [
      {role: 'user', content: 'Weather in Lima?'},
      {role: 'assistant', content: null, tool_calls: [{id: 'call_9', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Lima"}'}}]},
      {role: 'tool', tool_call_id: 'call_9', content: '{"tempC": 19}'},
    ],
    tools: [WEATHER],
  },
  {id: 'image', messages: [{role: 'user', content: [{type: 'text', text: 'What colour? '}, {type: 'image_url', image_url: {url: `data:image/png;base64,${PNG}`}}]}]},
  {id: 'json', messages: [{role: 'user', content: 'Name a city as JSON.'}], response_format: {type: 'json_schema', json_schema: {name: 'c', schema: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']}}}},
];

describe('assay ab replays tool, image and structured-output requests', () => {
  it('reads them with their tools, tool calls, parts and response format', async () => {
    const dir = makeProject({'t.jsonl': LINES.map((l) => JSON.stringify(l)).join('\n')});
    const {requests, skipped} = await loadTraffic(join(dir, 't.jsonl'));
    expect(skipped).toEqual([]);
    const by = (id: string) => requests.find((r) => r.id === id)!;
    expect(by('tools').params).toEqual({tools: [{name: 'get_weather', description: 'Weather now.', parameters: WEATHER.function.parameters}], toolChoice: 'required'});
    expect(by('tool-turn').messages.slice(1)).toEqual([
      {role: 'assistant', content: '', toolCalls: [{id: 'call_9', name: 'get_weather', arguments: {city: 'Lima'}}]},
      {role: 'tool', content: '{"tempC": 19}', toolCallId: 'call_9', toolName: 'get_weather'},
    ]);
    expect(by('image').messages[0]!.parts).toEqual([{type: 'text', text: 'What colour? '}, {type: 'image', mediaType: 'image/png', data: PNG, name: 'image'}]);
    expect(by('json').params!.responseFormat).toMatchObject({type: 'json_schema', name: 'c'});
    expect(by('plain').params).toBeUndefined();
  });

  it('sends them to both arms on their wires, each request with its own tools and format', async () => {
    const cwd = makeProject({'bench.config.json': JSON.stringify({...JSON.parse(FAST_DEFAULT_CONFIG), sandbox: {latencyScale: 0}}), 't.jsonl': LINES.map((l) => JSON.stringify(l)).join('\n')}, {withDefaults: true});
    // sim-medium speaks OpenAI chat completions, sim-large Anthropic messages.
    const {verdict, run} = await runAb({control: 'sim-medium', treatment: 'sim-large', sample: 't.jsonl', judge: 'sim-judge', cwd, sandboxLatencyScale: 0});
    expect(verdict.skipped).toEqual([]);
    expect(verdict.n).toBe(5);
    const results = readFileSync(join(run.dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Result);
    expect(results).toHaveLength(10);
    for (const r of results) expect(r.status, `${r.model} ${r.caseId}: ${r.error?.message}`).toBe('ok');
    for (const r of results.filter((x) => x.caseId === 'tools')) expect(r.toolCalls!.map((c) => c.name)).toEqual(['get_weather']);
    for (const r of results.filter((x) => x.caseId === 'json')) expect(JSON.parse(r.output!)).toHaveProperty('city');
    for (const r of results.filter((x) => x.caseId === 'image')) expect(r.input).toMatch(/^What colour\? \[image [0-9a-f]{12}\]$/);
    for (const r of results.filter((x) => x.caseId === 'plain')) expect(r.toolCalls).toBeUndefined();
  });
});
