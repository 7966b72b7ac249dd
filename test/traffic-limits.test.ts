import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {CircuitBreaker} from '../src/traffic/circuit-breaker.ts';
import {RateLimiter} from '../src/traffic/rate-limiter.ts';
import {makeProject} from './helpers.ts';

const server = new Sandbox({anyModel: true, latencyScale: 0});
beforeAll(() => server.listen());
afterAll(() => server.close());

function cases(n: number): string {
  return Array.from({length: n}, (_, i) => `  - {id: c${i}, q: "question ${i}"}`).join('\n');
}

function project(provider: string, n: number, extra = ''): string {
  return makeProject({
    'bench.config.yaml': `providers:\n${provider}suites: [s.yaml]\nconcurrency: 64\n${extra}`,
    's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${cases(n)}\n`,
  });
}

describe('rate limits against the sandbox', () => {
  it('never exceeds ceil(rpm/60) starts in any 1-second window (rpm 600)', async () => {
    const dir = project(`  - id: paced\n    type: sandbox\n    wire: openai\n    baseURL: ${server.url}/v1\n    limits: { rpm: 600 }\n    models: [{ label: paced, model: paced }]\n`, 35);
    const outcome = await runBenchmark({cwd: dir});
    expect(outcome.summary.overall.ok).toBe(35);
    // The client's start times (taken when the limiter lets a request go), not the server's arrival times:
    // on a loaded machine the server (in this thread) may read several arrivals at once.
    const starts = outcome.results.map((r) => Date.parse(r.startedAt)).sort((a, b) => a - b);
    expect(server.log.filter((l) => l.model === 'paced')).toHaveLength(35);
    for (let i = 0; i < starts.length; i++) {
      // 999: the start times are rounded to the millisecond.
      const inWindow = starts.filter((t) => t >= starts[i]! && t < starts[i]! + 999).length;
      expect(inWindow).toBeLessThanOrEqual(10);
    }
    // Paced, not sent at once: 35 starts at 10 per second take at least 3 seconds.
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(3000);
    expect(outcome.results.some((r) => r.rateWaitMs > 1000)).toBe(true);
    // The wait is kept out of latency: a request's latency fits between its start (after the wait) and its end.
    for (const r of outcome.results) expect(r.latencyMs!).toBeLessThanOrEqual(Date.parse(r.endedAt) - Date.parse(r.startedAt) + 1);
  });

  it('pauses after a 429 until its Retry-After has passed, for every request to that provider', async () => {
    const limiter = new RateLimiter({rpm: 6000});
    limiter.penalize(300);
    const started = performance.now();
    await limiter.acquire(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
  });
});

describe('RateLimiter windows (fake clock)', () => {
  it('spreads rpm over the minute and caps each second at ceil(rpm/60)', () => {
    let now = 0;
    const limiter = new RateLimiter({rpm: 120}, () => now);
    const starts: number[] = [];
    for (let i = 0; i < 130; i++) {
      now = Math.max(now, limiter.earliestStart(1, now));
      starts.push(now);
      // take the slot the way acquire() does
      (limiter as unknown as {entries: {t: number; tokens: number}[]}).entries.push({t: now, tokens: 1});
    }
    for (const t of starts) {
      expect(starts.filter((s) => s >= t && s < t + 1000).length).toBeLessThanOrEqual(2);
      expect(starts.filter((s) => s >= t && s < t + 60_000).length).toBeLessThanOrEqual(120);
    }
  });

  it('reserves tokens and admits the next request once usage is reconciled', () => {
    let now = 0;
    const limiter = new RateLimiter({tpm: 6000}, () => now);
    const entries = (limiter as unknown as {entries: {t: number; tokens: number}[]}).entries;
    entries.push({t: 0, tokens: 100});
    // 100 tokens per second at most: a second 100-token request waits a second...
    expect(limiter.earliestStart(100, 0)).toBeGreaterThan(1000);
    // ...but if the first one really used 10 tokens, only those 10 must drain (at 100/s, plus 5% headroom).
    entries[0]!.tokens = 10;
    expect(limiter.earliestStart(90, 0)).toBeCloseTo(105, 6);
  });
});

describe('circuit breaker', () => {
  it('opens after the minimum volume of failures and then fails fast without sending', async () => {
    const dir = project(
      `  - id: dead\n    type: sandbox\n    wire: anthropic\n    baseURL: ${server.url}\n    headers: { x-sandbox-fault: server }\n    limits: { concurrency: 1 }\n    retry: { maxAttempts: 1 }\n    circuitBreaker: { minRequests: 5, errorRate: 0.5, cooldownMs: 60000 }\n    models: [{ label: dead, model: dead }]\n`,
      20,
    );
    const events: string[] = [];
    const outcome = await runBenchmark({cwd: dir, onEvent: (e) => e.type === 'breaker' && events.push(`${e.from}->${e.to}`)});
    expect(server.log.filter((l) => l.model === 'dead')).toHaveLength(5);
    const classes = outcome.results.map((r) => r.error?.class);
    expect(classes.filter((c) => c === 'server')).toHaveLength(5);
    expect(classes.filter((c) => c === 'circuit-open')).toHaveLength(15);
    expect(outcome.results.filter((r) => r.error?.class === 'circuit-open').every((r) => r.attempts === 0)).toBe(true);
    expect(events).toEqual(['closed->open']);
    expect(outcome.summary.circuitBreaker.dead).toMatchObject([{from: 'closed', to: 'open'}]);
  });

  it('half-opens after the cooldown with a single trial, and closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({minRequests: 2, errorRate: 0.5, cooldownMs: 1000, windowMs: 60_000}, () => {}, () => now);
    breaker.record(true);
    breaker.record(true);
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    now = 1000;
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(false);
    breaker.record(false);
    expect(breaker.state).toBe('closed');
  });

  it('never opens on rate limits or bad requests', async () => {
    const dir = project(
      `  - id: picky\n    type: sandbox\n    wire: openai\n    baseURL: ${server.url}/v1\n    headers: { x-sandbox-fault: bad-request }\n    limits: { concurrency: 1 }\n    circuitBreaker: { minRequests: 3 }\n    failFast: false\n    models: [{ label: picky, model: picky }]\n`,
      8,
    );
    const outcome = await runBenchmark({cwd: dir});
    expect(outcome.results.every((r) => r.error?.class === 'bad-request')).toBe(true);
    expect(server.log.filter((l) => l.model === 'picky')).toHaveLength(8);
  });
});

