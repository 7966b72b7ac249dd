import {generateKeyPairSync} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LoadedProvider} from '../src/config/load-config.ts';
import {providerSchema, type ProviderInput} from '../src/config/schema.ts';
import {InputError} from '../src/core/errors.ts';
import {createProviderClient} from '../src/providers/create-client.ts';
import type {CompletionRequest, ProviderClient} from '../src/providers/provider-client.ts';
import {ProviderError} from '../src/providers/provider-error.ts';
import {makeProject} from './helpers.ts';
import {SandboxProcess} from './sandbox-process.ts';

// Azure OpenAI, Vertex AI, OAuth2 client credentials, Entra ID and token commands through the real SDKs over
// real HTTP, against the sandbox in its own process (its token endpoint included). Nothing leaves loopback.

const CLIENT_SECRET = 'cs-very-secret-value-123';
const AZURE_KEY = 'azure-key-abcdef123456';

const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048, privateKeyEncoding: {type: 'pkcs8', format: 'pem'}, publicKeyEncoding: {type: 'spki', format: 'pem'}});
const SERVICE_ACCOUNT = 'assay-test@proj-1.iam.gserviceaccount.com';

let sandbox: SandboxProcess;
let shortLived: SandboxProcess;

beforeAll(async () => {
  const tokens = {clients: {'client-1': CLIENT_SECRET}, serviceAccounts: {[SERVICE_ACCOUNT]: publicKey}, scopes: ['llm.invoke', 'https://cognitiveservices.azure.com/.default']};
  [sandbox, shortLived] = await Promise.all([
    SandboxProcess.start({latencyScale: 0, anyModel: true, tokens}),
    SandboxProcess.start({latencyScale: 0, anyModel: true, tokens: {...tokens, expiresInS: 1}}),
  ]);
});
afterAll(async () => {
  await Promise.all([sandbox?.close(), shortLived?.close()]);
});

function provider(def: ProviderInput): LoadedProvider {
  return {...providerSchema.parse(def), file: 'providers/test.yaml'};
}

async function client(def: ProviderInput, env: NodeJS.ProcessEnv = {}): Promise<ProviderClient> {
  return createProviderClient(provider(def), {warn: () => {}, env});
}

function ask(stream: boolean, prompt = 'What is 2+2?'): CompletionRequest {
  return {messages: [{role: 'user', content: prompt}], params: {maxTokens: 20}, stream, timeoutMs: 20_000};
}

async function tokenStats(url: string): Promise<{requests: number; issued: number}> {
  return (await fetch(`${url}/sandbox/tokens`)).json() as Promise<{requests: number; issued: number}>;
}

async function lastLog(s: SandboxProcess) {
  return (await s.log()).at(-1)!;
}

async function rejection(work: Promise<unknown>): Promise<ProviderError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as {port: number};
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const oauth2 = (url: string, extra: Record<string, unknown> = {}): ProviderInput => ({
  id: 'gateway',
  type: 'openai-compatible',
  baseURL: `${url}/v1`,
  auth: {type: 'oauth2', tokenURL: `${url}/oauth2/token`, clientIdEnv: 'GW_CLIENT_ID', clientSecretEnv: 'GW_CLIENT_SECRET', scope: 'llm.invoke', ...extra},
  models: [{label: 'gw-model', model: 'gw-model'}],
});
const gwEnv = {GW_CLIENT_ID: 'client-1', GW_CLIENT_SECRET: CLIENT_SECRET};

