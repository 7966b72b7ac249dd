import {createServer} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {closestIds, editDistance} from '../src/check/closest-ids.ts';
import {renderCheck} from '../src/check/render-check.ts';
import {runCheck, type CheckReport, type CheckStep, type ProviderCheck} from '../src/check/run-check.ts';
import {InputError} from '../src/core/errors.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {makeProject, runCli} from './helpers.ts';

// Real SDKs over real HTTP against a sandbox on loopback. This sandbox was created with a model list,
// so it answers 404 for any other model id, as a real provider does.
const sandbox = new Sandbox({models: [resolveSimModel('sim-real-1', {accuracy: 1, ttftMs: 5, msPerToken: 1, latencySigma: 0})], latencyScale: 1});

const SUITE = {id: 'hello', prompt: 'Say {{word}}', cases: [{word: 'hi', expected: 'hi'}], graders: [{type: 'exact-match'}]};

/** A project whose config holds the given inline providers. */
function project(providers: unknown[]): string {
  return makeProject({'bench.config.json': JSON.stringify({providers, suites: [SUITE], sandbox: {latencyScale: 0}})});
}

/** An `openai` provider aimed at the test's sandbox, as a user would aim one at any OpenAI-compatible server. */
function openaiProvider(extra: Record<string, unknown> = {}, model = 'sim-real-1'): Record<string, unknown> {
  return {id: 'acme', type: 'openai', baseURL: `${sandbox.url}/v1`, auth: {env: 'ASSAY_CHECK_TEST_KEY'}, timeoutMs: 5000, models: [{label: 'acme-1', model}], ...extra};
}

function step(p: ProviderCheck, name: CheckStep['name'], model?: string): CheckStep {
  const found = p.steps.find((s) => s.name === name && (model === undefined || s.model === model));
  expect(found, `step ${name}${model ? ` for ${model}` : ''}`).toBeDefined();
  return found!;
}

async function check(providers: unknown[], env: Record<string, string | undefined> = {ASSAY_CHECK_TEST_KEY: 'sk-test-good-0123456789'}): Promise<CheckReport> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await runCheck({cwd: project(providers)});
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A loopback port nothing listens on: bound once to learn a free number, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as {port: number};
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  await sandbox.listen();
});
afterAll(() => sandbox.close());

describe('closestIds', () => {
  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('sim-rael-1', 'sim-real-1')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('ranks typos and missing suffixes first, at most three, and drops unrelated ids', () => {
    const listed = ['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06', 'gpt-4o-mini', 'text-embedding-3-large', 'dall-e-3', 'gpt-4.1-mini'];
    expect(closestIds('gpt-4o-mini', listed)[0]).toBe('gpt-4o-mini');
    expect(closestIds('gpt-4o-mnii', listed)).toEqual(['gpt-4o-mini', 'gpt-4.1-mini']);
    expect(closestIds('gpt-4o', listed)).toEqual(['gpt-4o-mini', 'gpt-4o-2024-08-06', 'gpt-4o-mini-2024-07-18']);
    expect(closestIds('claude-3-haiku', listed)).toEqual([]);
  });

  it('ignores Gemini\'s "models/" prefix', () => {
    expect(closestIds('gemini-2.0-flsh', ['models/gemini-2.0-flash', 'models/gemini-1.5-pro'])).toEqual(['models/gemini-2.0-flash']);
  });
});

