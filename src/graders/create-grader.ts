import {isAbsolute, dirname, resolve} from 'node:path';
import type {DeterministicGraderDef, GraderDef} from '../config/schema.ts';
import {InputError} from '../core/errors.ts';
import type {ToolDef} from '../core/types.ts';
import {lengthBounds, measureBound} from './bounds.ts';
import {substringGrader} from './contains.ts';
import {custom, type CustomGraderFn} from './custom.ts';
import {exactMatch} from './exact-match.ts';
import type {Grader} from './grader.ts';
import {judge} from './judge.ts';
import {jsonSchema} from './json-schema.ts';
import {jsonValid} from './json-valid.ts';
import {numeric} from './numeric.ts';
import {regex} from './regex.ts';
import {rubric} from './rubric.ts';
import {similarity} from './similarity.ts';
import {toolCall} from './tool-call.ts';
import {toolCalls} from './tool-calls.ts';

export interface GraderContext {
  /** The suite file (display path) the grader is defined in; relative paths resolve against it. */
  file: string;
  /** Absolute directory of the suite file. */
  dir: string;
  /** The config's default judge model label. */
  defaultJudge: string | undefined;
  /** Custom grader functions registered in the config. */
  functions: Record<string, CustomGraderFn>;
  /** Model labels that exist, to check judge references at load time. */
  models: ReadonlySet<string>;
  /** The suite's params.responseFormat schema: what a json-schema grader checks when it names none. */
  responseSchema?: Record<string, unknown>;
  /** The suite's tools: what tool-call graders check names and argument schemas against. */
  tools?: readonly ToolDef[];
}

function judgeModel(requested: string | undefined, ctx: GraderContext, field: string): string {
  const model = requested ?? ctx.defaultJudge;
  if (!model) throw new InputError('a judge grader needs a model', {file: ctx.file, field, hint: 'set `model:` on the grader or `judge:` in the config'});
  if (!ctx.models.has(model)) throw new InputError(`judge model "${model}" is not a model label in the config`, {file: ctx.file, field, hint: `known models: ${[...ctx.models].join(', ')}`});
  return model;
}

async function deterministic(def: DeterministicGraderDef, ctx: GraderContext): Promise<Grader> {
  const {file} = ctx;
  switch (def.type) {
    case 'exact-match':
      return exactMatch(def, file);
    case 'contains':
    case 'not-contains':
    case 'contains-any':
    case 'contains-all':
    case 'starts-with':
      return substringGrader(def.type, def, file);
    case 'regex':
      return regex(def, file);
    case 'json-valid':
      return jsonValid(def);
    case 'json-schema':
      return jsonSchema(
        {...def, schema: def.schema ?? (def.schemaFile ? undefined : ctx.responseSchema), schemaFile: def.schemaFile && !isAbsolute(def.schemaFile) ? resolve(ctx.dir, def.schemaFile) : def.schemaFile},
        file,
      );
    case 'numeric':
      return numeric(def, file);
    case 'similarity':
    case 'levenshtein':
      return similarity({...def, name: def.name ?? def.type}, file);
    case 'tool-call':
      return toolCall(def, {file, tools: ctx.tools ?? []});
    case 'tool-calls':
      return toolCalls(def, {file, tools: ctx.tools ?? []});
    case 'length':
      return lengthBounds(def);
    case 'latency':
      return measureBound('latency', def.maxMs, def.name);
    case 'cost':
      return measureBound('cost', def.maxUsd, def.name);
    case 'custom': {
      const name = def.name ?? def.function ?? def.module ?? 'custom';
      if (def.function) {
        const fn = ctx.functions[def.function];
        if (!fn) throw new InputError(`no custom grader "${def.function}" in the config's \`graders\``, {file, field: 'graders', hint: `registered: ${Object.keys(ctx.functions).join(', ') || 'none'}`});
        return custom(fn, name);
      }
      if (def.module) {
        const path = isAbsolute(def.module) ? def.module : resolve(ctx.dir, def.module);
        let mod: Record<string, unknown>;
        try {
          const {createJiti} = await import('jiti');
          mod = (await createJiti(import.meta.url, {moduleCache: false}).import(path)) as Record<string, unknown>;
        } catch (error) {
          throw new InputError(`cannot load custom grader module ${def.module}: ${(error as Error).message.split('\n')[0]}`, {file, field: 'module', hint: 'the path is relative to the suite file'});
        }
        const fn = mod[def.export] ?? (def.export === 'default' ? mod : undefined);
        if (typeof fn !== 'function') throw new InputError(`module ${def.module} has no function export "${def.export}"`, {file, field: 'export'});
        return custom(fn as CustomGraderFn, name);
      }
      throw new InputError('a custom grader needs `function` (registered in the config) or `module` (a file)', {file, field: 'custom'});
    }
  }
}

export async function createGrader(def: GraderDef, ctx: GraderContext): Promise<Grader> {
  switch (def.type) {
    case 'judge': {
      const model = judgeModel(def.model, ctx, 'model');
      const threshold = def.threshold ?? (def.scale === 'grade' ? 1 : 0.7);
      return judge({rubric: def.rubric, model, scale: def.scale, threshold, reference: def.reference, name: def.name}, ctx.file);
    }
    case 'rubric': {
      const needsJudge = def.criteria.some((c) => typeof c === 'string' || 'criterion' in c);
      const model = needsJudge ? judgeModel(def.model, ctx, 'model') : undefined;
      const criteria = await Promise.all(
        def.criteria.map(async (c) =>
          typeof c === 'string' ? {weight: 1, criterion: c} : 'criterion' in c ? {weight: c.weight, criterion: c.criterion} : {weight: c.weight, grader: await deterministic(c.check, ctx)},
        ),
      );
      return rubric({criteria, model, threshold: def.threshold, name: def.name}, ctx.file);
    }
    default:
      return deterministic(def, ctx);
  }
}

/** For callers with no config at hand (tests, one-off scripts). */
export function graderContext(file: string, extra: Partial<GraderContext> = {}): GraderContext {
  return {file, dir: dirname(resolve(file)), defaultJudge: undefined, functions: {}, models: new Set(), ...extra};
}