describe('Azure OpenAI through the SDK\'s Azure client', () => {
  it('puts the deployment in the path, api-version in the query and the key in "api-key", plain and streamed', async () => {
    const c = await client({id: 'azure', type: 'azure-openai', endpoint: sandbox.url, apiVersion: '2024-10-21', models: [{label: 'gpt4o-eu', model: 'gpt4o-eu-deployment'}]}, {AZURE_OPENAI_API_KEY: AZURE_KEY});
    for (const stream of [false, true]) {
      const answer = await c.complete('gpt4o-eu-deployment', ask(stream));
      expect(answer.text.length).toBeGreaterThan(0);
      const log = await lastLog(sandbox);
      expect(log).toMatchObject({path: '/openai/deployments/gpt4o-eu-deployment/chat/completions', auth: 'api-key', model: 'gpt4o-eu-deployment', stream, status: 200});
    }
  });

  it('speaks the v1 API at {endpoint}/openai/v1 when there is no apiVersion', async () => {
    const c = await client({id: 'azure-v1', type: 'azure-openai', endpoint: sandbox.url, models: [{label: 'a', model: 'gpt-4o'}]}, {AZURE_OPENAI_API_KEY: AZURE_KEY});
    await c.complete('gpt-4o', ask(false));
    expect(await lastLog(sandbox)).toMatchObject({path: '/openai/v1/chat/completions', auth: 'api-key', status: 200});
  });

  it('authenticates with Microsoft Entra ID client credentials (authority host overridden to the sandbox)', async () => {
    const def: ProviderInput = {
      id: 'azure-entra',
      type: 'azure-openai',
      endpoint: sandbox.url,
      apiVersion: '2024-10-21',
      auth: {type: 'azure-entra', tenantId: 'tenant-1', authorityHost: sandbox.url},
      models: [{label: 'e', model: 'dep-e'}],
    };
    const c = await client(def, {AZURE_CLIENT_ID: 'client-1', AZURE_CLIENT_SECRET: CLIENT_SECRET});
    for (const stream of [false, true]) {
      await c.complete('dep-e', ask(stream));
      expect(await lastLog(sandbox)).toMatchObject({path: '/openai/deployments/dep-e/chat/completions', auth: 'bearer', status: 200, stream});
    }
    const bad = await client(def, {AZURE_CLIENT_ID: 'client-1', AZURE_CLIENT_SECRET: 'wrong-secret-value'});
    const error = await rejection(bad.complete('dep-e', ask(false)));
    expect(error.errorClass).toBe('auth');
    expect(error.message).toContain('invalid_client');
    expect(error.hint).toContain('$AZURE_CLIENT_SECRET');
  });
});

describe('OAuth2 client credentials (RFC 6749 4.4)', () => {
  it('fetches one token for many requests, plain and streamed, and never shows the secret', async () => {
    const before = await tokenStats(sandbox.url);
    const c = await client(oauth2(sandbox.url), gwEnv);
    await Promise.all([c.complete('gw-model', ask(false)), c.complete('gw-model', ask(true)), c.complete('gw-model', ask(false, 'again'))]);
    expect(await lastLog(sandbox)).toMatchObject({auth: 'bearer', status: 200});
    expect((await tokenStats(sandbox.url)).requests - before.requests).toBe(1);
  });

  it('sends the client credentials in the form body when clientAuth is body', async () => {
    const c = await client(oauth2(sandbox.url, {clientAuth: 'body'}), gwEnv);
    expect((await c.complete('gw-model', ask(false))).text.length).toBeGreaterThan(0);
  });

  it('gets a new token once when the API answers 401 (a revoked token), and the request succeeds', async () => {
    const c = await client(oauth2(sandbox.url), gwEnv);
    await c.complete('gw-model', ask(false));
    const before = await tokenStats(sandbox.url);
    await fetch(`${sandbox.url}/sandbox/tokens/revoke`, {method: 'POST'});
    await Promise.all([c.complete('gw-model', ask(false)), c.complete('gw-model', ask(true))]);
    const after = await tokenStats(sandbox.url);
    expect(after.requests - before.requests).toBeGreaterThanOrEqual(1);
    expect(after.requests - before.requests).toBeLessThanOrEqual(2);
  });

  it('renews a token that has expired before using it', async () => {
    const c = await client(oauth2(shortLived.url), gwEnv);
    await c.complete('gw-model', ask(false));
    const before = await tokenStats(shortLived.url);
    await sleep(1_100); // the 1 s token is past its expiry now (a lower bound only)
    await c.complete('gw-model', ask(true));
    expect((await tokenStats(shortLived.url)).requests).toBeGreaterThan(before.requests);
  });

  it('diagnoses a wrong secret, a wrong scope and an unreachable token endpoint', async () => {
    const wrongSecret = await rejection((await client(oauth2(sandbox.url), {...gwEnv, GW_CLIENT_SECRET: 'not-the-secret-xyz'})).complete('gw-model', ask(false)));
    expect(wrongSecret).toMatchObject({errorClass: 'auth', status: 401, retryable: false});
    expect(wrongSecret.message).toContain('invalid_client');
    expect(wrongSecret.hint).toContain('$GW_CLIENT_SECRET');
    expect(`${wrongSecret.message} ${wrongSecret.hint}`).not.toContain('not-the-secret-xyz');

    const wrongScope = await rejection((await client(oauth2(sandbox.url, {scope: 'admin.everything'}), gwEnv)).complete('gw-model', ask(false)));
    expect(wrongScope.errorClass).toBe('auth');
    expect(wrongScope.message).toContain('invalid_scope');
    expect(wrongScope.hint).toContain('auth.scope');

    const port = await closedPort();
    const def = oauth2(sandbox.url);
    def.auth = {...def.auth, tokenURL: `http://127.0.0.1:${port}/oauth2/token`};
    const unreachable = await rejection((await client(def, gwEnv)).complete('gw-model', ask(false)));
    expect(unreachable.errorClass).toBe('network');
    expect(unreachable.retryable).toBe(true);
    expect(unreachable.message).toContain('ECONNREFUSED');
  });

  it('names the missing variable before any request', async () => {
    await expect(client(oauth2(sandbox.url), {GW_CLIENT_ID: 'client-1'})).rejects.toThrow(InputError);
    await expect(client(oauth2(sandbox.url), {GW_CLIENT_ID: 'client-1'})).rejects.toThrow(/GW_CLIENT_SECRET/);
  });
});

