import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {stringify} from 'yaml';
import {findConfigFile, loadConfig} from '../config/load-config.ts';
import {checkProviderRules} from '../config/provider-rules.ts';
import {explainProviderIssue} from '../config/explain-provider-issue.ts';
import {providerSchema} from '../config/schema.ts';
import {validate} from '../config/validate.ts';
import {InputError} from '../core/errors.ts';
import {runCheck, type CheckReport} from '../check/run-check.ts';
import {findPreset, loadPresets, type Preset} from './load-presets.ts';
import {createProviderClient, keyEnvOf} from '../providers/create-client.ts';
import {ProviderError} from '../providers/provider-error.ts';

export interface AddProviderOptions {
  /** The preset's name (assay add provider --list). */
  preset: string;
  /** Provider id and file name; default the preset's name. */
  id?: string;
  /** Where the API is, instead of the preset's (a local server's port, a gateway); for azure-openai the endpoint. */
  baseURL?: string;
  /** Model ids to put in the file instead of the preset's example. */
  models?: string[];
  /** Replace an existing providers/ID.yaml. */
  force?: boolean;
  /** Run `assay check` on the new provider (default yes). */
  check?: boolean;
  config?: string;
  cwd?: string;
}

export interface AddProviderOutcome {
  preset: Preset;
  providerId: string;
  /** The file written, relative to cwd. */
  file: string;
  /** The variable holding the key, when the provider takes one. */
  keyEnv: string | null;
  /** Model ids the provider lists; null when they could not be listed (see modelsNote). */
  listed: string[] | null;
  modelsNote: string | null;
  /** False when the config's `providers` does not pick up the new file: say so, do not edit the config. */
  inConfig: boolean;
  check: CheckReport | null;
}

export interface PresetSummary {
  name: string;
  title: string;
  type: string;
  /** Base URL, or for azure-openai and Vertex what must be filled in. */
  baseURL: string;
  auth: string;
  docs: string;
}

const SDK_DEFAULT_URL: Record<string, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
  bedrock: 'https://bedrock-runtime.REGION.amazonaws.com',
};

/** The presets as `assay add provider --list` shows them. */
export function listPresets(): PresetSummary[] {
  return loadPresets().map((preset) => {
    const p = preset.provider as {type: string; baseURL?: string; endpoint?: string; vertex?: unknown; auth?: {type?: string; env?: string}};
    const baseURL = p.baseURL ?? p.endpoint ?? (p.vertex ? 'https://LOCATION-aiplatform.googleapis.com' : SDK_DEFAULT_URL[p.type] ?? '(the SDK default)');
    const auth = p.auth?.env ? `$${p.auth.env}` : p.auth?.type === 'none' ? 'no key' : p.auth?.type === 'google-adc' ? 'Google ADC' : p.type === 'bedrock' ? 'AWS SigV4 ($AWS_ACCESS_KEY_ID…)' : (p.auth?.type ?? 'key');
    return {name: preset.name, title: preset.title, type: p.type, baseURL, auth, docs: preset.docs};
  });
}

function label(id: string, model: string): string {
  return `${id}-${model.replace(/^.*\//, '').replace(/[^A-Za-z0-9._-]+/g, '-')}`;
}

/** The provider definition a preset gives, adjusted by the options, validated as any provider file is. */
export function providerFromPreset(preset: Preset, opts: Pick<AddProviderOptions, 'id' | 'baseURL' | 'models'>, file = `providers/${opts.id ?? preset.name}.yaml`): Record<string, unknown> {
  const id = opts.id ?? preset.name;
  const def: Record<string, unknown> = {id, ...structuredClone(preset.provider)};
  if (opts.baseURL) def[def.type === 'azure-openai' ? 'endpoint' : 'baseURL'] = opts.baseURL;
  if (opts.models?.length) def.models = opts.models.map((model) => ({label: label(id, model), model}));
  const parsed = validate(providerSchema, def, {file, what: 'provider definition', explain: explainProviderIssue});
  checkProviderRules({...parsed, file});
  return def;
}

function header(preset: Preset): string {
  const lines = [`${preset.title}, from the assay preset "${preset.name}". API reference: ${preset.docs}`];
  if (preset.notes) lines.push(...preset.notes.match(/.{1,100}(\s|$)/g)!.map((l) => l.trim()));
  lines.push('Prices are not in presets: add pricing: { inputPerMTok, outputPerMTok } to each model for costs.');
  return `${lines.map((l) => `# ${l}`).join('\n')}\n`;
}

/**
 * Writes providers/ID.yaml from a preset, lists the models the provider offers (when its credentials
 * are set), and runs `assay check` on it. Everything `assay add provider` does.
 */
export async function addProvider(opts: AddProviderOptions): Promise<AddProviderOutcome> {
  const cwd = opts.cwd ?? process.cwd();
  const preset = findPreset(opts.preset);
  const configFile = opts.config ? resolve(cwd, opts.config) : findConfigFile(cwd);
  if (!existsSync(configFile)) {
    throw new InputError('no assay config here', {file: relative(cwd, configFile) || configFile, hint: 'run `assay init` first, or pass --config'});
  }
  const id = opts.id ?? preset.name;
  if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new InputError(`provider id "${id}" can only have letters, digits, dot, dash and underscore`, {hint: 'pick another --id'});
  const abs = join(dirname(configFile), 'providers', `${id}.yaml`);
  const file = relative(cwd, abs) || abs;
  if (existsSync(abs) && !opts.force) throw new InputError(`${file} exists already`, {file, hint: 'pick another --id, or pass --force to replace it'});
  const def = providerFromPreset(preset, opts, file);
  mkdirSync(dirname(abs), {recursive: true});
  writeFileSync(abs, header(preset) + stringify(def, {lineWidth: 0, flowCollectionPadding: true}));

  const loaded = await loadConfig(opts.config, {cwd, suitesOptional: true});
  const provider = loaded.providers.find((p) => p.id === id && resolve(cwd, p.file) === abs);
  const keyEnv = provider ? (keyEnvOf(provider) ?? null) : null;
  if (!provider) return {preset, providerId: id, file, keyEnv, listed: null, modelsNote: `${relative(cwd, configFile)} does not list ${file} under providers`, inConfig: false, check: null};

  let listed: string[] | null = null;
  let modelsNote: string | null = null;
  try {
    const client = await createProviderClient(provider, {warn: () => {}});
    listed = await client.listModels();
  } catch (error) {
    modelsNote =
      error instanceof InputError
        ? `models not listed: ${error.message.replace(/^.*?field "[^"]+": /, '')}`
        : `models not listed: ${error instanceof ProviderError ? error.message : (error as Error).message}`;
  }
  const check = opts.check === false ? null : await runCheck({config: opts.config, cwd, providers: [id]});
  return {preset, providerId: id, file, keyEnv, listed, modelsNote, inConfig: true, check};
}
