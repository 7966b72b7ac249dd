import {readFile} from 'node:fs/promises';
import {dirname, relative, resolve} from 'node:path';
import {compileTemplate} from '../config/render-template.ts';
import {compileValueTemplate, type CompiledValue} from '../config/render-value.ts';
import {partsText} from '../core/content-parts.ts';
import {compileContentParts} from './content-parts-template.ts';
import {suiteSchema, type GateDef, type GraderDef, type SuiteDef} from '../config/schema.ts';
import {parseStructuredFile, type StructuredFile} from '../config/structured-file.ts';
import {validate} from '../config/validate.ts';
import {decodeUtf8} from '../config/decode-utf8.ts';
import {InputError} from '../core/errors.ts';
import type {ChatMessage, ModelParams} from '../core/types.ts';
import {loadDataset, type DatasetRow} from '../datasets/load-dataset.ts';
import {IdHashSet} from '../datasets/id-hash-set.ts';
import {datasetStamp, isStreamedDataset, readDatasetRows} from '../datasets/read-dataset-rows.ts';
import {createGrader, type GraderContext} from '../graders/create-grader.ts';
import type {ConfigDigestWriter} from '../config/config-digest.ts';
import type {Grader} from '../graders/grader.ts';

export interface SuiteCase {
  id: string;
  vars: Record<string, unknown>;
  expected: string | null;
  tags: string[];
  messages: ChatMessage[];
  /** This case's own params over the suite's (a replayed traffic request's tools, tool choice, response format). */
  params?: ModelParams;
  /** Where the case was defined, for error messages. */
  source: {file: string; line: number | undefined};
}

/**
 * A suite's cases, in order. Inline cases and JSON datasets are an array; a CSV, TSV or JSONL dataset
 * is read from disk again (parsed and rendered) each time it is iterated, so a run holds one case per
 * task in flight, not the dataset. `length` is known up front (counted when the suite loaded).
 */
export interface SuiteCases extends Iterable<SuiteCase> {
  readonly length: number;
  /** The longest prompt (characters over all messages), when the cases are streamed: checks need not read them again. */
  readonly longestPromptChars?: number;
  /** Whether any case sends an image or file part, when the cases are streamed. */
  readonly hasMedia?: boolean;
}

export interface LoadedSuite {
  id: string;
  description: string | undefined;
  file: string;
  tags: string[];
  models: string[] | undefined;
  /** The suite's params, with its tools and toolChoice (sent with every request, part of cache key and fingerprint). */
  params: ModelParams | undefined;
  graderDefs: GraderDef[];
  graders: Grader[];
  cases: SuiteCases;
  gate: GateDef | undefined;
}

const RESERVED = new Set(['id', 'expected', 'tags']);

/** Loads a suite from a YAML/JSON file, or from an object written inline in the config. */
export interface SuiteLoadOptions {
  rootDir: string;
  configFile: string;
  index: number;
  cwd?: string;
  /** What graders may refer to: the config's judge, its custom grader functions, its model labels. */
  graders?: Omit<GraderContext, 'file' | 'dir'>;
  /** Fed the suite's head and each case as the loading pass checks it: the run's config digest without another pass. */
  digest?: ConfigDigestWriter;
}

