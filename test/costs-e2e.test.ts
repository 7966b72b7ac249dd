import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {renderSummary} from '../src/cli/render-summary.ts';
import {FAST_DEFAULT_CONFIG, makeProject} from './helpers.ts';

// Costs from each wire's real usage fields: the OpenAI, Anthropic and @google/genai SDKs over HTTP against the
// sandbox, which reports cached, cache-written and reasoning tokens under each API's own field names.
const WIRES = ['openai', 'anthropic', 'gemini'] as const;
const THINKING = {accuracy: 1, ttftMs: 0, msPerToken: 0, latencySigma: 0, reasoningTokens: 40, promptCache: {minTokens: 0}} as const;
const sandbox = new Sandbox({
  latencyScale: 0,
  batch: {turnaroundMs: 50},
  models: [
    ...WIRES.flatMap((w) => ['live', 'stream', 'batch'].map((mode) => resolveSimModel(`${w}-${mode}`, THINKING))),
    // Gateways that price requests themselves: OpenRouter-style usage.cost, LiteLLM-style response header.
    resolveSimModel('gw-usage', {...THINKING, reportCost: {inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3}}),
    resolveSimModel('gw-header', {...THINKING, reportCost: {inputPerMTok: 6, outputPerMTok: 30, cacheReadPerMTok: 0.6, via: 'header'}}),
    resolveSimModel('no-cache-price', THINKING),
    resolveSimModel('tiered', THINKING),
  ],
});

// Token counts by the sandbox's rule (max(words, ceil(chars/4)) + 3 per message):
//   system: 400 characters, one word  -> 100 + 3 = 103 tokens, the cached prefix
//   "What is the capital of France?"  -> 30 chars -> 8 + 3 = 11 tokens
//   "What is the capital of Spain?"   -> 29 chars -> 8 + 3 = 11 tokens
//   answers "Paris" / "Madrid": 1 token each; every reply also has 40 reasoning tokens.
const SYSTEM = 'x'.repeat(400);
const CASES = [
  {id: 'france', country: 'France', expected: 'Paris'},
  {id: 'spain', country: 'Spain', expected: 'Madrid'},
];
const SUITE = `id: capitals
messages:
  - {role: system, content: "${SYSTEM}"}
  - {role: user, content: "What is the capital of {{country}}?"}
cases: ${JSON.stringify(CASES)}
graders: [{type: exact-match}]
`;
// Prices per million tokens: input 3, output 15, cache read 0.30, cache write 3.75 (reasoning: the output price).
const PRICING = '{inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75}';

beforeAll(async () => {
  await sandbox.listen();
  for (const c of CASES) sandbox.answerKey.register(`What is the capital of ${c.country}?`, {expected: c.expected, tags: [], group: 'capitals'});
});
afterAll(() => sandbox.close());

function project(mode: 'live' | 'batch'): string {
  const providers = WIRES.map((w) => {
    const models =
      mode === 'live'
        ? `      - {label: ${w}-live, model: ${w}-live, stream: false, pricing: ${PRICING}}\n      - {label: ${w}-stream, model: ${w}-stream, stream: true, pricing: ${PRICING}}\n`
        : `      - {label: ${w}-batch, model: ${w}-batch, pricing: ${PRICING}}\n`;
    return `  - id: p-${w}\n    type: sandbox\n    wire: ${w}\n    baseURL: ${sandbox.baseURLFor(w)}\n    models:\n${models}`;
  });
  // concurrency 1: France is sent first (its system prompt is cached then), Spain second (reads it).
  return makeProject({'bench.config.yaml': `providers:\n${providers.join('')}suites: [capitals.yaml]\nconcurrency: 1\n`, 'capitals.yaml': SUITE});
}

function journal(dir: string): Result[] {
  return readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Result);
}

/** Hand-calculated cost in USD of one reply at the prices above (times the batch discount). */
const expectedUsd = {
  // France: nothing cached yet. OpenAI and Gemini report no cache writes: 114 input, 1 output, 40 reasoning.
  //   114 × $3 + 1 × $15 + 40 × $15 = $957 per million → $0.000957
  // Anthropic writes the 103-token prefix: 11 input + 103 written + 1 output + 40 thinking.
  //   11 × $3 + 103 × $3.75 + 1 × $15 + 40 × $15 = $1,034.25 per million → $0.00103425
  // Spain (every wire): 11 input + 103 read from the cache + 1 output + 40 reasoning.
  //   11 × $3 + 103 × $0.30 + 1 × $15 + 40 × $15 = $678.90 per million → $0.0006789
  openai: {france: 0.000957, spain: 0.0006789},
  anthropic: {france: 0.00103425, spain: 0.0006789},
  gemini: {france: 0.000957, spain: 0.0006789},
};