describe('a token command', () => {
  const project = makeProject({});
  const counter = join(project, 'runs.txt');
  writeFileSync(counter, '');
  const node = JSON.stringify(process.execPath);
  const printer = join(project, 'print-token.mjs');
  writeFileSync(printer, `import {appendFileSync} from 'node:fs'; appendFileSync(${JSON.stringify(counter)}, 'x'); process.stdout.write(JSON.stringify({accessToken: 'cmd-token-0123456789', expires_on: Math.floor(Date.now() / 1000) + 3600}) + '\\n');`);
  const failing = join(project, 'fail.mjs');
  writeFileSync(failing, `process.stderr.write('ERROR: AADSTS700082: The refresh token has expired. Run az login.\\n'); process.exit(3);`);

  it('runs once for many requests (az-style JSON with its expiry), plain and streamed', async () => {
    // The plain sandbox accepts any bearer token: this is about getting it there.
    const plain = await SandboxProcess.start({latencyScale: 0, anyModel: true});
    try {
      const c = await client({id: 'cmd', type: 'openai-compatible', baseURL: `${plain.url}/v1`, auth: {type: 'command', command: `${node} ${JSON.stringify(printer)}`}, models: [{label: 'm', model: 'm'}]});
      await c.complete('m', ask(false));
      await c.complete('m', ask(true));
      expect((await plain.log()).map((l) => l.auth)).toEqual(['bearer', 'bearer']);
      expect(readFileSync(counter, 'utf8')).toBe('x');
    } finally {
      await plain.close();
    }
  });

  it('reports a failing command with its exit code, its last words and how to fix it', async () => {
    const c = await client({id: 'cmd', type: 'openai-compatible', baseURL: `${sandbox.url}/v1`, auth: {type: 'command', command: `${node} ${JSON.stringify(failing)}`}, models: [{label: 'm', model: 'm'}]});
    const error = await rejection(c.complete('m', ask(false)));
    expect(error).toMatchObject({errorClass: 'auth', retryable: false});
    expect(error.message).toContain('exit 3');
    expect(error.message).toContain('AADSTS700082');
    expect(error.hint).toContain('az login');
  });
});

describe('Gemini on Vertex AI through @google/genai', () => {
  const project = makeProject({});
  const keyFile = join(project, 'service-account.json');

  function vertexClient(tokenURL: string, email = SERVICE_ACCOUNT) {
    writeFileSync(keyFile, JSON.stringify({type: 'service_account', project_id: 'proj-1', private_key_id: 'k1', private_key: privateKey, client_email: email, token_uri: tokenURL}));
    return client(
      {id: 'vertex', type: 'gemini', baseURL: sandbox.url, vertex: {project: 'proj-1', location: 'europe-west4'}, models: [{label: 'v', model: 'gemini-2.5-flash'}]},
      {GOOGLE_APPLICATION_CREDENTIALS: keyFile},
    );
  }

  it('exchanges a signed service-account assertion at the file\'s token_uri and calls the Vertex paths, plain and streamed', async () => {
    const c = await vertexClient(`${sandbox.url}/token`);
    for (const stream of [false, true]) {
      const answer = await c.complete('gemini-2.5-flash', ask(stream));
      expect(answer.text.length).toBeGreaterThan(0);
      expect(await lastLog(sandbox)).toMatchObject({
        path: `/v1beta1/projects/proj-1/locations/europe-west4/publishers/google/models/gemini-2.5-flash:${stream ? 'streamGenerateContent' : 'generateContent'}`,
        auth: 'bearer',
        status: 200,
      });
    }
    expect(await c.listModels()).toContain('gemini-2.5-flash');
  });

  it('diagnoses a key the token endpoint does not know', async () => {
    const c = await vertexClient(`${sandbox.url}/token`, 'someone-else@proj-1.iam.gserviceaccount.com');
    const error = await rejection(c.complete('gemini-2.5-flash', ask(false)));
    expect(error.errorClass).toBe('auth');
    expect(error.message).toContain('invalid_grant');
    expect(error.hint).toContain('service account');
  });
});

