import {createRequire} from 'node:module';
import type {Ajv, Options} from 'ajv';

const require = createRequire(import.meta.url);

/**
 * A new Ajv, its module loaded on first use: ajv is 60-odd modules that only json-schema and
 * schema-matched tool-call graders need, and every run loads the grader registry. Synchronous
 * (require; ajv is CommonJS) because graders are built synchronously.
 */
export function createAjv(options: Options): Ajv {
  const {Ajv: AjvClass} = require('ajv') as typeof import('ajv');
  return new AjvClass(options);
}
