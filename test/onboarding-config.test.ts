import {describe, expect, it} from 'vitest';
import {loadConfig} from '../src/config/load-config.ts';
import {InputError} from '../src/core/errors.ts';
import {makeProject, runCli} from './helpers.ts';

const PROVIDER = `id: sim
type: sandbox
wire: openai
models:
  - { label: weak, model: weak, sim: { accuracy: 0.5, ttftMs: 0, msPerToken: 0 } }
  - { label: strong, model: strong, sim: { accuracy: 0.9, ttftMs: 0, msPerToken: 0 } }
`;

async function loadError(provider: string): Promise<InputError> {
  const dir = makeProject({'bench.config.json': JSON.stringify({providers: ['p.yaml']}), 'p.yaml': provider});
  const error = await loadConfig(undefined, {cwd: dir, suitesOptional: true}).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('onboarding a provider before any suite exists', () => {
  it('assay check and assay ab accept no suites, or a suites glob that matches nothing yet; assay run says what is missing', async () => {
    const traffic = Array.from({length: 30}, (_, i) => JSON.stringify({id: `r${i}`, messages: [{role: 'user', content: `q${i}`}], expected: `a${i}`})).join('\n');
    for (const suites of [undefined, [], ['suites/*.yaml']]) {
      const cwd = makeProject({'bench.config.json': JSON.stringify({providers: ['p.yaml'], ...(suites && {suites}), sandbox: {latencyScale: 0}}), 'p.yaml': PROVIDER, 'traffic.jsonl': `${traffic}\n`});
      const check = await runCli(['check', '--json'], {cwd});
      expect(check.stderr).toBe('');
      expect(check.code).toBe(0);
      expect(JSON.parse(check.stdout).ok).toBe(true);
      const ab = await runCli(['ab', '--control', 'weak', '--treatment', 'strong', '--sample', 'traffic.jsonl', '--json'], {cwd});
      expect(ab.code, ab.stderr).toBe(0);
      const run = await runCli(['run'], {cwd});
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/field "suites(\.0)?": (the config has no suites|no files match)/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('provider rules for the new types and auth types', () => {
  it('an azure-openai provider without endpoint', async () => {
    const e = await loadError('id: az\ntype: azure-openai\napiVersion: "2024-10-21"\nmodels: [{label: a, model: dep}]\n');
    expect(e.message).toContain('field "endpoint"');
    expect(e.hint).toContain('deployment');
  });

  it('oauth2 without a token URL, and a field of another auth type', async () => {
    const missing = await loadError('id: gw\ntype: openai-compatible\nbaseURL: http://127.0.0.1:9/v1\nauth: {type: oauth2, clientIdEnv: A, clientSecretEnv: B}\nmodels: [{label: a, model: m}]\n');
    expect(missing.message).toContain('auth.tokenURL');
    const stray = await loadError('id: gw\ntype: openai-compatible\nbaseURL: http://127.0.0.1:9/v1\nauth: {type: command, command: "echo t", tokenURL: "http://x/token"}\nmodels: [{label: a, model: m}]\n');
    expect(stray.message).toContain('auth.tokenURL does not apply to auth type command');
    expect(stray.hint).toContain('oauth2');
  });

  it('a secret where the name of a variable belongs', async () => {
    const e = await loadError('id: gw\ntype: openai-compatible\nbaseURL: http://127.0.0.1:9/v1\nauth: {type: oauth2, tokenURL: "http://127.0.0.1:9/token", clientIdEnv: A, clientSecretEnv: "s3cr3t-value!"}\nmodels: [{label: a, model: m}]\n');
    expect(e.message).toContain('NAME of an environment variable');
    expect(e.message).toContain('p.yaml');
  });

  it('vertex on a provider that is not gemini', async () => {
    const e = await loadError('id: v\ntype: openai\nvertex: {project: p, location: l}\nmodels: [{label: a, model: m}]\n');
    expect(e.message).toContain('`vertex` is for providers of type gemini');
  });
});
