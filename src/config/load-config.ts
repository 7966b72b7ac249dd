import {existsSync} from 'node:fs';
import {glob, readFile} from 'node:fs/promises';
import {dirname, extname, isAbsolute, relative, resolve} from 'node:path';
import {InputError} from '../core/errors.ts';
import type {ModelParams, Pricing} from '../core/types.ts';
import type {CustomGraderFn} from '../graders/custom.ts';
import {ConfigDigestWriter} from './config-digest.ts';
import {decodeUtf8} from './decode-utf8.ts';
import {explainProviderIssue} from './explain-provider-issue.ts';
import {checkProviderRules} from './provider-rules.ts';
import {loadSuite, type LoadedSuite} from '../suites/load-suite.ts';
import {loadEnvFile} from './load-env-file.ts';
import {
  configSchema,
  providerSchema,
  type ConfigDef,
  type ConfigInput,
  type ModelDef,
  type ProviderDef,
  type SimProfile,
} from './schema.ts';
import {parseStructuredFile} from './structured-file.ts';
import {validate} from './validate.ts';

export const CONFIG_NAMES = ['bench.config.ts', 'bench.config.mts', 'bench.config.js', 'bench.config.mjs', 'bench.config.json', 'bench.config.yaml', 'bench.config.yml'];

export type LoadedProvider = ProviderDef & {
  /** The file that defines it (the config file for an inline provider). */
  file: string;
};

export interface LoadedModel {
  label: string;
  model: string;
  type: ModelDef['type'];
  params: ModelParams;
  pricing: Pricing | null;
  limits: ModelDef['limits'];
  stream: boolean;
  sim: SimProfile | undefined;
  provider: LoadedProvider;
}

export interface LoadedConfig {
  file: string;
  rootDir: string;
  config: ConfigDef;
  providers: LoadedProvider[];
  models: Map<string, LoadedModel>;
  suites: LoadedSuite[];
}

/** Types a config object; a plain object export works just as well. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}

export function findConfigFile(cwd = process.cwd()): string {
  for (const name of CONFIG_NAMES) {
    const candidate = resolve(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new InputError(`no config file found in ${cwd}`, {
    hint: `create bench.config.ts (see the README's quick start) or pass --config FILE`,
  });
}

async function importConfigModule(abs: string, display: string): Promise<unknown> {
  const ext = extname(abs).toLowerCase();
  if (ext === '.json' || ext === '.yaml' || ext === '.yml') {
    return parseStructuredFile(display, decodeUtf8(await readFile(abs), display));
  }
  try {
    const {createJiti} = await import('jiti');
    const jiti = createJiti(import.meta.url, {moduleCache: false, fsCache: true, interopDefault: true});
    const mod = await jiti.import(abs, {default: true});
    return {file: display, value: mod, lineOf: () => undefined};
  } catch (error) {
    const err = error as Error & {loc?: {line?: number}};
    const line = err.loc?.line ?? Number(/:(\d+):\d+/.exec(err.message)?.[1]) ?? undefined;
    throw new InputError(`cannot load config: ${err.message.split('\n')[0]}`, {
      file: display,
      line: Number.isFinite(line) ? line : undefined,
      hint: 'the config must be a module whose default export is the config object',
      cause: error,
    });
  }
}

export interface LoadConfigOptions {
  cwd?: string;
  /** Commands that use no suite (check, ab) accept a config with none, or a suites glob that matches nothing yet. */
  suitesOptional?: boolean;
}

