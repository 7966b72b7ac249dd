import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadConfig} from '../src/config/load-config.ts';
import {providerSchema} from '../src/config/schema.ts';
import {loadPresets} from '../src/scaffold/load-presets.ts';
import {createProviderClient} from '../src/providers/create-client.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {providerFromPreset} from '../src/scaffold/add-provider.ts';
import {makeProject, runCli} from './helpers.ts';
import {SandboxProcess} from './sandbox-process.ts';

const REQUIRED = ['openai', 'azure-openai', 'anthropic', 'gemini', 'vertex', 'bedrock', 'mistral', 'groq', 'together', 'fireworks', 'deepseek', 'xai', 'openrouter', 'xroute', 'ollama', 'vllm', 'lmstudio', 'llamacpp'];

describe('provider presets', () => {
  const presets = loadPresets();

  it('cover every provider the issue names, carry no prices, and each gives a provider file that validates', async () => {
    expect(presets.map((p) => p.name)).toEqual(expect.arrayContaining(REQUIRED));
    const files: Record<string, string> = {'bench.config.json': JSON.stringify({providers: ['providers/*.yaml']})};
    for (const preset of presets) {
      expect(JSON.stringify(preset.provider)).not.toMatch(/pricing|PerMTok/);
      const def = providerFromPreset(preset, {});
      files[`providers/${preset.name}.yaml`] = JSON.stringify(def);
    }
    const loaded = await loadConfig(undefined, {cwd: makeProject(files), suitesOptional: true});
    expect(loaded.providers.map((p) => p.id).sort()).toEqual(presets.map((p) => p.name).sort());
    for (const p of loaded.providers) {
      if (p.type === 'openai-compatible') expect(p.baseURL, p.id).toMatch(/^https?:\/\//);
      // Hosted APIs name the variable that holds their key; local servers take none.
      const local = p.baseURL !== undefined && /127\.0\.0\.1|localhost/.test(p.baseURL);
      if (p.type === 'openai-compatible' && !local) expect(p.auth?.env, p.id).toMatch(/^[A-Z_]+_API_KEY$/);
      if (local) expect(p.auth?.type, p.id).toBe('none');
    }
    expect(loaded.providers.find((p) => p.id === 'xroute')!.baseURL).toBe('https://api.xroute.ai/openai/v1');
  });

  it('mistral does not send stream_options (Mistral answers 422 to it); others ask for usage in streams', async () => {
    const sandbox = await SandboxProcess.start({latencyScale: 0, anyModel: true});
    try {
      const usage = async (compat: Record<string, unknown> | undefined) => {
        const def = providerSchema.parse({id: 'x', type: 'openai-compatible', baseURL: `${sandbox.url}/v1`, ...(compat && {compat}), models: [{label: 'm', model: 'm'}]});
        const client = await createProviderClient({...def, file: 'x.yaml'}, {warn: () => {}, env: {}});
        const c = await client.complete('m', {messages: [{role: 'user', content: 'hi'}], params: {}, stream: true, timeoutMs: 20_000});
        return c.inputTokens;
      };
      const mistral = presets.find((p) => p.name === 'mistral')!;
      expect(await usage((mistral.provider as {compat: Record<string, unknown>}).compat)).toBeNull();
      expect(await usage(undefined)).toBeGreaterThan(0);
    } finally {
      await sandbox.close();
    }
  });
});

describe('assay init and assay add provider', () => {
  let sandbox: SandboxProcess;
  beforeAll(async () => {
    sandbox = await SandboxProcess.start({latencyScale: 0, models: ['llama3.2', 'qwen2.5:7b'].map((id) => resolveSimModel(id, undefined))});
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('init makes a project whose run works offline at once, and refuses to init it twice', async () => {
    const cwd = makeProject({});
    const init = await runCli(['init', 'evals'], {cwd});
    expect(init.code, init.stderr).toBe(0);
    const dir = join(cwd, 'evals');
    for (const file of ['bench.config.yaml', 'providers/sandbox.yaml', 'suites/smoke.yaml', '.env.example', '.gitignore']) expect(existsSync(join(dir, file)), file).toBe(true);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^reports\/$/m);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
    const run = await runCli(['run', '--json'], {cwd: dir});
    expect(run.code, run.stderr).toBe(0);
    const again = await runCli(['init'], {cwd: dir});
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already has an assay config');
  });

  it('add provider ollama against a local OpenAI-compatible server writes the file, lists its models and checks it', async () => {
    const cwd = makeProject({});
    expect((await runCli(['init'], {cwd})).code).toBe(0);
    const add = await runCli(['add', 'provider', 'ollama', '--base-url', `${sandbox.url}/v1`], {cwd});
    expect(add.code, add.stderr + add.stdout).toBe(0);
    expect(add.stdout).toContain('wrote providers/ollama.yaml');
    expect(add.stdout).toMatch(/2 models offered:\n\s+llama3\.2\n\s+qwen2\.5:7b/);
    expect(add.stdout).toContain('every step passed');
    const written = readFileSync(join(cwd, 'providers/ollama.yaml'), 'utf8');
    expect(written).toMatch(/^# Ollama, from the assay preset "ollama"/);
    expect(written).toContain(`baseURL: ${sandbox.url}/v1`);

    const twice = await runCli(['add', 'provider', 'ollama', '--no-check'], {cwd});
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--force');

    const picked = await runCli(['add', 'provider', 'ollama', '--id', 'local', '--base-url', `${sandbox.url}/v1`, '--model', 'qwen2.5:7b', '--json'], {cwd});
    expect(picked.code, picked.stderr).toBe(0);
    const outcome = JSON.parse(picked.stdout);
    expect(outcome).toMatchObject({providerId: 'local', listed: ['llama3.2', 'qwen2.5:7b'], check: {ok: true}});
    expect(readFileSync(join(cwd, 'providers/local.yaml'), 'utf8')).toContain('model: qwen2.5:7b');
  });

  it('a hosted preset without its key set says which variable to set, and the check fails with the fix', async () => {
    const cwd = makeProject({});
    await runCli(['init'], {cwd});
    writeFileSync(join(cwd, '.env'), '');
    const add = await runCli(['add', 'provider', 'groq', '--base-url', `${sandbox.url}/v1`], {cwd, env: {GROQ_API_KEY: undefined}});
    expect(add.code).toBe(1);
    expect(add.stdout).toContain('models not listed: environment variable GROQ_API_KEY is not set');
    expect(add.stdout).toContain('fix: export GROQ_API_KEY=');
  });

  it('--list shows every preset with its base URL and key variable', async () => {
    const list = await runCli(['add', 'provider', '--list'], {cwd: makeProject({})});
    expect(list.code).toBe(0);
    for (const name of REQUIRED) expect(list.stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
    expect(list.stdout).toMatch(/^openrouter\s+openai-compatible\s+\$OPENROUTER_API_KEY\s+https:\/\/openrouter\.ai\/api\/v1$/m);
  });
});
