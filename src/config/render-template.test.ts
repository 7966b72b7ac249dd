import Handlebars from 'handlebars';
import {describe, expect, it} from 'vitest';
import {compileTemplate} from './render-template.ts';

const at = {file: 'suite.yaml', caseId: 'c1', line: 3};
const reference = (source: string, vars: Record<string, unknown>) => Handlebars.create().compile(source, {noEscape: true, strict: true})(vars);

describe('compileTemplate', () => {
  it.each([
    ['Answer {{q}}', {q: 'what is 2+2?'}],
    ['{{ a }} and {{b}}: {{a}}', {a: 1, b: false}],
    ['no placeholders at all', {}],
    ['{{x}}', {x: null}],
    ['{{x}}!', {x: 0}],
    ['<b>{{html}}</b> & "quotes"', {html: '<i>raw</i> & \'x\''}],
    ['{{#if q}}yes {{q}}{{else}}no{{/if}}', {q: 'z'}],
    ['{{upper.name}} {{list.[0]}}', {upper: {name: 'n'}, list: ['first']}],
    ['{{{q}}} and {{q}}', {q: '<x>'}],
  ])('renders %j exactly as Handlebars (noEscape, strict) does', (source, vars) => {
    expect(compileTemplate(source, {file: 'suite.yaml', field: 'prompt'})(vars, at)).toBe(reference(source, vars));
  });

  it('names the missing variable, the case, the file and the line, on both paths', () => {
    for (const source of ['Answer {{q}}', '{{#if x}}{{q}}{{/if}}']) {
      const render = compileTemplate(source, {file: 'suite.yaml', field: 'prompt'});
      expect(() => render({x: true}, at)).toThrow(/case "c1" has no value for template variable "q" \(in prompt\)/);
      try {
        render({x: true}, at);
      } catch (error) {
        expect(error).toMatchObject({file: 'suite.yaml', line: 3});
      }
    }
  });

  it('reports a syntax error when the suite loads', () => {
    expect(() => compileTemplate('{{#if q}}unclosed', {file: 'suite.yaml', field: 'prompt', line: 2})).toThrow(/invalid template/);
  });
});