describe('assay check on sandbox providers (CLI)', () => {
  it('passes every step on all three wire formats and prints one JSON document', async () => {
    const dir = project([
      {id: 'sim-o', type: 'sandbox', wire: 'openai', models: [{label: 'o-1', model: 'sim-o-1'}, {label: 'o-plain', model: 'sim-o-2', stream: false}]},
      {id: 'sim-a', type: 'sandbox', wire: 'anthropic', models: [{label: 'a-1', model: 'sim-a-1'}]},
      {id: 'sim-g', type: 'sandbox', wire: 'gemini', models: [{label: 'g-1', model: 'sim-g-1'}]},
    ]);
    const r = await runCli(['check', '--json'], {cwd: dir});
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report.ok).toBe(true);
    expect(report.providers.map((p) => p.id)).toEqual(['sim-o', 'sim-a', 'sim-g']);
    for (const p of report.providers) {
      expect(p.ok).toBe(true);
      expect(p.simulated).toBe(true);
      expect(p.steps.every((s) => s.ok && typeof s.name === 'string')).toBe(true);
      expect(p.steps.slice(0, 2).map((s) => s.name)).toEqual(['reachability', 'auth']);
      expect(step(p, 'reachability').latencyMs).toBeGreaterThanOrEqual(0);
    }
    const o = report.providers[0]!;
    expect(o.steps.map((s) => [s.name, s.model ?? null])).toEqual([
      ['reachability', null],
      ['auth', null],
      ['models', 'o-1'],
      ['canary', 'o-1'],
      ['stream', 'o-1'],
      ['models', 'o-plain'],
      ['canary', 'o-plain'],
      ['stream', 'o-plain'],
    ]);
    for (const p of report.providers) {
      const canary = p.steps.find((s) => s.name === 'canary')!;
      expect(canary.latencyMs).toBeGreaterThanOrEqual(0);
      expect(canary.usageReported).toBe(true);
      const stream = p.steps.find((s) => s.name === 'stream')!;
      expect(stream.ttftMs).toBeGreaterThanOrEqual(0);
      expect(stream.ttftMs!).toBeLessThanOrEqual(stream.latencyMs!);
      expect(stream.usageReported).toBe(true);
    }
    // A model configured not to stream is not streamed by runs, so the check does not hold it to it.
    expect(step(o, 'stream', 'o-plain')).toMatchObject({ok: true, skipped: true});
  });

  it('prints a readable table by default', async () => {
    const dir = project([{id: 'sim-o', type: 'sandbox', wire: 'openai', models: [{label: 'o-1', model: 'sim-o-1'}]}]);
    const r = await runCli(['check'], {cwd: dir});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sim-o \(sandbox: simulated\)\s+ok/);
    expect(r.stdout).toMatch(/ok\s+canary\s+o-1/);
    expect(r.stdout).toContain('every step passed');
  });

  it('refuses an unknown provider id with exit 2, naming the known ones', async () => {
    const dir = project([{id: 'sim-o', type: 'sandbox', wire: 'openai', models: [{label: 'o-1', model: 'sim-o-1'}]}]);
    const r = await runCli(['check', 'sim-0', '--json'], {cwd: dir});
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown provider id "sim-0"');
    expect(r.stderr).toContain('known provider ids: sim-o');
  });

  it('checks only the providers named', async () => {
    const dir = project([
      {id: 'sim-o', type: 'sandbox', wire: 'openai', models: [{label: 'o-1', model: 'sim-o-1'}]},
      {id: 'broken', type: 'openai', baseURL: `http://127.0.0.1:${await closedPort()}/v1`, auth: {env: 'ASSAY_CHECK_UNSET_1'}, models: [{label: 'b-1', model: 'b'}]},
    ]);
    const r = await runCli(['check', 'sim-o', '--json'], {cwd: dir, env: {ASSAY_CHECK_UNSET_1: undefined}});
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as CheckReport).providers.map((p) => p.id)).toEqual(['sim-o']);
  });
});