describe('response cache', () => {
  const provider = (temperature: number) =>
    `  - id: real\n    type: openai\n    baseURL: ${server.url}/v1\n    auth: { env: ASSAY_CACHE_KEY }\n    models: [{ label: real, model: cached-model, params: { temperature: ${temperature} } }]\n`;

  it('serves a repeated deterministic request from disk, marked, and keeps its latency out of the statistics', async () => {
    process.env.ASSAY_CACHE_KEY = 'k-cache-123';
    try {
      const dir = project(provider(0), 4);
      const sent = () => server.log.filter((l) => l.model === 'cached-model').length;
      const before = sent();
      const first = await runBenchmark({cwd: dir});
      expect(sent() - before).toBe(4);
      expect(first.results.every((r) => !r.cached)).toBe(true);

      const second = await runBenchmark({cwd: dir});
      expect(sent() - before).toBe(4);
      expect(second.results.every((r) => r.cached && r.attempts === 0)).toBe(true);
      expect(second.results.map((r) => r.output).sort()).toEqual(first.results.map((r) => r.output).sort());
      expect(second.summary.models.real!.cached).toBe(4);
      expect(second.summary.models.real!.latencyMs.p50).toBeNull();

      const third = await runBenchmark({cwd: dir, noCache: true});
      expect(sent() - before).toBe(8);
      expect(third.results.every((r) => !r.cached)).toBe(true);
    } finally {
      delete process.env.ASSAY_CACHE_KEY;
    }
  });

  it('does not cache sampled (temperature > 0) requests', async () => {
    process.env.ASSAY_CACHE_KEY = 'k-cache-123';
    try {
      const dir = project(provider(0.7), 3);
      await runBenchmark({cwd: dir});
      const again = await runBenchmark({cwd: dir});
      expect(again.results.some((r) => r.cached)).toBe(false);
    } finally {
      delete process.env.ASSAY_CACHE_KEY;
    }
  });
});
