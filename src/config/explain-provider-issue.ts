import type {z} from 'zod';
import {PROVIDER_TYPES, providerSchema} from './schema.ts';
import type {IssueHelp} from './validate.ts';

/** The provider types whose schema has each top-level field, read from the schema itself. */
const TYPES_BY_FIELD = new Map<string, string[]>();
for (const option of providerSchema.options) {
  const type = option.shape.type.value;
  for (const field of Object.keys(option.shape)) TYPES_BY_FIELD.set(field, [...(TYPES_BY_FIELD.get(field) ?? []), type]);
}

const OPENAI_WIRE = '`compat` is for providers that speak the OpenAI API (openai, openai-compatible, azure-openai, sandbox with wire: openai)';

/** What a type needs that the schema requires, said the way a user fixes it. */
const REQUIRED: Record<string, IssueHelp> = {
  'azure-openai.endpoint': {message: 'an azure-openai provider needs `endpoint`, the resource URL', hint: "e.g. endpoint: https://my-resource.openai.azure.com (each model's `model` is a deployment name)"},
  'http.http': {message: 'an http provider needs an `http` block (url or path, body, response.text)', hint: 'see "Provider type http" in docs/config.md'},
  'sandbox.wire': {message: 'a sandbox provider needs `wire: openai | anthropic | gemini`', hint: 'wire picks the API (and SDK) the simulated provider speaks'},
  'openai-compatible.baseURL': {message: 'an openai-compatible provider needs a baseURL', hint: 'e.g. http://127.0.0.1:11434/v1 for Ollama'},
};

/** A field that belongs to other provider types, named with the types that take it. */
function fieldOfOtherTypes(field: string, type: string): IssueHelp | undefined {
  const owners = TYPES_BY_FIELD.get(field);
  if (!owners) {
    const meant = [...TYPES_BY_FIELD].find(([known, types]) => known.toLowerCase() === field.toLowerCase() && types.includes(type));
    return meant && {message: `unknown field "${field}" (did you mean "${meant[0]}"?)`};
  }
  if (type === 'azure-openai' && field === 'baseURL') {
    return {message: 'an azure-openai provider takes `endpoint`, not baseURL', hint: 'give the resource URL as endpoint; leave out apiVersion for the v1 API at {endpoint}/openai/v1'};
  }
  if (field === 'compat') return {message: OPENAI_WIRE};
  const hint = field === 'endpoint' ? 'other types take baseURL' : `this provider is type ${type}`;
  return {message: `\`${field}\` is for providers of type ${owners.join(', ')}`, hint};
}

/**
 * A clearer message for the issues a provider definition's schema raises by type: an unknown or
 * missing `type`, a field that belongs to another type, a field this type requires.
 */
export function explainProviderIssue(issue: z.core.$ZodIssue, value: unknown): IssueHelp | undefined {
  const def = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const type = typeof def.type === 'string' ? def.type : undefined;
  const known = `known types: ${PROVIDER_TYPES.join(', ')}`;
  if (issue.code === 'invalid_union' && issue.path.length === 1 && issue.path[0] === 'type') {
    return def.type === undefined ? {message: 'a provider needs `type`', hint: known} : {message: `unknown provider type ${JSON.stringify(def.type)}`, hint: known};
  }
  if (type === undefined || issue.path.length > 1) return undefined;
  if (issue.code === 'unrecognized_keys' && issue.path.length === 0 && issue.keys.length === 1) return fieldOfOtherTypes(issue.keys[0]!, type);
  const field = String(issue.path[0]);
  if (def[field] === undefined) return REQUIRED[`${type}.${field}`];
  return undefined;
}