export async function loadConfig(configPath?: string, opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = opts.cwd ?? process.cwd();
  const abs = configPath ? resolve(cwd, configPath) : findConfigFile(cwd);
  const display = relative(cwd, abs) || abs;
  if (!existsSync(abs)) throw new InputError('config file not found', {file: display, hint: 'check the --config path'});
  const rootDir = dirname(abs);
  loadEnvFile(resolve(rootDir, '.env'));

  const structured = (await importConfigModule(abs, display)) as ReturnType<typeof parseStructuredFile>;
  const config = validate(configSchema, structured.value, {file: display, lineOf: structured.lineOf, what: 'config'});

  const providers: LoadedProvider[] = [];
  for (const [index, entry] of config.providers.entries()) {
    if (typeof entry === 'string') {
      for (const file of await expandGlob(entry, rootDir, display, ['providers', index])) {
        const fileDisplay = relative(cwd, file) || file;
        const parsed = parseStructuredFile(fileDisplay, decodeUtf8(await readFile(file), fileDisplay));
        const def = validate(providerSchema, parsed.value, {file: fileDisplay, lineOf: parsed.lineOf, what: 'provider definition', explain: explainProviderIssue});
        providers.push({...def, file: fileDisplay});
      }
    } else {
      const def = validate(providerSchema, entry, {file: display, lineOf: structured.lineOf, prefix: ['providers', index], what: 'provider definition', explain: explainProviderIssue});
      providers.push({...def, file: display});
    }
  }

  const models = new Map<string, LoadedModel>();
  const providerIds = new Map<string, string>();
  for (const provider of providers) {
    const previous = providerIds.get(provider.id);
    if (previous) throw new InputError(`provider id "${provider.id}" is defined twice (also in ${previous})`, {file: provider.file, field: 'id'});
    providerIds.set(provider.id, provider.file);
    checkProviderRules(provider);

    for (const m of provider.models) {
      const clash = models.get(m.label);
      if (clash) {
        throw new InputError(`model label "${m.label}" is used twice (also by provider "${clash.provider.id}")`, {
          file: provider.file,
          field: 'models.label',
          hint: 'labels name models in suites, reports and policies, so they must be unique across providers',
        });
      }
      models.set(m.label, {
        label: m.label,
        model: m.model,
        type: m.type,
        params: m.params ?? {},
        pricing: m.pricing ?? null,
        limits: m.limits,
        stream: m.stream ?? provider.stream ?? true,
        sim: m.sim,
        provider,
      });
    }
  }

  // Before the suites: a suite's judge grader that names no model inherits this one, and a typo here is the config's.
  if (config.judge !== undefined && !models.has(config.judge)) {
    throw new InputError(`judge "${config.judge}" is not a model label`, {file: display, field: 'judge', line: structured.lineOf(['judge']), hint: `known models: ${[...models.keys()].join(', ')}`});
  }

  // The run's config digest is fed as the suites load (each case as it is checked), in the order it hashes them.
  const digest = new ConfigDigestWriter(config, providers);
  const suites: LoadedSuite[] = [];
  for (const [index, entry] of config.suites.entries()) {
    const sources = typeof entry === 'string' ? await expandGlob(entry, rootDir, display, ['suites', index], opts.suitesOptional) : [entry];
    for (const source of sources) {
      suites.push(
        await loadSuite(source, {
          rootDir,
          configFile: display,
          index,
          cwd,
          graders: {defaultJudge: config.judge, functions: (config.graders ?? {}) as Record<string, CustomGraderFn>, models: new Set(models.keys())},
          digest,
        }),
      );
    }
  }
  const suiteIds = new Map<string, string>();
  for (const suite of suites) {
    const previous = suiteIds.get(suite.id);
    if (previous) throw new InputError(`suite id "${suite.id}" is defined twice (also in ${previous})`, {file: suite.file, field: 'id'});
    suiteIds.set(suite.id, suite.file);
    for (const label of suite.models ?? []) {
      if (!models.has(label)) {
        throw new InputError(`suite names model "${label}", which no provider defines`, {
          file: suite.file,
          field: 'models',
          hint: `known model labels: ${[...models.keys()].join(', ')}`,
        });
      }
    }
  }
  if (suites.length === 0 && !opts.suitesOptional) {
    throw new InputError('the config has no suites, so there is nothing to run', {
      file: display,
      field: 'suites',
      hint: 'add a suite file (see suites/ in a project made by `assay init`) and list it under `suites:`; `assay check` works without one',
    });
  }
  const loaded = {file: display, rootDir, config, providers, models, suites};
  digest.finish(loaded);
  return loaded;
}

async function expandGlob(pattern: string, rootDir: string, configFile: string, path: (string | number)[], emptyOk = false): Promise<string[]> {
  const files: string[] = [];
  if (!/[*?[{]/.test(pattern)) {
    const abs = isAbsolute(pattern) ? pattern : resolve(rootDir, pattern);
    if (!existsSync(abs)) throw new InputError(`file "${pattern}" not found`, {file: configFile, field: path.join('.')});
    return [abs];
  }
  for await (const file of glob(pattern, {cwd: rootDir})) files.push(resolve(rootDir, file));
  if (files.length === 0 && !emptyOk) {
    throw new InputError(`no files match "${pattern}"`, {file: configFile, field: path.join('.'), hint: 'patterns are relative to the config file'});
  }
  return files.sort();
}