describe('assay check with token auth, and no suites yet', () => {
  it('passes for working token providers and names the cause of each token failure', async () => {
    const keyFile = join(makeProject({}), 'sa.json');
    writeFileSync(keyFile, JSON.stringify({type: 'service_account', private_key_id: 'k1', private_key: privateKey, client_email: SERVICE_ACCOUNT, token_uri: `${sandbox.url}/token`}));
    const stale = join(makeProject({}), 'stale.mjs');
    writeFileSync(stale, `process.stdout.write('stale-token-not-issued-0001\\n');`);
    const gateway = (id: string, scope: string) => ({...oauth2(sandbox.url, {scope, clientIdEnv: 'CHK_CLIENT_ID', clientSecretEnv: 'CHK_CLIENT_SECRET'}), id, models: [{label: `${id}-m`, model: 'gw-model'}]});
    const dir = makeProject({
      'assay.config.json': JSON.stringify({
        providers: [
          gateway('gw-ok', 'llm.invoke'),
          gateway('gw-scope', 'admin.everything'),
          {id: 'vertex', type: 'gemini', baseURL: sandbox.url, vertex: {project: 'p', location: 'us-central1'}, auth: {type: 'google-adc', credentialsFile: keyFile}, models: [{label: 'vx', model: 'gemini-2.5-flash'}]},
          {id: 'stale', type: 'openai-compatible', baseURL: `${sandbox.url}/v1`, auth: {type: 'command', command: `${JSON.stringify(process.execPath)} ${JSON.stringify(stale)}`}, models: [{label: 'st', model: 'm'}]},
          {id: 'azure-ok', type: 'azure-openai', endpoint: sandbox.url, apiVersion: '2024-10-21', auth: {env: 'CHK_AZURE_KEY'}, models: [{label: 'az-ok', model: 'dep-1'}]},
          {id: 'azure-bad', type: 'azure-openai', endpoint: sandbox.url, apiVersion: '2024-10-21', auth: {env: 'CHK_AZURE_BAD_KEY'}, models: [{label: 'az-bad', model: 'dep-1'}]},
          {id: 'no-secret', type: 'openai-compatible', baseURL: `${sandbox.url}/v1`, auth: {type: 'oauth2', tokenURL: `${sandbox.url}/oauth2/token`, clientIdEnv: 'CHK_CLIENT_ID', clientSecretEnv: 'CHK_UNSET_SECRET'}, models: [{label: 'ns', model: 'm'}]},
        ],
        suites: [],
      }),
      '.env': `CHK_CLIENT_ID=client-1\nCHK_CLIENT_SECRET=${CLIENT_SECRET}\nCHK_AZURE_KEY=${AZURE_KEY}\nCHK_AZURE_BAD_KEY=invalid-key\n`,
    });
    const {runCheck} = await import('../src/check/run-check.ts');
    const report = await runCheck({config: 'assay.config.json', cwd: dir, timeoutMs: 20_000});
    const byId = Object.fromEntries(report.providers.map((p) => [p.id, p]));
    const step = (id: string, name: string) => byId[id]!.steps.find((s) => s.name === name)!;

    expect(byId['gw-ok']!.ok).toBe(true);
    expect(step('gw-ok', 'token').detail).toMatch(/OAuth2 client credentials at .*valid for \d+ s/);
    expect(byId.vertex!.ok).toBe(true);
    expect(step('vertex', 'token').detail).toContain(SERVICE_ACCOUNT);

    expect(step('gw-scope', 'token')).toMatchObject({ok: false, errorClass: 'auth'});
    expect(step('gw-scope', 'token').hint).toContain('auth.scope');
    expect(step('gw-scope', 'auth').skipped).toBe(true);

    // The command ran and printed a token, which the API refuses: an expired or foreign token, not a broken command.
    expect(step('stale', 'token').ok).toBe(true);
    expect(step('stale', 'auth')).toMatchObject({ok: false, errorClass: 'auth'});
    expect(step('stale', 'auth').hint).toMatch(/expired.*log in again/);

    expect(byId['azure-ok']!.ok).toBe(true);
    expect(byId['azure-ok']!.steps.map((s) => s.name)).toEqual(['reachability', 'auth', 'models', 'canary', 'stream']);
    expect(step('azure-bad', 'auth')).toMatchObject({ok: false, errorClass: 'auth', status: 401});
    expect(step('azure-bad', 'auth').hint).toContain('"api-key" header');

    expect(step('no-secret', 'auth')).toMatchObject({ok: false});
    expect(step('no-secret', 'auth').detail).toContain('CHK_UNSET_SECRET');

    const text = JSON.stringify(report);
    for (const secret of [CLIENT_SECRET, AZURE_KEY, 'stale-token-not-issued-0001']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/sandbox-token-[0-9a-f-]{36}/);
  });
});