describe('assay check diagnoses failures', () => {
  it('a rejected key: auth fails with the env var and header named, later steps are skipped, and the key is never printed (CLI)', async () => {
    const dir = project([openaiProvider()]);
    const r = await runCli(['check', '--json'], {cwd: dir, env: {ASSAY_CHECK_TEST_KEY: 'invalid-key'}});
    expect(r.code).toBe(1);
    const p = (JSON.parse(r.stdout) as CheckReport).providers[0]!;
    expect(p.ok).toBe(false);
    expect(step(p, 'reachability').ok).toBe(true);
    expect(step(p, 'auth')).toMatchObject({ok: false, errorClass: 'auth', status: 401});
    expect(step(p, 'auth').hint).toContain('$ASSAY_CHECK_TEST_KEY');
    expect(step(p, 'auth').hint).toContain('Authorization: Bearer');
    expect(step(p, 'canary', 'acme-1')).toMatchObject({ok: false, skipped: true});
    const human = await runCli(['check'], {cwd: dir, env: {ASSAY_CHECK_TEST_KEY: 'invalid-key'}});
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/FAIL\s+auth/);
    expect(human.stdout).toContain('fix: the key in $ASSAY_CHECK_TEST_KEY was rejected');
    for (const out of [r.stdout, r.stderr, human.stdout, human.stderr]) expect(out).not.toContain('invalid-key');
  });

  it('a key refused with 403 on chat: names permissions and the IP allow-list', async () => {
    const report = await check([openaiProvider({headers: {'x-sandbox-fault': 'forbidden'}})]);
    const p = report.providers[0]!;
    // Listing worked, so the key itself is fine: the refusal is about what it may do.
    expect(step(p, 'auth').ok).toBe(true);
    const canary = step(p, 'canary', 'acme-1');
    expect(canary).toMatchObject({ok: false, errorClass: 'auth', status: 403});
    expect(canary.hint).toContain('permissions');
    expect(canary.hint).toContain('IP allow-list');
  });

  it('a missing key env var is a failed auth step with the fix, not a crash (CLI)', async () => {
    const dir = project([openaiProvider({auth: {env: 'ASSAY_CHECK_UNSET_2'}})]);
    const r = await runCli(['check', '--json'], {cwd: dir, env: {ASSAY_CHECK_UNSET_2: undefined}});
    expect(r.code).toBe(1);
    const p = (JSON.parse(r.stdout) as CheckReport).providers[0]!;
    expect(step(p, 'reachability').ok).toBe(true);
    expect(step(p, 'auth')).toMatchObject({ok: false, errorClass: 'auth'});
    expect(step(p, 'auth').detail).toContain('$ASSAY_CHECK_UNSET_2 is not set');
    expect(step(p, 'auth').hint).toContain('export ASSAY_CHECK_UNSET_2=');
    expect(p.steps.filter((s) => s.model === 'acme-1').every((s) => s.skipped && !s.ok)).toBe(true);
  });

  it('an unknown model id: the models step fails with the closest listed ids, and so does the canary', async () => {
    const report = await check([openaiProvider({}, 'sim-rael-1')]);
    const p = report.providers[0]!;
    expect(report.ok).toBe(false);
    expect(step(p, 'auth')).toMatchObject({ok: true});
    const models = step(p, 'models', 'acme-1');
    expect(models).toMatchObject({ok: false, errorClass: 'not-found', suggestions: ['sim-real-1']});
    expect(models.hint).toContain('did you mean "sim-real-1"');
    const canary = step(p, 'canary', 'acme-1');
    expect(canary).toMatchObject({ok: false, errorClass: 'not-found', status: 404, suggestions: ['sim-real-1']});
    expect(canary.detail).toContain('sim-rael-1');
  });

  it('a base URL with the wrong path: listing answers 404 and the hint points at the baseURL', async () => {
    const report = await check([openaiProvider({baseURL: sandbox.url})]);
    const p = report.providers[0]!;
    expect(step(p, 'reachability').ok).toBe(true);
    const auth = step(p, 'auth');
    expect(auth).toMatchObject({ok: false, errorClass: 'not-found', status: 404});
    expect(auth.hint).toContain('/v1');
    expect(auth.detail).toContain('could not verify the key');
    expect(step(p, 'canary', 'acme-1')).toMatchObject({ok: false, errorClass: 'not-found'});
    expect(step(p, 'canary', 'acme-1').hint).toContain(`baseURL ${sandbox.url}`);
  });

  it('an unreachable port: reachability fails as a refused connection and nothing else is sent (CLI)', async () => {
    const port = await closedPort();
    const dir = project([openaiProvider({baseURL: `http://127.0.0.1:${port}/v1`})]);
    const r = await runCli(['check', '--json'], {cwd: dir, env: {ASSAY_CHECK_TEST_KEY: 'sk-test-good-0123456789', HTTPS_PROXY: '', HTTP_PROXY: '', ALL_PROXY: '', https_proxy: '', http_proxy: '', all_proxy: ''}});
    expect(r.code).toBe(1);
    const p = (JSON.parse(r.stdout) as CheckReport).providers[0]!;
    const reach = step(p, 'reachability');
    expect(reach).toMatchObject({ok: false, errorClass: 'network'});
    expect(reach.detail).toContain('ECONNREFUSED');
    expect(reach.hint).toContain(`nothing is listening on 127.0.0.1:${port}`);
    expect(reach.hint).toContain('is the server running');
    expect(p.steps.slice(1).every((s) => s.skipped && !s.ok)).toBe(true);
  });

  it('a persistent 429: rate-limit with the Retry-After the provider sent', async () => {
    const report = await check([openaiProvider({headers: {'x-sandbox-fault': 'rate-limit'}})]);
    const p = report.providers[0]!;
    for (const name of ['canary', 'stream'] as const) {
      const s = step(p, name, 'acme-1');
      expect(s).toMatchObject({ok: false, errorClass: 'rate-limit', status: 429, retryAfterMs: 1000});
      expect(s.hint).toContain('wait 1 s (Retry-After)');
      expect(s.hint).toContain('limits.rpm');
    }
  });

  it('a transient 500 passes on the second attempt, and says so', async () => {
    const report = await check([openaiProvider({headers: {'x-sandbox-fault': 'server', 'x-sandbox-fault-times': '1'}})]);
    const canary = step(report.providers[0]!, 'canary', 'acme-1');
    expect(canary.ok).toBe(true);
    expect(canary.detail).toContain('transient');
  });

  it('a 5xx is the provider\'s side, with its status', async () => {
    const report = await check([openaiProvider({headers: {'x-sandbox-fault': 'unavailable'}})]);
    const canary = step(report.providers[0]!, 'canary', 'acme-1');
    expect(canary).toMatchObject({ok: false, errorClass: 'server', status: 503});
    expect(canary.hint).toContain('HTTP 503');
    expect(canary.hint).toContain('not something in your config');
  });

  it('a 400 names the parameter the provider rejected and quotes its message', async () => {
    const provider = openaiProvider({headers: {'x-sandbox-fault': 'bad-request'}});
    provider.models = [{label: 'acme-1', model: 'sim-real-1', params: {temperature: 0.3}}];
    const report = await check([provider]);
    const canary = step(report.providers[0]!, 'canary', 'acme-1');
    expect(canary).toMatchObject({ok: false, errorClass: 'bad-request', status: 400});
    expect(canary.hint).toContain('HTTP 400: "Invalid value for temperature (simulated)"');
    expect(canary.hint).toContain('The rejected parameter is temperature: change or remove models[label=acme-1].params.temperature');
  });

  it('a server that does not answer in time is a timeout', async () => {
    const report = await check([openaiProvider({timeoutMs: 300, headers: {'x-sandbox-fault': 'slow-headers'}})]);
    const canary = step(report.providers[0]!, 'canary', 'acme-1');
    expect(canary).toMatchObject({ok: false, errorClass: 'timeout'});
    expect(canary.hint).toContain('300 ms');
  });

  it('keeps a key out of everything it prints, even when the provider refuses it', async () => {
    const secret = 'sk-live-CHECK-SECRET-0123456789abcdef';
    const dir = project([openaiProvider({headers: {'x-sandbox-fault': 'auth'}})]);
    for (const args of [['check'], ['check', '--json']]) {
      const r = await runCli(args, {cwd: dir, env: {ASSAY_CHECK_TEST_KEY: secret}});
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('ASSAY_CHECK_TEST_KEY');
      expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
      expect(`${r.stdout}${r.stderr}`).not.toContain(secret.slice(8, 24));
    }
  });

  it('renders every failure with its fix', async () => {
    const report = await check([openaiProvider({}, 'sim-rael-1')]);
    const text = renderCheck(report);
    expect(text).toMatch(/acme\s+FAILED/);
    expect(text).toMatch(/FAIL\s+models\s+acme-1/);
    expect(text).toContain('fix: "sim-rael-1" is not among the 1 model acme lists: did you mean "sim-real-1"?');
    expect(text).toContain('1 of 1 provider(s) failing: acme.');
  });

  it('throws an InputError for an unknown provider id (library)', async () => {
    const error = await runCheck({cwd: project([openaiProvider()]), providers: ['acm']}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as InputError).hint).toContain('did you mean "acme"');
  });
});
