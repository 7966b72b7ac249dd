import {describe, expect, it} from 'vitest';
import {AnthropicToolUseDeltas, OpenAIToolCallDeltas, parseArguments} from '../src/providers/message-format.ts';

describe('streamed tool calls, assembled', () => {
  it('OpenAI: arguments in fragments by index, two calls interleaved', () => {
    const d = new OpenAIToolCallDeltas();
    d.add([{index: 0, id: 'a', function: {name: 'get_weather', arguments: ''}}]);
    d.add([{index: 1, id: 'b', function: {name: 'convert', arguments: '{"amo'}}]);
    d.add([{index: 0, function: {arguments: '{"city":'}}]);
    d.add([{index: 1, function: {arguments: 'unt": 5}'}}]);
    d.add([{index: 0, function: {arguments: ' "Oslo"}'}}]);
    expect(d.done()).toEqual([
      {name: 'get_weather', arguments: {city: 'Oslo'}},
      {name: 'convert', arguments: {amount: 5}},
    ]);
  });

  it('OpenAI-compatible servers: no index (a new id is a new call), the name repeated in every delta', () => {
    const d = new OpenAIToolCallDeltas();
    d.add([{id: 'a', function: {name: 'get_weather', arguments: '{"city": '}}]);
    d.add([{function: {name: 'get_weather', arguments: '"Rome"}'}}]);
    d.add([{id: 'b', function: {name: 'get_weather', arguments: '{"city": "Oslo"}'}}]);
    expect(d.done()).toEqual([
      {name: 'get_weather', arguments: {city: 'Rome'}},
      {name: 'get_weather', arguments: {city: 'Oslo'}},
    ]);
    expect(d.add(undefined)).toBe(false);
  });

  it('Anthropic: input_json_delta fragments per block; a block with none keeps its start input', () => {
    const d = new AnthropicToolUseDeltas();
    d.start(0, {type: 'text'});
    d.start(1, {type: 'tool_use', name: 'get_weather', input: {}});
    d.delta(1, '{"city"');
    d.delta(1, ': "Lima"}');
    d.start(2, {type: 'tool_use', name: 'now', input: {}});
    expect(d.done()).toEqual([
      {name: 'get_weather', arguments: {city: 'Lima'}},
      {name: 'now', arguments: {}},
    ]);
  });

  it('arguments that are not a JSON object are kept as their text', () => {
    expect(parseArguments('{"a": 1}')).toEqual({a: 1});
    expect(parseArguments('')).toEqual({});
    expect(parseArguments('{"a": ')).toBe('{"a": ');
    expect(parseArguments('[1, 2]')).toBe('[1, 2]');
    expect(parseArguments({b: 2})).toEqual({b: 2});
  });
});
