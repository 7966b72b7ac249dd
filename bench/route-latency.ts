// Measures createRouter(policy).route() per call: a policy of realistic size (8 rules on tags,
// metadata and input size, canary weights), requests that hit the first rule, the last one and the
// default, keyed and unkeyed; and a learned router (assay route --learn) scoring a 1 kB prompt:
// features (hashed word 1–2-grams and character 4-grams) plus one linear model per costlier model.
// Run: npm run bench:route   (a few seconds). Numbers go in docs/routing.md.
import {createRouter} from '../src/routing/create-router.ts';
import type {RouteRequest} from '../src/routing/create-router.ts';
import {encodeWeights} from '../src/routing/learned-scorer.ts';
import type {PolicyRule, RoutingPolicy} from '../src/routing/policy-types.ts';
import {DEFAULT_FEATURES} from '../src/routing/prompt-features.ts';

const expected = {quality: 0.9, costUsdPer1k: 1, p95LatencyMs: 800, n: 100};
const rules: PolicyRule[] = [
  ...['math', 'code', 'extraction', 'classification', 'summarise'].map((tag) => ({
    name: `tags=${tag}`,
    when: {tags: [tag]},
    route: [{model: 'mini', weight: 0.9}, {model: 'canary', weight: 0.1}],
    fallback: ['medium', 'large'],
    expected,
    rationale: '',
  })),
  {name: 'suite=support', when: {metadata: {suite: 'support', lang: 'en'}}, route: [{model: 'medium', weight: 1}], fallback: ['large'], expected, rationale: ''},
  {name: 'long', when: {inputTokens: {min: 4000}}, route: [{model: 'large', weight: 1}], fallback: ['medium'], expected, rationale: ''},
  {name: 'short-chat', when: {tags: ['chat'], inputTokens: {max: 200}}, route: [{model: 'mini', weight: 0.6}, {model: 'medium', weight: 0.4}], fallback: ['large'], expected, rationale: ''},
];
const policy: RoutingPolicy = {
  version: 1,
  generatedAt: new Date(0).toISOString(),
  sources: [],
  objective: {minQuality: 0.95, relativeTo: 'best-single-model'},
  models: {mini: {}, medium: {}, large: {}, canary: {}},
  rules,
  default: {route: [{model: 'large', weight: 0.7}, {model: 'medium', weight: 0.3}], fallback: ['mini'], expected, rationale: ''},
  resilience: {
    retry: {maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 30_000, retryOn: ['rate-limit', 'server'], retryOnStatus: [429, 500], respectRetryAfter: true},
    circuitBreaker: {errorRate: 0.5, minRequests: 20, cooldownMs: 30_000, windowMs: 60_000, countClasses: ['server']},
    basis: [],
  },
};

const router = createRouter(policy);
// Timing does not depend on the weights' values: any float32 vector of the default size will do.
const weights = (seed: number) => encodeWeights(Float32Array.from({length: DEFAULT_FEATURES.dim}, (_, i) => Math.sin(i * seed) / 100));
const learnedEstimate = {method: '', folds: 5, seed: 1, n: 0, quality: 0, costUsdPer1k: null, p95LatencyMs: null, bestSingleModel: 'large', bestSingleQuality: 0, bestSingleCostUsdPer1k: null, inSampleQuality: 0, inSampleCostUsdPer1k: null, share: {}};
const learnedPolicy = (models: string[]): RoutingPolicy => ({
  ...policy,
  learned: {version: 1, kind: 'linear-gain', base: 'mini', features: DEFAULT_FEATURES, models: models.map((model, k) => ({model, costUsdDelta: 0.001 * (k + 1), intercept: 0.1, weights: weights(k + 1)})), muPerUsd: 50, lambda: 10, expected: learnedEstimate},
});
const learned1 = createRouter(learnedPolicy(['large']));
const learned2 = createRouter(learnedPolicy(['medium', 'large']));
const keys = Array.from({length: 1024}, (_, i) => `user-${i}-${(i * 2654435761) % 100_000}`);
const prompt = 'Summarise the following support ticket in two sentences. '.repeat(20);

const scenarios: [string, (i: number) => RouteRequest][] = [
  ['first rule (tag), keyed', (i) => ({tags: ['math'], inputTokens: 300, key: keys[i & 1023]})],
  ['last rule (tag + size), keyed', (i) => ({tags: ['chat'], inputTokens: 120, key: keys[i & 1023]})],
  ['default (no rule matches), keyed', (i) => ({tags: ['other'], metadata: {suite: 'sales', lang: 'en'}, inputTokens: 900, key: keys[i & 1023]})],
  ['default, unkeyed (Math.random)', () => ({tags: ['other'], inputTokens: 900})],
  ['tokens estimated from a 1.1 kB prompt', (i) => ({tags: ['other'], input: prompt, key: keys[i & 1023]})],
];
// Distinct 1 kB prompts, so no call sees the same text twice in a row.
const prompts = Array.from({length: 64}, (_, i) => `Ticket ${i}: ${'Summarise the following support ticket in two sentences. '.repeat(18)}`.slice(0, 1024));
const learnedScenarios: [string, ReturnType<typeof createRouter>, (i: number) => RouteRequest][] = [
  ['learned, 1 kB prompt, 1 costlier model', learned1, (i) => ({tags: ['other'], input: prompts[i & 63], key: keys[i & 1023]})],
  ['learned, 1 kB prompt, 2 costlier models', learned2, (i) => ({tags: ['other'], input: prompts[i & 63], key: keys[i & 1023]})],
];

