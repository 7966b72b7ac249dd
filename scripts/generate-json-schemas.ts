// Writes schema/*.schema.json from the zod schemas, for editors (YAML files reference them with a
// `# yaml-language-server: $schema=...` line), and docs/config-reference.md, every field with its type
// and default. Run: npm run schema. test/json-schema.test.ts fails when either is out of date.
import {writeFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {z} from 'zod';
import {configFileSchema, providerSchema, suiteSchema} from '../src/config/schema.ts';
import {routingPolicySchema} from '../src/routing/policy-schema.ts';

const ROOT = resolve(import.meta.dirname, '..');

const SCHEMAS = {
  config: {schema: configFileSchema, title: 'assay config (bench.config.json / .yaml)'},
  provider: {schema: providerSchema, title: 'assay provider definition (providers/*.yaml)'},
  suite: {schema: suiteSchema, title: 'assay suite (suites/*.yaml)'},
  policy: {schema: routingPolicySchema, title: 'assay routing policy (routing-policy.yaml)'},
};

/** Each schema file's path (relative to the repository) and its text. */
export function jsonSchemaFiles(): Array<{file: string; text: string}> {
  return Object.entries(SCHEMAS).map(([name, {schema, title}]) => {
    // Input shape (defaults make a field optional); what JSON cannot say (functions, refinements) is left open.
    const json = z.toJSONSchema(schema, {io: 'input', unrepresentable: 'any'});
    return {file: `schema/${name}.schema.json`, text: `${JSON.stringify({title, ...json}, null, 2)}\n`};
  });
}

type JsonSchema = {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  default?: unknown;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  minItems?: number;
  pattern?: string;
  description?: string;
};

const BIG = 2 ** 53 - 1;

/** The schema with each `$ref` to its `$defs` replaced by the definition (shared parts are defined once in the files). */
function inlineRefs(root: JsonSchema): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const {$ref, ...rest} = node as JsonSchema;
    const target = $ref ? root.$defs?.[$ref.replace('#/$defs/', '')] : undefined;
    return Object.fromEntries(Object.entries({...target, ...rest}).map(([k, v]) => [k, walk(v)]));
  };
  return walk(root) as JsonSchema;
}

/** A schema's type in a few words: `openai` \| `anthropic`, integer > 0, string[], {string: number}. */
function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return `\`${typeof s.const === 'string' ? s.const : JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return [...new Set(variants.map(typeOf))].join(' \\| ');
  if (s.allOf) return s.allOf.map(typeOf).join(' & ');
  if (s.type === 'array') return `${s.items ? typeOf(s.items) : 'any'}[]`.replace(/^(.* .*)\[\]$/, '($1)[]');
  if (s.type === 'object') {
    if (s.properties) return 'object';
    return typeof s.additionalProperties === 'object' ? `{string: ${typeOf(s.additionalProperties)}}` : 'object';
  }
  if (s.type === 'integer' || s.type === 'number') {
    const bounds = [
      s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : s.minimum !== undefined && s.minimum > -BIG ? `≥ ${s.minimum}` : '',
      s.maximum !== undefined && s.maximum < BIG ? `≤ ${s.maximum}` : '',
    ].filter(Boolean);
    return [s.type, ...bounds].join(' ');
  }
  return Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
}

interface FieldRow {
  types: Set<string>;
  default: string;
  description: string;
  /** The discriminated variants (provider types) that have the field, and those that require it. */
  variants: Set<string>;
  requiredIn: Set<string>;
}

/** The `type` value that tells a discriminated union's variant apart, if it is one. */
function variantOf(s: JsonSchema): string | undefined {
  const tag = s.properties?.type?.const;
  return typeof tag === 'string' ? tag : undefined;
}

/** Every field, nested objects (and objects in arrays or unions) flattened with dots; a union's variants merged by path. */
function collectFields(s: JsonSchema, prefix: string, skip: Set<string>, variant: string, rows: Map<string, FieldRow>): Map<string, FieldRow> {
  const objects = [s, ...(s.anyOf ?? s.oneOf ?? []), ...(s.type === 'array' && s.items ? [s.items, ...(s.items.anyOf ?? [])] : [])].filter((v) => v.properties);
  for (const obj of objects) {
    const base = obj === s.items || (s.type === 'array' && s.items?.anyOf?.includes(obj)) ? `${prefix}[]` : prefix;
    const own = prefix === '' ? (variantOf(obj) ?? variant) : variant;
    for (const [name, field] of Object.entries(obj.properties!)) {
      const path = base ? `${base}.${name}` : name;
      const row = rows.get(path) ?? {types: new Set(), default: '', description: '', variants: new Set(), requiredIn: new Set()};
      row.types.add(typeOf(field));
      if (field.default !== undefined) row.default = `\`${JSON.stringify(field.default)}\``;
      row.description ||= field.description ?? '';
      row.variants.add(own);
      if (obj.required?.includes(name)) row.requiredIn.add(own);
      rows.set(path, row);
      if (!skip.has(path)) collectFields(field, path, skip, own, rows);
    }
  }
  return rows;
}

