import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {join, relative, resolve} from 'node:path';
import {CONFIG_NAMES} from '../config/load-config.ts';
import {InputError} from '../core/errors.ts';

export interface InitOptions {
  /** The folder to set up (created if missing); default the current directory. */
  dir?: string;
  cwd?: string;
}

export interface InitOutcome {
  dir: string;
  /** Paths written, relative to `dir`. */
  files: string[];
}

const CONFIG = `# assay config. providers/*.yaml are the models to compare; suites/*.yaml are what to ask them.
# \`assay run\` works at once, offline: providers/sandbox.yaml is a simulated model served by assay itself.
# Add a real provider with \`assay add provider NAME\` (\`assay add provider --list\` shows the presets),
# then \`assay check\` it before a run.
providers: [providers/*.yaml]
suites: [suites/*.yaml]
outDir: reports
`;

const SANDBOX_PROVIDER = `# A simulated model served by assay's built-in sandbox over the real OpenAI wire format: no key, no network.
# Keep it as a baseline, or delete this file once a real provider is set up.
id: sandbox
type: sandbox
wire: openai
models:
  - label: sim-small
    model: sim-small
    params: { temperature: 0, maxTokens: 64 }
    sim: { accuracy: 0.8, ttftMs: 40, msPerToken: 2 }
`;

const SUITE = `# A first suite: each case fills {{country}} in the prompt; exact-match compares the answer with \`expected\`.
# Replace the cases with your own, or point \`dataset:\` at a CSV, JSON or JSONL file instead.
id: smoke
description: Capital cities, answered with the bare name.
prompt: "What is the capital of {{country}}? Answer with the city name only."
cases:
  - { country: France, expected: Paris }
  - { country: Japan, expected: Tokyo }
  - { country: Kenya, expected: Nairobi }
  - { country: Canada, expected: Ottawa }
  - { country: Australia, expected: Canberra }
  - { country: Brazil, expected: Brasília }
graders:
  - type: exact-match
`;

const ENV_EXAMPLE = `# Copy to .env (never commit .env) and fill in the keys of the providers you use.
# Each providers/*.yaml names its variable under auth.env; these are the presets' defaults.
# OPENAI_API_KEY=
# ANTHROPIC_API_KEY=
# GEMINI_API_KEY=
# AZURE_OPENAI_API_KEY=
# OPENROUTER_API_KEY=
# GROQ_API_KEY=
# Token auth reads client ids and secrets from variables too, e.g.:
# AZURE_TENANT_ID=
# AZURE_CLIENT_ID=
# AZURE_CLIENT_SECRET=
# GOOGLE_APPLICATION_CREDENTIALS=/path/to/service-account.json
`;

const GITIGNORE = `# assay: run reports, the response cache, and secrets
reports/
.assay/
.env
`;

/** Creates a working assay project: config, a sandbox provider, one suite, .env.example and .gitignore. Everything `assay init` does. */
export function initProject(opts: InitOptions = {}): InitOutcome {
  const cwd = opts.cwd ?? process.cwd();
  const dir = resolve(cwd, opts.dir ?? '.');
  const shown = relative(cwd, dir) || '.';
  const existing = CONFIG_NAMES.find((name) => existsSync(join(dir, name)));
  if (existing) {
    throw new InputError(`${shown} already has an assay config (${existing})`, {
      file: join(shown, existing),
      hint: 'run `assay init` in an empty folder, or add providers to this project with `assay add provider NAME`',
    });
  }
  const files: Array<[string, string]> = [
    ['bench.config.yaml', CONFIG],
    ['providers/sandbox.yaml', SANDBOX_PROVIDER],
    ['suites/smoke.yaml', SUITE],
    ['.env.example', ENV_EXAMPLE],
    ['.gitignore', GITIGNORE],
  ];
  const written: string[] = [];
  for (const [path, text] of files) {
    const abs = join(dir, path);
    // Never overwrite: a .gitignore or a suite the user already has stays as it is.
    if (existsSync(abs)) continue;
    mkdirSync(join(abs, '..'), {recursive: true});
    writeFileSync(abs, text, {flag: 'wx'});
    written.push(path);
  }
  return {dir: shown, files: written};
}