describe('costs from cached, cache-written and reasoning tokens', () => {
  it('live, streamed and not: each wire is costed as its provider bills it', async () => {
    const out = await runBenchmark({cwd: project('live'), sandboxLatencyScale: 0, noCache: true});
    const results = journal(out.dir);
    expect(results).toHaveLength(12);
    for (const r of results) {
      expect(r.status, r.error?.message).toBe('ok');
      const wire = r.provider.slice(2) as (typeof WIRES)[number];
      const france = r.caseId === 'france';
      // Reasoning is kept out of outputTokens where the wire reports it apart; Anthropic counts thinking in
      // output_tokens with no split, so there it stays output (billed at the same price).
      if (wire === 'anthropic') expect([r.outputTokens, r.reasoningTokens]).toEqual([41, null]);
      else expect([r.outputTokens, r.reasoningTokens]).toEqual([1, 40]);
      expect(r.cacheReadTokens ?? 0).toBe(france ? 0 : 103);
      expect(r.cacheWriteTokens ?? 0).toBe(wire === 'anthropic' && france ? 103 : 0);
      expect(r.inputTokens).toBe(france && wire !== 'anthropic' ? 114 : 11);
      expect(r.tokensEstimated).toBe(false);
      expect(r.costEstimated).toBe(false);
      expect(r.costUsd).toBeCloseTo(expectedUsd[wire][r.caseId as 'france' | 'spain'], 12);
      expect(r.computedCostUsd).toBe(r.costUsd);
      const b = r.costBreakdown!;
      expect(b.inputUsd + b.cacheReadUsd + b.cacheWriteUsd + b.outputUsd + b.reasoningUsd).toBeCloseTo(r.costUsd!, 15);
    }
  });
});

describe('costs through the batch APIs', () => {
  it('OpenAI Batch, Anthropic Message Batches and the Gemini Batch API: every part at half price', async () => {
    const out = await runBenchmark({cwd: project('batch'), sandboxLatencyScale: 0, noCache: true, batch: true, batchPollMs: 20});
    const results = journal(out.dir);
    expect(results).toHaveLength(6);
    for (const r of results) {
      expect(r.status, r.error?.message).toBe('ok');
      expect(r.batchId).toBeTruthy();
      const wire = r.provider.slice(2) as (typeof WIRES)[number];
      const france = r.caseId === 'france';
      // The sandbox answers a batch's lines in order: France writes the prefix, Spain reads it.
      expect(r.cacheReadTokens ?? 0).toBe(france ? 0 : 103);
      expect(r.cacheWriteTokens ?? 0).toBe(wire === 'anthropic' && france ? 103 : 0);
      expect(r.reasoningTokens).toBe(wire === 'anthropic' ? null : 40);
      // The batch discount (half, by default) applies to input, cache, output and reasoning prices alike.
      expect(r.costUsd).toBeCloseTo(expectedUsd[wire][r.caseId as 'france' | 'spain'] / 2, 12);
    }
  });
});

