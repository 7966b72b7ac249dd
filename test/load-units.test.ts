import {describe, expect, it} from 'vitest';
import {isAssayError} from '../src/core/errors.ts';
import {arrivalTimesMs} from '../src/load/arrivals.ts';
import {parseLengthDist, sampleLength} from '../src/load/length-dist.ts';
import type {RequestRecord, StepResult} from '../src/load/load-types.ts';
import {parseSlo} from '../src/load/parse-slo.ts';
import {sweepRates} from '../src/load/run-load.ts';
import {meetsSlo, percentiles, saturationRps, stepStats} from '../src/load/step-stats.ts';
import {buildRequest} from '../src/load/workload.ts';
import {seededRandom} from '../src/core/seeded-random.ts';

function take(n: number, gen: Generator<number>): number[] {
  const out: number[] = [];
  for (const t of gen) {
    if (out.length === n) break;
    out.push(t);
  }
  return out;
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const cv = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2))) / mean(xs);

describe('arrivals', () => {
  it('constant arrivals are exactly 1/rate apart, starting at 0', () => {
    const times = take(5, arrivalTimesMs({rateRps: 4, process: 'constant', random: seededRandom(1)}));
    expect(times).toEqual([0, 250, 500, 750, 1000]);
  });

  it('poisson arrivals are seeded: the same seed gives the same schedule, another seed another', () => {
    const a = take(200, arrivalTimesMs({rateRps: 10, process: 'poisson', random: seededRandom(7)}));
    const b = take(200, arrivalTimesMs({rateRps: 10, process: 'poisson', random: seededRandom(7)}));
    const c = take(200, arrivalTimesMs({rateRps: 10, process: 'poisson', random: seededRandom(8)}));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(gaps(a).every((g) => g >= 0)).toBe(true);
  });

  it('poisson gaps have mean 1/rate and a coefficient of variation near 1; burstiness changes the spread, not the mean', () => {
    const poisson = gaps(take(20_001, arrivalTimesMs({rateRps: 20, process: 'poisson', burstiness: 1, random: seededRandom(3)})));
    expect(mean(poisson)).toBeGreaterThan(47.5);
    expect(mean(poisson)).toBeLessThan(52.5);
    expect(cv(poisson)).toBeGreaterThan(0.95);
    expect(cv(poisson)).toBeLessThan(1.05);
    // Gamma(shape k): CV = 1/sqrt(k).
    const even = gaps(take(20_001, arrivalTimesMs({rateRps: 20, process: 'poisson', burstiness: 4, random: seededRandom(3)})));
    const bursty = gaps(take(20_001, arrivalTimesMs({rateRps: 20, process: 'poisson', burstiness: 0.25, random: seededRandom(3)})));
    expect(mean(even)).toBeCloseTo(50, -0.5);
    expect(mean(bursty)).toBeCloseTo(50, -0.5);
    expect(cv(even)).toBeGreaterThan(0.45);
    expect(cv(even)).toBeLessThan(0.55);
    expect(cv(bursty)).toBeGreaterThan(1.8);
    expect(cv(bursty)).toBeLessThan(2.2);
  });
});

describe('workload', () => {
  it('draws lengths from fixed, uniform and normal distributions, always at least 1', () => {
    const r = seededRandom(1);
    expect(sampleLength(parseLengthDist('64', 'x'), r)).toBe(64);
    const uniform = Array.from({length: 500}, () => sampleLength(parseLengthDist('uniform:10-20', 'x'), r));
    expect(Math.min(...uniform)).toBe(10);
    expect(Math.max(...uniform)).toBe(20);
    const normal = Array.from({length: 2000}, () => sampleLength(parseLengthDist('normal:5,10', 'x'), r));
    expect(Math.min(...normal)).toBe(1);
  });

  it('refuses unreadable lengths with the flag named and the accepted forms', () => {
    for (const bad of ['0', 'abc', 'uniform:20-10', 'normal:5']) {
      try {
        parseLengthDist(bad, 'output-tokens');
        expect.unreachable(bad);
      } catch (error) {
        expect(isAssayError(error) && error.exitCode).toBe(2);
        expect(String((error as Error).message)).toContain('output-tokens');
      }
    }
  });

  it('gives every request a unique first line unless caching is allowed, and asks for the drawn output length', () => {
    const spec = {inputTokens: parseLengthDist('40', 'i'), outputTokens: parseLengthDist('uniform:5-9', 'o'), allowCache: false};
    const r = seededRandom(2);
    const a = buildRequest(spec, 'run-0-0', 0, r);
    const b = buildRequest(spec, 'run-0-1', 1, r);
    expect(a.messages[0]!.content.slice(0, 12)).not.toEqual(b.messages[0]!.content.slice(0, 12));
    expect(a.maxTokens).toBeGreaterThanOrEqual(5);
    expect(a.maxTokens).toBeLessThanOrEqual(9);
    expect(a.inputTokensEstimate).toBeGreaterThanOrEqual(40);
    const cached = buildRequest({...spec, allowCache: true}, 'run-0-2', 2, r);
    expect(cached.messages[0]!.content).not.toContain('run-0-2');
  });
});

