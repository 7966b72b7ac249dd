import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {FAULTS, type Fault, type SandboxRequestLog} from '../src/sandbox/sandbox-server.ts';
import {makeProject} from './helpers.ts';
import {SandboxProcess} from './sandbox-process.ts';

// Every fault kind, on every wire format, transient (once) and persistent, through the real SDKs
// and the real runner against the sandbox over loopback. The sandbox runs in its own process: served
// in this thread, its work would delay the runner's deadline timers and the test would measure itself.
let server: SandboxProcess;
beforeAll(async () => (server = await SandboxProcess.start({anyModel: true, latencyScale: 0})));
afterAll(() => server.close());

const WIRES = ['openai', 'anthropic', 'gemini'] as const;
const NOT_RETRIED: Partial<Record<Fault, string>> = {auth: 'auth', forbidden: 'auth', 'not-found': 'not-found', 'bad-request': 'bad-request'};
const PERSISTENT_CLASS: Record<Fault, string[]> = {
  'rate-limit': ['rate-limit'],
  'rate-limit-date': ['rate-limit'],
  'rate-limit-no-hint': ['rate-limit'],
  server: ['server'],
  'bad-gateway': ['server'],
  unavailable: ['server'],
  'gateway-timeout': ['server'],
  overloaded: ['server'],
  'request-timeout': ['timeout'],
  conflict: ['server'],
  reset: ['network'],
  'slow-headers': ['timeout'],
  stall: ['timeout'],
  truncated: ['bad-response'],
  malformed: ['bad-response'],
  'wrong-content-type': ['bad-response'],
  'error-body': ['server', 'bad-response'],
  huge: [],
  'ignores-stream': [],
  auth: ['auth'],
  forbidden: ['auth'],
  'not-found': ['not-found'],
  'bad-request': ['bad-request'],
};

function providerYaml(wire: string, fault: Fault, times: number, stream: boolean, stallTimeoutMs = 300): string {
  const label = `${wire}-${fault}-${times === 1 ? 'once' : 'always'}-${stream ? 's' : 'j'}`;
  return `  - id: p-${label}
    type: sandbox
    wire: ${wire}
    baseURL: ${wire === 'openai' ? `${server.url}/v1` : server.url}
    headers: { x-sandbox-fault: ${fault}, x-sandbox-fault-times: "${times}" }
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 }
    timeoutMs: 3000
    stallTimeoutMs: ${stallTimeoutMs}
    circuitBreaker: false
    models: [{ label: ${label}, model: m-${label}, stream: ${stream} }]
`;
}

const retries: string[] = [];

