import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readJournal} from '../src/runner/journal.ts';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {makeProject, runCli} from './helpers.ts';
import {SandboxProcess} from './sandbox-process.ts';

// Faults keep their cause: an open breaker names what opened it, a server that ignores stream: true is
// diagnosed (not retried as a cut stream), and a model whose every request is refused the same way is
// stopped instead of being sent every case. Real SDKs, real runner and CLI, the sandbox in its own process.
let server: SandboxProcess;
beforeAll(async () => (server = await SandboxProcess.start({anyModel: true, latencyScale: 0})));
afterAll(() => server.close());

function project(opts: {model: string; fault?: string; cases: number; stream?: boolean; extra?: string; concurrency?: number}): string {
  const cases = Array.from({length: opts.cases}, (_, i) => `  - {id: c${i}, q: "${opts.model} question ${i}"}`).join('\n');
  return makeProject({
    'bench.config.yaml': `providers:
  - id: p
    type: sandbox
    wire: openai
    baseURL: ${server.url}/v1
${opts.fault ? `    headers: { x-sandbox-fault: ${opts.fault} }\n` : ''}    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }
${opts.extra ?? ''}    models: [{ label: ${opts.model}, model: ${opts.model}, stream: ${opts.stream ?? false} }]
suites: [s.yaml]
concurrency: ${opts.concurrency ?? 8}
outDir: reports
`,
    's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${cases}\n`,
  });
}

const sentFor = async (model: string) => (await server.log()).filter((l) => l.model === model);

describe('an open circuit breaker keeps the root cause', () => {
  it('every result names the real error; sent requests keep it; console, summary and report say "circuit open after N × <cause>"', async () => {
    const cwd = project({model: 'breaks', fault: 'server', cases: 200});
    const r = await runCli(['run', '--json'], {cwd});
    expect(r.code, r.stderr).toBe(3); // every request failed
    const {dir} = JSON.parse(r.stdout) as {dir: string};
    const results = readJournal(join(dir, 'results.jsonl')).results;
    expect(results).toHaveLength(200);
    const sentPrompts = new Set((await sentFor('breaks')).map((l) => l.prompt));
    const refused = results.filter((x) => x.error!.class === 'circuit-open');
    expect(refused.length).toBeGreaterThan(100);
    for (const x of results) {
      if (sentPrompts.has(x.input)) {
        // Really sent: the server's error, never "circuit open".
        expect(x.error!.class, x.error!.message).toBe('server');
        expect(x.error!.status).toBe(500);
      } else {
        expect(x.error).toMatchObject({class: 'circuit-open', notSent: true, cause: {class: 'server', status: 500}});
        expect(x.error!.message).toMatch(/^circuit open after \d+ × server \(HTTP 500 from p: (500 )?The server had an error/);
        expect(x.attempts).toBe(0);
      }
    }
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const opened = summary.circuitBreaker.breaks.find((t: {to: string}) => t.to === 'open');
    expect(opened.cause).toMatchObject({class: 'server', status: 500});
    expect(opened.failuresByClass.server).toBeGreaterThanOrEqual(10);
    expect(summary.models.breaks.circuitOpenCauses).toEqual({'server 500': refused.length});
    expect(r.stderr).toMatch(/circuit breaker for breaks: closed -> open after \d+ × server/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/after \d+ × server/);
    // Nothing a user sees says only "circuit-open".
    const text = await runCli(['run', '--resume', dir, '--no-retry-errors'], {cwd});
    expect(text.stdout).toMatch(/circuit-open:\d+ \(after server 500\)/);
  });
});

describe('a JSON reply to a streaming request', () => {
  it('is diagnosed with its fix and not retried; after `stream: false`, --resume completes', async () => {
    const cwd = project({model: 'nostream', fault: 'ignores-stream', cases: 40, stream: true, concurrency: 2});
    const outcome = await runBenchmark({cwd});
    const sent = await sentFor('nostream');
    // Stopped after three identical refusals (plus what was in flight), each sent once.
    expect(sent.length).toBeLessThanOrEqual(3 + 2);
    expect(new Set(sent.map((l) => l.prompt)).size).toBe(sent.length);
    for (const x of outcome.results) {
      expect(x.status).toBe('error');
      expect(x.attempts).toBeLessThanOrEqual(1);
      expect(x.error!.message).toContain('ignores stream: true');
      expect(x.error!.hint).toContain('stream: false');
    }
    writeFileSync(join(cwd, 'bench.config.yaml'), readFileSync(join(cwd, 'bench.config.yaml'), 'utf8').replace('stream: true', 'stream: false'));
    const resumed = await runBenchmark({cwd, resume: outcome.dir});
    expect(resumed.summary.overall).toMatchObject({n: 40, ok: 40});
  });
});

describe('fail-fast on a rejected key', () => {
  it('stops sending after a few identical 401s; the rest end "not sent" naming the cause; --resume sends them after the fix', async () => {
    const cwd = project({model: 'badkey', fault: 'auth', cases: 300, concurrency: 4});
    const outcome = await runBenchmark({cwd});
    const sent = await sentFor('badkey');
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(sent.length).toBeLessThanOrEqual(3 + 4);
    expect(outcome.results).toHaveLength(300);
    const notSent = outcome.results.filter((x) => x.error?.notSent);
    expect(notSent).toHaveLength(300 - sent.length);
    for (const x of notSent) {
      expect(x.error).toMatchObject({class: 'auth', status: 401, cause: {class: 'auth', status: 401}});
      expect(x.error!.message).toMatch(/^not sent: badkey was stopped after \d+ × auth \(HTTP 401/);
      expect(x.error!.hint).toContain('--resume');
      expect(x.attempts).toBe(0);
    }
    expect(outcome.summary.models.badkey!.notSent).toBe(notSent.length);

    // The key is fixed (here: the fault removed); resume sends exactly the failed cases once.
    writeFileSync(join(cwd, 'bench.config.yaml'), readFileSync(join(cwd, 'bench.config.yaml'), 'utf8').replace('    headers: { x-sandbox-fault: auth }\n', ''));
    const resumed = await runBenchmark({cwd, resume: outcome.dir});
    expect(resumed.summary.overall).toMatchObject({n: 300, ok: 300});
    expect((await sentFor('badkey')).length).toBe(sent.length + 300);
  });

  it('is configurable: failFast: false sends every case', async () => {
    const cwd = project({model: 'nofailfast', fault: 'auth', cases: 20, concurrency: 2, extra: '    failFast: false\n'});
    const outcome = await runBenchmark({cwd});
    expect(await sentFor('nofailfast')).toHaveLength(20);
    expect(outcome.results.every((x) => x.error?.class === 'auth' && !x.error.notSent)).toBe(true);
  });
});
