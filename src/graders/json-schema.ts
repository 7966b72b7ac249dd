import {readFileSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import type {Ajv} from 'ajv';
import {InputError} from '../core/errors.ts';
import type {Grade} from '../core/types.ts';
import {createAjv} from './create-ajv.ts';
import type {Grader} from './grader.ts';
import {parseJsonOutput} from './json-valid.ts';

/** Output parses as JSON and validates against a JSON Schema (inline, or a file relative to the suite); every error listed. */
export function jsonSchema(opts: {schema?: Record<string, unknown>; schemaFile?: string; name?: string}, file: string): Grader {
  const name = opts.name ?? 'json-schema';
  let schema = opts.schema;
  if (!schema && opts.schemaFile) {
    const path = resolve(dirname(file), opts.schemaFile);
    try {
      schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new InputError(`cannot read JSON schema ${opts.schemaFile}: ${(error as Error).message}`, {file, field: `${name}.schemaFile`, hint: 'the path is relative to the suite file'});
    }
  }
  if (!schema) throw new InputError('json-schema needs `schema` (inline) or `schemaFile`, or the suite\'s params.responseFormat to default to', {file, field: name});
  const ajv = createAjv({allErrors: true, strict: false});
  let validate: ReturnType<Ajv['compile']>;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new InputError(`invalid JSON schema: ${(error as Error).message}`, {file, field: `${name}.schema`});
  }
  return {
    name,
    grade(input): Grade {
      const parsed = parseJsonOutput(input.output);
      if (!parsed.ok) return {grader: name, score: 0, pass: false, reason: `not valid JSON: ${parsed.error}`};
      if (validate(parsed.value)) return {grader: name, score: 1, pass: true, reason: 'matches the schema'};
      const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
      return {grader: name, score: 0, pass: false, reason: `schema errors: ${errors.join('; ')}`};
    },
  };
}