export async function loadSuite(source: string | Record<string, unknown>, opts: SuiteLoadOptions): Promise<LoadedSuite> {
  let structured: StructuredFile;
  let displayFile: string;
  let baseDir: string;
  if (typeof source === 'string') {
    const abs = resolve(opts.rootDir, source);
    displayFile = relative(opts.cwd ?? process.cwd(), abs) || abs;
    baseDir = dirname(abs);
    const bytes = await readFile(abs).catch(() => {
      throw new InputError('suite file not found', {file: displayFile});
    });
    const text = decodeUtf8(bytes, displayFile);
    structured = parseStructuredFile(displayFile, text);
  } else {
    displayFile = opts.configFile;
    baseDir = opts.rootDir;
    structured = {file: displayFile, value: source, lineOf: () => undefined};
  }
  const prefix = typeof source === 'string' ? [] : ['suites', opts.index];
  const def = validate(suiteSchema, structured.value, {file: displayFile, lineOf: structured.lineOf, prefix, what: 'suite'});

  const graderCtx: GraderContext = {
    file: displayFile,
    dir: baseDir,
    defaultJudge: opts.graders?.defaultJudge,
    functions: opts.graders?.functions ?? {},
    models: opts.graders?.models ?? new Set(),
    responseSchema: def.params?.responseFormat?.type === 'json_schema' ? def.params.responseFormat.schema : undefined,
    tools: def.tools,
  };
  const graders: Grader[] = [];
  for (const [i, g] of def.graders.entries()) {
    try {
      graders.push(await createGrader(g, graderCtx));
    } catch (error) {
      if (error instanceof InputError && error.line === undefined) {
        throw new InputError(error.message.replace(/^[^:]*: (field "[^"]*": )?/, ''), {
          file: displayFile,
          field: `graders[${i}]${error.field ? `.${error.field}` : ''}`,
          line: structured.lineOf([...prefix, 'graders', i, ...(error.field ? error.field.split('.') : [])]),
          hint: error.hint,
        });
      }
      throw error;
    }
  }

  let rows: (() => Iterable<DatasetRow>) | DatasetRow[];
  let rowsFile: string;
  if (def.dataset !== undefined) {
    const abs = resolve(baseDir, def.dataset);
    rowsFile = relative(opts.cwd ?? process.cwd(), abs) || abs;
    if (isStreamedDataset(abs)) {
      const stamp = datasetStamp(abs, rowsFile);
      rows = () => readDatasetRows(abs, rowsFile, stamp);
    } else rows = await loadDataset(abs, rowsFile);
  } else {
    rowsFile = displayFile;
    rows = def.cases!.map((values, i) => ({values, line: structured.lineOf([...prefix, 'cases', i])}));
  }

  const templates = messageTemplates(def, displayFile, baseDir, (i) => structured.lineOf([...prefix, def.messages ? 'messages' : 'prompt', ...(def.messages ? [i] : [])]));
  const system = def.system === undefined ? undefined : compileTemplate(def.system, {file: displayFile, field: 'system'});

  /** A row as a case: rendered, and (the first time it is read) checked by the graders. */
  const toCase = (row: DatasetRow, i: number, check: boolean): SuiteCase => {
    const {values, line} = row;
    const id = caseIdOf(values, i);
    const vars: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) if (!RESERVED.has(k)) vars[k] = v;
    const expected = values.expected === undefined || values.expected === null ? null : typeof values.expected === 'string' ? values.expected : JSON.stringify(values.expected);
    const rowTags = parseTags(values.tags, {file: rowsFile, line});
    const where = {file: rowsFile, caseId: id, line};
    const renderVars = {...vars, expected, id};
    const messages: ChatMessage[] = templates.map((t) => t(renderVars, where));
    if (system) messages.unshift({role: 'system', content: system(renderVars, where)});
    if (check) for (const grader of graders) grader.check?.({vars, expected, caseId: id}, {file: rowsFile, line});
    return {id, vars, expected, tags: unique([...def.tags, ...rowTags]), messages, source: {file: rowsFile, line}};
  };
  const duplicate = (id: string, line: number | undefined, first: number | undefined) =>
    new InputError(`duplicate case id "${id}" (first at ${first ? `line ${first}` : 'an earlier row'})`, {
      file: rowsFile,
      line,
      hint: 'case ids must be unique within a suite: results are joined and resumed by them',
    });

  opts.digest?.beginSuite(def.id, def.graders);
  let cases: SuiteCases;
  if (Array.isArray(rows)) {
    const seen = new Map<string, number | undefined>();
    cases = rows.map((row, i): SuiteCase => {
      const id = caseIdOf(row.values, i);
      if (seen.has(id)) throw duplicate(id, row.line, seen.get(id));
      seen.set(id, row.line);
      const c = toCase(row, i, true);
      opts.digest?.addCase(c);
      return c;
    });
  } else {
    cases = streamedCases(rows, toCase, duplicate, opts.digest);
  }
  return {
    id: def.id,
    description: def.description,
    file: displayFile,
    tags: def.tags,
    models: def.models,
    params: def.tools ? {...def.params, tools: def.tools, ...(def.toolChoice !== undefined && {toolChoice: def.toolChoice})} : def.params,
    graderDefs: def.graders,
    graders,
    cases,
    gate: def.gate,
  };
}

function caseIdOf(values: Record<string, unknown>, i: number): string {
  return values.id === undefined || values.id === null || values.id === '' ? String(i + 1) : String(values.id);
}

/**
 * A streamed dataset's cases. One pass now checks every row (parse errors, duplicate ids, rendering,
 * the graders' checks) before anything is sent, keeping only a hash of each id while it runs; afterwards the
 * suite holds the count and two facts, and each iteration reads the file again.
 */