describe('reported costs and missing prices', () => {
  const cwd = () =>
    makeProject({
      'bench.config.yaml': `providers:
  - id: gw
    type: sandbox
    wire: openai
    baseURL: ${sandbox.baseURLFor('openai')}
    models:
      - {label: gw-usage, model: gw-usage, pricing: ${PRICING}}
      - {label: gw-header, model: gw-header, pricing: ${PRICING}}
  - id: gw-ignored
    type: sandbox
    wire: openai
    baseURL: ${sandbox.baseURLFor('openai')}
    reportedCost: ignore
    models:
      - {label: gw-header-ignored, model: gw-header, pricing: ${PRICING}}
  - id: an
    type: sandbox
    wire: anthropic
    baseURL: ${sandbox.baseURLFor('anthropic')}
    models:
      - {label: no-cache-price, model: no-cache-price, pricing: {inputPerMTok: 3, outputPerMTok: 15}}
suites: [capitals.yaml]
concurrency: 1
`,
      'capitals.yaml': SUITE,
    });

  it('records the reported cost, uses it unless told not to, and warns once when it disagrees with the pricing', async () => {
    const warnings: string[] = [];
    const out = await runBenchmark({cwd: cwd(), sandboxLatencyScale: 0, noCache: true, onEvent: (e) => e.type === 'warning' && warnings.push(e.message)});
    const results = journal(out.dir);
    const by = (label: string) => results.filter((r) => r.model === label);
    for (const r of by('gw-usage')) {
      // The gateway priced it like the config does: reported and computed agree.
      expect(r.reportedCostUsd).toBeCloseTo(r.computedCostUsd!, 12);
      expect(r.costUsd).toBe(r.reportedCostUsd);
    }
    for (const r of by('gw-header')) {
      // The gateway charges twice the configured prices (x-litellm-response-cost): its figure is the cost.
      expect(r.reportedCostUsd).toBeCloseTo(2 * r.computedCostUsd!, 12);
      expect(r.costUsd).toBe(r.reportedCostUsd);
    }
    // gw-header-ignored shares gw-header's cache state, so both of its cases read the prefix.
    for (const r of by('gw-header-ignored')) {
      expect(r.reportedCostUsd).toBeCloseTo(2 * r.computedCostUsd!, 12);
      expect(r.costUsd).toBe(r.computedCostUsd);
    }
    expect(warnings.filter((w) => w.startsWith('gw-header:') && /reported .* computes at/.test(w))).toHaveLength(1);
    expect(warnings.some((w) => w.startsWith('gw-usage:'))).toBe(false);

    // No cache prices on an Anthropic-wire model: Anthropic's documented ratios, said once, cost marked estimated.
    const [france, spain] = [by('no-cache-price').find((r) => r.caseId === 'france')!, by('no-cache-price').find((r) => r.caseId === 'spain')!];
    // 11 × 3 + 103 written × (1.25 × 3) + 41 × 15 = 1,034.25 per million; 11 × 3 + 103 read × (0.1 × 3) + 41 × 15 = 678.90
    expect(france.costUsd).toBeCloseTo(0.00103425, 12);
    expect(spain.costUsd).toBeCloseTo(0.0006789, 12);
    expect([france.costEstimated, spain.costEstimated]).toEqual([true, true]);
    expect(warnings.filter((w) => w.includes('no-cache-price: pricing has no cacheWritePerMTok: used Anthropic'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('no-cache-price: pricing has no cacheReadPerMTok: used Anthropic'))).toHaveLength(1);
  });
});

describe('the default offline run shows where the cost went', () => {
  it('summary, results.csv, summary.csv, the end-of-run table and report.html carry the breakdown', async () => {
    const cwd = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const out = await runBenchmark({cwd, sandboxLatencyScale: 0, noCache: true, suites: ['extraction', 'arithmetic']});
    const flash = out.summary.models['sim-flash']!;
    // sim-flash thinks (thoughtsTokenCount): its reasoning is billed as output and is most of its cost.
    expect(flash.reasoningTokens).toBeGreaterThan(flash.outputTokens);
    expect(flash.costBreakdown!.reasoningUsd).toBeGreaterThan(flash.costBreakdown!.outputUsd);
    // The extraction suite's system prompt repeats: read from the cache (and, on the Anthropic wire, written once).
    expect(out.summary.models['sim-large']!.cacheReadTokens).toBeGreaterThan(0);
    expect(out.summary.models['sim-large']!.cacheWriteTokens).toBeGreaterThan(0);
    expect(out.summary.models['sim-medium']!.cacheReadTokens).toBeGreaterThan(0);
    for (const s of Object.values(out.summary.models)) {
      const b = s.costBreakdown!;
      expect(b.inputUsd + b.cacheReadUsd + b.cacheWriteUsd + b.outputUsd + b.reasoningUsd).toBeCloseTo(s.costUsd!, 12);
    }
    const table = renderSummary(out);
    expect(table).toMatch(/cost breakdown/);
    expect(table).toMatch(/sim-flash: input \$[\d.]+ \([\d,]+\) · cached \$[\d.]+ \([\d,]+\) · output \$[\d.]+ \([\d,]+\) · reasoning \$/);
    const csv = readFileSync(out.files.csv, 'utf8').split('\n')[0]!.split(',');
    for (const col of ['cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens', 'reportedCostUsd', 'computedCostUsd', 'costReasoningUsd']) expect(csv).toContain(col);
    expect(readFileSync(join(out.dir, 'summary.csv'), 'utf8').split('\n')[0]).toContain('costReasoningUsd');
    const html = readFileSync(join(out.dir, 'report.html'), 'utf8');
    expect(html).toContain('id="cost-breakdown"');
    expect(html).toMatch(/<tr data-model="sim-flash" class=""><td>sim-flash<\/td>/);
  });
});

describe('long-context tiers', () => {
  it('a request whose prompt (cached parts included) exceeds a tier boundary is priced entirely at the tier', async () => {
    // Both prompts are 114 tokens (Spain: 11 input + 103 read from the cache), above the 100-token boundary.
    const tiered = '{inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75, tiers: [{aboveInputTokens: 100, inputPerMTok: 6, outputPerMTok: 22.5, cacheReadPerMTok: 0.6, cacheWritePerMTok: 7.5}, {aboveInputTokens: 1000, inputPerMTok: 60, outputPerMTok: 225}]}';
    const cwd = makeProject({
      'bench.config.yaml': `providers:\n  - id: an\n    type: sandbox\n    wire: anthropic\n    baseURL: ${sandbox.baseURLFor('anthropic')}\n    models:\n      - {label: tiered, model: tiered, pricing: ${tiered}}\nsuites: [capitals.yaml]\nconcurrency: 1\n`,
      'capitals.yaml': SUITE,
    });
    const out = await runBenchmark({cwd, sandboxLatencyScale: 0, noCache: true});
    const [france, spain] = ['france', 'spain'].map((id) => journal(out.dir).find((r) => r.caseId === id)!);
    // France: 11 × 6 + 103 written × 7.5 + 41 × 22.5 = 66 + 772.5 + 922.5 = $1,761 per million
    expect(france!.costUsd).toBeCloseTo(0.001761, 12);
    // Spain: 11 × 6 + 103 read × 0.6 + 41 × 22.5 = 66 + 61.8 + 922.5 = $1,050.30 per million
    expect(spain!.costUsd).toBeCloseTo(0.0010503, 12);
    expect([france!.costTier, spain!.costTier]).toEqual([100, 100]);
  });
});