/** Rows of `field | type | default | description`; a field only some provider types take says which. */
function fieldRows(s: JsonSchema, skip: Set<string>): string[] {
  const all = new Set((s.oneOf ?? s.anyOf ?? []).map(variantOf).filter((v) => v !== undefined));
  const rows = collectFields(s, '', skip, '', new Map());
  return [...rows].map(([path, row]) => {
    const others = [...all].filter((v) => !row.variants.has(v));
    const some = others.length === 0 || path.includes('.') ? '' : others.length < row.variants.size ? `*Not for type ${others.join(', ')}.* ` : `*Type ${[...row.variants].join(', ')} only.* `;
    const required = row.requiredIn.size === 0 ? '' : row.requiredIn.size === row.variants.size ? ' (required)' : ` (required for type ${[...row.requiredIn].join(', ')})`;
    const description = `${some}${row.description}`.replace(/\|/g, '\\|').replace(/\n/g, ' ').trim();
    return `| \`${path}\`${required} | ${[...row.types].join(' \\| ')} | ${row.default} | ${description} |`;
  });
}

/** docs/config-reference.md: generated, so it always matches what the loader accepts. */
export function configReference(): string {
  const sections = [
    {name: 'config', heading: 'Config file (`bench.config.ts`, `.json`, `.yaml`)', skip: new Set(['providers', 'suites'])},
    {name: 'provider', heading: 'Provider definition (`providers/*.yaml`, or inline in `providers`)', skip: new Set<string>()},
    {name: 'suite', heading: 'Suite (`suites/*.yaml`, or inline in `suites`)', skip: new Set<string>()},
    {name: 'policy', heading: 'Routing policy (`routing-policy.yaml`)', skip: new Set<string>()},
  ] as const;
  const files = new Map(jsonSchemaFiles().map((f) => [f.file, inlineRefs(JSON.parse(f.text) as JsonSchema)]));
  const out = [
    '# Config reference (generated)',
    '',
    '<!-- Generated by scripts/generate-json-schemas.ts from the zod schemas: edit those and run `npm run schema`. -->',
    '',
    'Every field the loader accepts, with its type and default, generated from the same schemas that',
    'validate your files (and from which `schema/*.schema.json` is generated for editors). What each',
    'field does is explained in [config.md](config.md). Unknown fields are errors.',
  ];
  for (const {name, heading, skip} of sections) {
    out.push('', `## ${heading}`, '', `JSON Schema: \`schema/${name}.schema.json\`.`, '', '| field | type | default | description |', '|---|---|---|---|');
    out.push(...fieldRows(files.get(`schema/${name}.schema.json`)!, skip));
  }
  return `${out.join('\n')}\n`;
}

if (import.meta.main) {
  writeFileSync(join(ROOT, 'docs/config-reference.md'), configReference());
  console.log('wrote docs/config-reference.md');
  for (const {file, text} of jsonSchemaFiles()) {
    writeFileSync(join(ROOT, file), text);
    console.log(`wrote ${file}`);
  }
}