function streamedCases(
  rows: () => Iterable<DatasetRow>,
  toCase: (row: DatasetRow, i: number, check: boolean) => SuiteCase,
  duplicate: (id: string, line: number | undefined, first: number | undefined) => InputError,
  digest: ConfigDigestWriter | undefined,
): SuiteCases {
  const ids = new IdHashSet();
  let count = 0;
  let longestPromptChars = 0;
  let hasMedia = false;
  for (const row of rows()) {
    const id = caseIdOf(row.values, count);
    if (ids.add(id)) {
      // A hash seen before: look for the id itself in the rows before this one (a duplicate, or
      // once in a blue moon two ids with one hash, which is no error).
      let first: number | undefined;
      let found = false;
      let i = 0;
      for (const earlier of rows()) {
        if (i === count) break;
        if (caseIdOf(earlier.values, i++) === id) {
          first = earlier.line;
          found = true;
          break;
        }
      }
      if (found) throw duplicate(id, row.line, first);
    }
    const c = toCase(row, count++, true);
    digest?.addCase(c);
    let chars = 0;
    for (const m of c.messages) {
      chars += m.content.length;
      if (m.parts?.some((p) => p.type !== 'text')) hasMedia = true;
    }
    if (chars > longestPromptChars) longestPromptChars = chars;
  }
  return {
    length: count,
    longestPromptChars,
    hasMedia,
    *[Symbol.iterator]() {
      let i = 0;
      for (const row of rows()) yield toCase(row, i++, false);
    },
  };
}

type MessageTemplate = (vars: Record<string, unknown>, where: {file: string; caseId: string; line?: number}) => ChatMessage;

/**
 * Each message as a template: content, and an assistant turn's call arguments, render per case. A
 * tool result is paired with its call here, once: by toolCallId, else the next call not yet answered.
 */
function messageTemplates(def: SuiteDef, file: string, dir: string, lineOf: (i: number) => number | undefined): MessageTemplate[] {
  const unanswered: Array<{id: string; name: string}> = [];
  return (def.messages ?? [{role: 'user' as const, content: def.prompt!}]).map((m, i): MessageTemplate => {
    const field = def.messages ? `messages[${i}]` : 'prompt';
    const line = lineOf(i);
    if (Array.isArray(m.content)) {
      const parts = compileContentParts(m.content, {file, field: `${field}.content`, line, dir});
      return (vars, at) => {
        const rendered = parts(vars, at);
        return {role: m.role, content: partsText(rendered), parts: rendered};
      };
    }
    const content = m.content === undefined ? () => '' : compileTemplate(m.content, {file, field: def.messages ? `${field}.content` : field, line});
    if (m.toolCalls) {
      const calls = m.toolCalls.map((c, j) => ({id: c.id ?? `call_${i}_${j}`, name: c.name, args: compileValueTemplate(c.arguments, {file, field: `${field}.toolCalls[${j}].arguments`, line}) as CompiledValue}));
      unanswered.push(...calls.map((c) => ({id: c.id, name: c.name})));
      return (vars, at) => ({role: 'assistant', content: content(vars, at), toolCalls: calls.map((c) => ({id: c.id, name: c.name, arguments: c.args(vars, at) as Record<string, unknown>}))});
    }
    if (m.role === 'tool') {
      const at = m.toolCallId === undefined ? 0 : unanswered.findIndex((c) => c.id === m.toolCallId);
      const call = unanswered[at];
      if (!call && !(m.toolCallId && m.toolName)) {
        throw new InputError(m.toolCallId ? `no earlier assistant toolCalls entry has id "${m.toolCallId}"` : 'a tool result with no assistant call before it to answer', {
          file,
          field: `${field}.toolCallId`,
          line,
          hint: 'put an assistant message with toolCalls before the tool message, or give toolCallId and toolName',
        });
      }
      if (call) unanswered.splice(at, 1);
      const id = m.toolCallId ?? call!.id;
      const name = m.toolName ?? call!.name;
      return (vars, where) => ({role: 'tool', content: content(vars, where), toolCallId: id, toolName: name});
    }
    return (vars, where) => ({role: m.role, content: content(vars, where)});
  });
}

function parseTags(value: unknown, where: {file: string; line: number | undefined}): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return value.split(';').map((t) => t.trim()).filter(Boolean);
  if (Array.isArray(value) && value.every((t) => typeof t === 'string')) return value;
  throw new InputError('"tags" must be a ;-separated string or a list of strings', {...where, field: 'tags'});
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
