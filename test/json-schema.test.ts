import {readdirSync, readFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {Ajv2020} from 'ajv/dist/2020.js';
import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {configReference, jsonSchemaFiles} from '../scripts/generate-json-schemas.ts';

const ROOT = resolve(import.meta.dirname, '..');

describe('JSON Schema files (schema/*.schema.json)', () => {
  it('are what the zod schemas generate (run `npm run schema` after changing src/config/schema.ts)', () => {
    for (const {file, text} of jsonSchemaFiles()) expect(readFileSync(join(ROOT, file), 'utf8'), file).toBe(text);
    expect(readFileSync(join(ROOT, 'docs/config-reference.md'), 'utf8'), 'docs/config-reference.md').toBe(configReference());
  });

  it('accept every shipped provider and suite file, which name them for editors', () => {
    const ajv = new Ajv2020({strict: false, allErrors: true});
    for (const [folder, name] of [['providers', 'provider'], ['suites', 'suite']] as const) {
      const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema', `${name}.schema.json`), 'utf8')));
      for (const entry of readdirSync(join(ROOT, folder)).filter((f) => f.endsWith('.yaml'))) {
        const text = readFileSync(join(ROOT, folder, entry), 'utf8');
        expect(text.split('\n')[0], entry).toBe(`# yaml-language-server: $schema=../schema/${name}.schema.json`);
        expect(validate(parse(text)) ? [] : validate.errors, `${folder}/${entry}`).toEqual([]);
      }
    }
  });

  it('reject what the loader rejects: an unknown provider field, a wrong type', () => {
    const ajv = new Ajv2020({strict: false});
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'provider.schema.json'), 'utf8')));
    expect(validate({id: 'p', type: 'openai', models: [{label: 'm', model: 'm'}]})).toBe(true);
    expect(validate({id: 'p', type: 'openai', modles: []})).toBe(false);
    expect(validate({id: 'p', type: 'not-a-type', models: []})).toBe(false);
    // Discriminated on type: a field of another type, and a type's required field.
    expect(validate({id: 'p', type: 'openai', endpoint: 'https://x.openai.azure.com', models: [{label: 'm', model: 'm'}]})).toBe(false);
    expect(validate({id: 'p', type: 'azure-openai', endpoint: 'https://x.openai.azure.com', models: [{label: 'm', model: 'm'}]})).toBe(true);
    expect(validate({id: 'p', type: 'sandbox', models: [{label: 'm', model: 'm'}]})).toBe(false);
    expect(validate({id: 'p', type: 'sandbox', wire: 'gemini', models: [{label: 'm', model: 'm'}]})).toBe(true);
  });

  it('carry the field docs as descriptions, for editors and the config reference', () => {
    const provider = JSON.parse(readFileSync(join(ROOT, 'schema', 'provider.schema.json'), 'utf8')) as {oneOf: Array<{properties: Record<string, {description?: string}>}>};
    const azure = provider.oneOf.find((v) => v.properties.endpoint)!;
    expect(azure.properties.endpoint!.description).toContain('deployment name');
    expect(azure.properties.timeoutMs!.description).toContain('Deadline');
    const reference = readFileSync(join(ROOT, 'docs/config-reference.md'), 'utf8');
    expect(reference).toMatch(/\| `endpoint` \(required\) \| string \|  \| \*Type azure-openai only\.\* The resource URL/);
    expect(reference).toMatch(/\| `wire` \(required\) \| `openai` \\\| `anthropic` \\\| `gemini` \|  \| \*Type sandbox only\.\*/);
  });
});