describe('SLOs and step statistics', () => {
  it('parses --slo with ms and s units and refuses unknown metrics', () => {
    expect(parseSlo('ttft=500ms,itl=50,e2e=2.5s')).toEqual({ttftMs: 500, itlMs: 50, e2eMs: 2500});
    expect(() => parseSlo('latency=5')).toThrow(/--slo: cannot read "latency=5"/);
  });

  it('reports percentiles in order, with p95 and p99 withheld when too few values', () => {
    const small = percentiles([5, 1, 3]);
    expect(small).toMatchObject({n: 3, p50: 3, p95: null, p99: null, max: 5});
    const values = Array.from({length: 150}, (_, i) => (i * 37) % 101);
    const p = percentiles(values);
    expect(p.p50!).toBeLessThanOrEqual(p.p90!);
    expect(p.p90!).toBeLessThanOrEqual(p.p95!);
    expect(p.p95!).toBeLessThanOrEqual(p.p99!);
    expect(p.p99!).toBeLessThanOrEqual(p.max!);
  });

  function record(i: number, over: Partial<RequestRecord> = {}): RequestRecord {
    const scheduledMs = i * 100;
    return {
      model: 'm', step: 0, index: i, warmup: false, scheduledMs, dispatchedMs: scheduledMs, sentMs: scheduledMs, endMs: scheduledMs + 300, attempts: 1,
      status: 'ok', errorClass: null, httpStatus: 200, ttftMs: 100, e2eMs: 300, ttftFromScheduledMs: 100, e2eFromScheduledMs: 300,
      tpotMs: 10, itlGapsMs: [10, 10], chunks: 3, inputTokens: 20, outputTokens: 3, tokensEstimated: false, maxTokens: 3, ...over,
    };
  }

  it('goodput counts only successful requests meeting every SLO, and never exceeds throughput', () => {
    const records = Array.from({length: 20}, (_, i) =>
      i % 5 === 0 ? record(i, {status: 'error', errorClass: 'rate-limit', httpStatus: 429, ttftMs: null, ttftFromScheduledMs: null}) : i % 4 === 0 ? record(i, {ttftFromScheduledMs: 900}) : record(i),
    );
    records.push(record(20, {warmup: true}));
    const s = stepStats(0, 'rate', {kind: 'rate', rateRps: 10, arrivals: 'constant', burstiness: 1}, records, {ttftMs: 500});
    expect(s.requests).toEqual({measured: 20, ok: 16, errors: 4, warmup: 1});
    expect(s.errors).toEqual({'rate-limit': 4});
    expect(s.rateLimitedShare).toBeCloseTo(0.2);
    expect(s.goodputRps).toBeLessThan(s.achievedRps);
    expect(s.sloAttainment).toBeCloseTo(12 / 20);
    // Arrivals at 10/s of which a fifth fail: successful completions come at about 8/s.
    expect(s.achievedRps).toBeGreaterThan(7);
    expect(s.achievedRps).toBeLessThan(9);
    expect(meetsSlo(records[0]!, {})).toBe(false);
    expect(meetsSlo(records[1]!, {})).toBe(true);
  });

  it('marks an open-loop step invalid when the generator dispatched far below the offered rate', () => {
    const late = Array.from({length: 30}, (_, i) => record(i, {scheduledMs: i, dispatchedMs: i * 20, sentMs: i * 20, endMs: i * 20 + 5}));
    const s = stepStats(0, 'rate', {kind: 'rate', rateRps: 1000, arrivals: 'constant', burstiness: 1}, late, {});
    expect(s.valid).toBe(false);
    expect(s.invalidReason).toMatch(/could not keep up/);
    expect(s.dispatchedRps!).toBeLessThan(900);
  });

  it('the saturation point is the last valid step, walking up, whose goodput tracks its offered rate', () => {
    const step = (rate: number, goodput: number, valid = true) => ({offeredRps: rate, goodputRps: goodput, valid}) as StepResult;
    expect(saturationRps([step(2, 2), step(4, 3.9), step(6, 5.8), step(8, 6), step(10, 9.9)])).toBe(6);
    expect(saturationRps([step(4, 3.9), step(6, 5.9, false), step(2, 2)])).toBe(4);
    expect(saturationRps([step(2, 1)])).toBeNull();
    expect(saturationRps([{offeredRps: null, goodputRps: 5, valid: true} as StepResult])).toBeNull();
  });

  it('sweep rates step evenly from the synchronous rate up to the maximum', () => {
    expect(sweepRates(2, 10, 4)).toEqual([4, 6, 8, 10]);
    expect(sweepRates(5, 3, 2)).toEqual([5, 5]);
  });
});

describe('the sandbox capacity gate', () => {
  it('runs maxConcurrent at once, queues up to queueLimit in FIFO order, refuses the rest, and slows tokens with the batch', async () => {
    const {CapacityGate} = await import('../src/sandbox/capacity-gate.ts');
    const gate = new CapacityGate({maxConcurrent: 2, queueLimit: 3, slowdownPerActive: 0.5, overloadStatus: 429});
    const never = new Promise<void>(() => {});
    const a = (await gate.acquire(never))!;
    expect(gate.slowdown).toBe(1);
    const b = (await gate.acquire(never))!;
    expect(gate.active).toBe(2);
    expect(gate.slowdown).toBe(1.5);
    const order: string[] = [];
    const c = gate.acquire(never).then((r) => (order.push('c'), r));
    let leave!: () => void;
    const d = gate.acquire(new Promise<void>((resolve) => (leave = resolve))).then((r) => (order.push('d'), r));
    const e = gate.acquire(never).then((r) => (order.push('e'), r));
    expect(await gate.acquire(never)).toBeNull(); // queue full
    a();
    a(); // a second release does nothing
    const cRelease = (await c)!;
    expect(gate.active).toBe(2);
    leave();
    expect(await d).toBeNull(); // left the queue
    b();
    const eRelease = (await e)!;
    expect(order).toEqual(['c', 'd', 'e']);
    cRelease();
    eRelease();
    expect(gate.active).toBe(0);
  });
});