describe('fault matrix', () => {
  let results: Result[];
  let log: SandboxRequestLog[];
  beforeAll(async () => {
    let providers = '';
    for (const wire of WIRES) {
      for (const fault of FAULTS) {
        // slow headers: covered below with a short timeout; huge replies: their own test below.
        if (fault === 'slow-headers' || fault === 'huge' || fault === 'ignores-stream') continue;
        for (const times of [1, 99]) {
          for (const stream of [false, true]) providers += providerYaml(wire, fault, times, stream);
        }
      }
    }
    const project = makeProject({
      'bench.config.yaml': `providers:\n${providers}suites: [s.yaml]\nconcurrency: 64\n`,
      's.yaml': 'id: f\nprompt: "Name a colour."\ncases: [{id: one, expected: "red"}]\ngraders: [{type: contains, caseSensitive: false}]\n',
    });
    const outcome = await runBenchmark({cwd: project, onEvent: (e) => e.type === 'retry' && retries.push(`${e.model}: ${e.reason} ${e.message ?? ''}`)});
    results = outcome.results;
    log = await server.log();
  }, 120_000);

  it('ends every case (a hung request would outlast the hook timeout)', () => {
    expect(results.length).toBe(WIRES.length * (FAULTS.length - 3) * 4);
  });

  it.each(WIRES)('%s: a transient fault ends ok after a retry; 4xx are not retried', (wire) => {
    for (const r of results.filter((x) => x.model.startsWith(`${wire}-`) && x.model.includes('-once-'))) {
      const fault = r.model.slice(wire.length + 1).replace(/-once-[sj]$/, '') as Fault;
      if (NOT_RETRIED[fault]) {
        expect(r, `${r.model}`).toMatchObject({status: 'error', attempts: 1});
        expect(r.error!.class).toBe(NOT_RETRIED[fault]);
      } else {
        const sent = log.filter((l) => l.model === `m-${r.model}`).map((l) => `${l.fault}:${l.status}`);
        expect(r, `${r.model}: ${r.error?.message} ${sent.join(' ')} retries: ${retries.filter((x) => x.startsWith(r.model)).join(', ')}`).toMatchObject({status: 'ok', attempts: 2});
      }
    }
  });

  it.each(WIRES)('%s: a persistent fault ends in the right error class after the allowed attempts', (wire) => {
    for (const r of results.filter((x) => x.model.startsWith(`${wire}-`) && x.model.includes('-always-'))) {
      const fault = r.model.slice(wire.length + 1).replace(/-always-[sj]$/, '') as Fault;
      expect(r.status, r.model).toBe('error');
      expect(PERSISTENT_CLASS[fault], `${r.model}: ${r.error!.message}`).toContain(r.error!.class);
      const sent = log.filter((l) => l.model === `m-${r.model}`).map((l) => `${l.fault}:${l.status}`);
      expect(r.attempts, `${r.model} ${sent.join(' ')} retries: ${retries.filter((x) => x.startsWith(r.model)).join(', ')}`).toBe(NOT_RETRIED[fault] ? 1 : 3);
      expect(r.error!.hint).toBeTruthy();
    }
  });

  it('never records a stalled, truncated or malformed answer as a success', () => {
    for (const r of results.filter((x) => /-(stall|truncated|malformed)-always-/.test(x.model))) expect(r.output).toBeNull();
  });

  it('sends 401, 403, 404 and 400 exactly once', () => {
    for (const fault of ['auth', 'forbidden', 'not-found', 'bad-request']) {
      for (const wire of WIRES) {
        const sent = log.filter((l) => l.model === `m-${wire}-${fault}-always-j`);
        expect(sent, `${wire} ${fault}`).toHaveLength(1);
      }
    }
  });

  it('waits at least the Retry-After before retrying', () => {
    for (const wire of WIRES) {
      for (const fault of ['rate-limit', 'rate-limit-date']) {
        const sent = log.filter((l) => l.model === `m-${wire}-${fault}-once-j`);
        expect(sent).toHaveLength(2);
        expect(sent[1]!.at - sent[0]!.at, `${wire} ${fault}`).toBeGreaterThanOrEqual(1000);
      }
    }
  });
});

describe('multi-megabyte replies', () => {
  it('arrive whole on every wire format, streamed or not', async () => {
    let providers = '';
    for (const wire of WIRES) {
      for (const times of [1, 99]) {
        // A stall timeout well above the time this thread needs to parse several 3 MB replies in a row.
        for (const stream of [false, true]) providers += providerYaml(wire, 'huge', times, stream, 20_000);
      }
    }
    const project = makeProject({
      'bench.config.yaml': `providers:\n${providers}suites: [s.yaml]\nconcurrency: 4\n`,
      's.yaml': 'id: f\nprompt: "Name a colour."\ncases: [{id: one, expected: "red"}]\n',
    });
    const {results} = await runBenchmark({cwd: project});
    expect(results).toHaveLength(WIRES.length * 4);
    for (const r of results) {
      expect(r, `${r.model}: ${r.error?.message}`).toMatchObject({status: 'ok', attempts: 1});
      expect(r.output!.length, r.model).toBeGreaterThan(2_000_000);
    }
  }, 120_000);
});

describe('timeouts', () => {
  it('a slow first byte times out and is retried within the deadline', async () => {
    const slow = await SandboxProcess.start({anyModel: true, latencyScale: 0});
    try {
      const project = makeProject({
        'bench.config.yaml': `providers:
  - id: slow
    type: sandbox
    wire: openai
    baseURL: ${slow.url}/v1
    headers: { x-sandbox-fault: slow-headers, x-sandbox-fault-times: "1" }
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 }
    timeoutMs: 400
    models: [{ label: slow, model: slow }]
suites: [s.yaml]
`,
        's.yaml': 'id: f\nprompt: "Name a colour."\ncases: [{id: one}]\n',
      });
      const outcome = await runBenchmark({cwd: project});
      expect(outcome.results[0]).toMatchObject({status: 'ok', attempts: 2});
      // The first attempt was abandoned at its deadline, not at once (the sandbox stamps arrival after
      // reading the body, a few ms after the client started its clock).
      const sent = await slow.log();
      expect(sent.map((l) => l.fault)).toEqual(['slow-headers', null]);
      expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(300);
    } finally {
      await slow.close();
    }
  });
});
