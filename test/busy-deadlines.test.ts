import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {makeProject} from './helpers.ts';
import {SandboxProcess} from './sandbox-process.ts';

// Deadlines on a busy process. Multi-megabyte replies are parsed, graded (by a grader that holds the
// thread for longer than the 401s' deadline, as heavy grading does) and journaled on the runner's
// thread while fast 401s from the same server are in flight. Node runs due timers before it reads
// sockets, so a naive deadline calls a 401 that arrived in time a timeout and sends it again. The
// server is another process: it answers on time however busy the runner is.
let server: SandboxProcess;
beforeAll(async () => (server = await SandboxProcess.start({anyModel: true, latencyScale: 0})));
afterAll(() => server.close());

describe('deadlines on a busy event loop', () => {
  it('no reply that arrived in time is called a timeout: every 401 is sent once, every huge reply arrives whole', async () => {
    const huge = Array.from({length: 4}, (_, i) => `  - {id: h${i}, q: "huge ${i}"}`).join('\n');
    const auth = Array.from({length: 150}, (_, i) => `  - {id: a${i}, q: "auth ${i}"}`).join('\n');
    const provider = (id: string, fault: string, concurrency: number) => ({
      id,
      type: 'sandbox',
      wire: 'openai',
      baseURL: `${server.url}/v1`,
      headers: {'x-sandbox-fault': fault},
      timeoutMs: 3000,
      retry: {maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5},
      circuitBreaker: false,
      failFast: false,
      limits: {concurrency},
      models: [{label: id, model: id}],
    });
    const cwd = makeProject({
      'bench.config.mjs': `export default {
  providers: ${JSON.stringify([provider('big', 'huge', 4), provider('refused', 'auth', 16)])},
  suites: ['huge.yaml', 'auth.yaml'],
  concurrency: 64,
  graders: {
    // Holds the thread for 3.5 s: longer than the 401s' 3 s deadline (which is generous, so that a
    // server process slowed by a loaded machine still answers within it).
    heavy: ({output}) => { const until = performance.now() + 3500; while (performance.now() < until); return output.length > 2000000; },
  },
};
`,
      'huge.yaml': `id: huge\nmodels: [big]\nprompt: "{{q}}"\ncases:\n${huge}\ngraders: [{type: custom, function: heavy}]\n`,
      'auth.yaml': `id: auth\nmodels: [refused]\nprompt: "{{q}}"\ncases:\n${auth}\n`,
    });
    const outcome = await runBenchmark({cwd});
    const log = await server.log();

    const bigResults = outcome.results.filter((r) => r.model === 'big');
    expect(bigResults).toHaveLength(4);
    for (const r of bigResults) expect(r, r.error?.message).toMatchObject({status: 'ok', attempts: 1, pass: true});

    const refused = outcome.results.filter((r) => r.model === 'refused');
    expect(refused).toHaveLength(150);
    for (const r of refused) expect(r.error, r.error?.message).toMatchObject({class: 'auth', status: 401});
    const sent = new Map<string, number>();
    for (const l of log.filter((x) => x.model === 'refused')) sent.set(l.prompt, (sent.get(l.prompt) ?? 0) + 1);
    expect(sent.size).toBe(150);
    expect([...sent.entries()].filter(([, n]) => n > 1)).toEqual([]);
  }, 120_000);
});