const N = 1_000_000;
let sink = 0;
console.log(`route() on a ${rules.length}-rule policy, ${N.toLocaleString('en-US')} calls per scenario, Node ${process.version}`);
for (const [name, make] of scenarios) {
  const requests = Array.from({length: 4096}, (_, i) => make(i));
  for (let i = 0; i < 50_000; i++) sink += router.route(requests[i & 4095]!).length; // warm-up: let the JIT settle
  const samples: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N / 5; i++) sink += router.route(requests[i & 4095]!).length;
    samples.push(Number(process.hrtime.bigint() - t0) / (N / 5));
  }
  samples.sort((a, b) => a - b);
  const medianNs = samples[2]!;
  console.log(`  ${name.padEnd(40)} ${(medianNs / 1000).toFixed(3)} µs/call  (${Math.round(1e9 / medianNs).toLocaleString('en-US')} calls/s; rounds ${samples.map((s) => (s / 1000).toFixed(3)).join(' ')} µs)`);
}
const L = 20_000;
console.log(`learned router: features + scoring per request, ${L.toLocaleString('en-US')} calls per scenario`);
for (const [name, r, make] of learnedScenarios) {
  const requests = Array.from({length: 256}, (_, i) => make(i));
  for (let i = 0; i < 2_000; i++) sink += r.route(requests[i & 255]!).length;
  const samples: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < L / 5; i++) sink += r.route(requests[i & 255]!).length;
    samples.push(Number(process.hrtime.bigint() - t0) / (L / 5));
  }
  samples.sort((a, b) => a - b);
  const medianNs = samples[2]!;
  console.log(`  ${name.padEnd(40)} ${(medianNs / 1000).toFixed(1)} µs/call  (${Math.round(1e9 / medianNs).toLocaleString('en-US')} calls/s; rounds ${samples.map((s) => (s / 1000).toFixed(1)).join(' ')} µs)`);
}
// Scaling: policies of 10, 100 and 1,000 rules, nine in ten on a tag of their own (some with an input-size
// range too) and one in ten on metadata only. Tag rules are indexed, so a tagged request checks the
// rules under its tags plus the untagged ones; the default is reached after those.
function scaledPolicy(n: number): RoutingPolicy {
  const scaled: PolicyRule[] = Array.from({length: n}, (_, i) => ({
    name: `r${i}`,
    when: i % 10 === 9 ? {metadata: {suite: `s${i}`}} : i % 3 === 0 ? {tags: [`t${i}`], inputTokens: {max: 2000}} : {tags: [`t${i}`]},
    route: [{model: 'mini', weight: 0.9}, {model: 'canary', weight: 0.1}],
    fallback: ['medium', 'large'],
    expected,
    rationale: '',
  }));
  return {...policy, rules: scaled};
}
console.log('\nroute() by policy size (median of 5 rounds):');
for (const n of [10, 100, 1000]) {
  const scaledRouter = createRouter(scaledPolicy(n));
  const lastTag = `t${n % 10 === 0 ? n - 2 : n - 1}`;
  const cases: [string, (i: number) => RouteRequest][] = [
    ['last tag rule, keyed', (i) => ({tags: [lastTag], inputTokens: 300, key: keys[i & 1023]})],
    ['no rule matches (default), keyed', (i) => ({tags: ['other', 'none'], metadata: {suite: 'x'}, inputTokens: 300, key: keys[i & 1023]})],
  ];
  for (const [name, make] of cases) {
    const requests = Array.from({length: 4096}, (_, i) => make(i));
    for (let i = 0; i < 50_000; i++) sink += scaledRouter.route(requests[i & 4095]!).length;
    const samples: number[] = [];
    const calls = N / 10;
    for (let round = 0; round < 5; round++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls / 5; i++) sink += scaledRouter.route(requests[i & 4095]!).length;
      samples.push(Number(process.hrtime.bigint() - t0) / (calls / 5));
    }
    samples.sort((a, b) => a - b);
    console.log(`  ${String(n).padStart(5)} rules, ${name.padEnd(34)} ${(samples[2]! / 1000).toFixed(3)} µs/call  (rounds ${samples.map((s) => (s / 1000).toFixed(3)).join(' ')} µs)`);
  }
}
if (sink === 0) console.log('');
