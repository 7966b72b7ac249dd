import type {Result} from '../core/types.ts';
import {generatePolicy, type GeneratedPolicy} from '../routing/generate-policy.ts';
import {loadOutcomes} from '../routing/load-outcomes.ts';
import type {WeightedModel} from '../routing/policy-types.ts';
import {simulatePolicy, type SimulationReport} from '../routing/simulate-policy.ts';

/** Above this many results the report skips the policy (it stays one `assay route` away) to keep report writing quick. */
export const ROUTING_MAX_RESULTS = 20_000;
/** Cases graded on at least two models that a policy needs before it is worth showing. */
export const ROUTING_MIN_SHARED_CASES = 20;

/** The routing section: a policy from the run's own results, or one line saying why there is none. */
export type RoutingInput = {generated: GeneratedPolicy; simulation: SimulationReport | null} | {note: string} | null;

/**
 * Generates a routing policy from a run directory exactly as `assay route --from DIR` would (default
 * options), for the report. Never throws: a run it cannot route gets a note instead. Runs with fewer
 * than two graded models get nothing (there is nothing to route between).
 */
/**
 * What decides whether the report shows a routing policy, gathered one result at a time: the graded
 * models, the number of results and, for a run small enough to route (the count is known before
 * the results are read: pass it), which cases were graded on which models.
 */
export class RoutingFacts {
  readonly graded = new Set<string>();
  results = 0;
  readonly #byCase: Map<string, Set<string>> | null;

  constructor(expectedResults = 0) {
    this.#byCase = expectedResults <= ROUTING_MAX_RESULTS ? new Map() : null;
  }

  add(r: Result): void {
    this.results++;
    if (r.status !== 'ok' || r.score === null) return;
    this.graded.add(r.model);
    if (!this.#byCase || this.results > ROUTING_MAX_RESULTS) return;
    const key = `${r.suiteId}/${r.caseId}`;
    (this.#byCase.get(key) ?? this.#byCase.set(key, new Set()).get(key)!).add(r.model);
  }

  /** Cases graded on two or more models (asked only of a run within ROUTING_MAX_RESULTS). */
  sharedCases(): number {
    let shared = 0;
    for (const models of this.#byCase?.values() ?? []) if (models.size >= 2) shared++;
    return shared;
  }
}

/**
 * Generates a routing policy from a run directory exactly as `assay route --from DIR` would (default
 * options), for the report. Never throws: a run it cannot route gets a note instead. Runs with fewer
 * than two graded models get nothing (there is nothing to route between).
 */
export function buildRouting(dir: string, results: readonly Result[] | RoutingFacts): RoutingInput {
  let facts: RoutingFacts;
  if (results instanceof RoutingFacts) facts = results;
  else {
    facts = new RoutingFacts(results.length);
    for (const r of results) facts.add(r);
  }
  if (facts.graded.size < 2) return null;
  if (facts.results > ROUTING_MAX_RESULTS) {
    return {note: `No routing policy here: this run has ${facts.results.toLocaleString('en-US')} results, over the report's limit of ${ROUTING_MAX_RESULTS.toLocaleString('en-US')}. Run assay route --from <this run> --explain for it.`};
  }
  const shared = facts.sharedCases();
  if (shared < ROUTING_MIN_SHARED_CASES) {
    return {note: `No routing policy here: only ${shared} case(s) were graded on two or more models; a policy needs at least ${ROUTING_MIN_SHARED_CASES} to be validated out of sample.`};
  }
  try {
    const outcomes = loadOutcomes([dir]);
    const generated = generatePolicy(outcomes);
    let simulation: SimulationReport | null = null;
    try {
      simulation = simulatePolicy(generated.policy, outcomes);
    } catch {
      // the comparison with single models is optional; the policy still shows
    }
    return {generated, simulation};
  } catch (error) {
    return {note: `No routing policy here: generating one failed (${(error as Error).message}).`};
  }
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
const usd = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `$${x < 0.1 ? x.toPrecision(3) : x.toFixed(2)}`);
const ms = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${Math.round(x)} ms`);
const raw = (x: number | null | undefined) => (x === null || x === undefined ? '' : String(x));

/** Percentages that add up to 100 (rounding each weight on its own can make 101). */
function formatRoute(route: readonly WeightedModel[]): string {
  if (route.length === 1) return route[0]!.model;
  let left = 100;
  return route
    .map((w, i) => {
      const share = i === route.length - 1 ? left : Math.round(w.weight * 100);
      left -= share;
      return `${w.model} ${share}%`;
    })
    .join(', ');
}

export interface RoutingRuleView {
  index: string;
  condition: string;
  isDefault: boolean;
  route: string;
  fallback: string;
  n: number;
  quality: string;
  qualityValue: string;
  cost: string;
  costValue: string;
  p95: string;
  rationale: string;
}

export interface RoutingCompareView {
  label: string;
  kind: 'policy' | 'model' | 'oracle';
  quality: string;
  qualityValue: string;
  relative: string;
  cost: string;
  costValue: string;
  /** The policy's cost against this row's: "62.0% cheaper". */
  versus: string;
  p95: string;
  n: string;
  cls: string;
}

export interface RoutingSectionView {
  note: string | null;
  objective: string;
  estimate: string;
  inSample: string;
  /** RouteLLM's APGR and CPT of the rules' curve (in sample, on this run's cases), or ''. */
  gapRecovered: string;
  rules: RoutingRuleView[];
  compare: RoutingCompareView[];
  warnings: string[];
  resilience: string;
}

/** RouteLLM's metrics of the rules' cost–quality curve on the run's cases; '' when there is nothing to trade. */
function gapLine(sim: SimulationReport | null): string {
  const g = sim?.gapRecovered?.rules;
  if (!g) return '';
  const cpt = (x: number | null) => (x === null ? 'not reached' : pct(x));
  return `Gap recovered between ${g.weak} and ${g.strong} (RouteLLM's metrics, cost normalised between them, in sample): APGR ${g.apgr.toFixed(3)} (random mixing 0.500), CPT(50%) ${cpt(g.cpt50)}, CPT(80%) ${cpt(g.cpt80)}.`;
}

/** The routing section's view model: rule names, labels and rationales are data (escaped by the template). */
export function routingSectionView(input: RoutingInput): RoutingSectionView | null {
  if (input === null) return null;
  const empty = {objective: '', estimate: '', inSample: '', gapRecovered: '', rules: [], compare: [], warnings: [], resilience: ''};
  if ('note' in input) return {note: input.note, ...empty};
  const {policy, warnings} = input.generated;
  const e = policy.expected;
  const rules: RoutingRuleView[] = [
    ...policy.rules.map((r, i) => ({...r, index: String(i + 1), condition: r.name, isDefault: false})),
    {...policy.default, index: 'default', condition: 'everything else', isDefault: true},
  ].map((r) => ({
    index: r.index,
    condition: r.condition,
    isDefault: r.isDefault,
    route: formatRoute(r.route),
    fallback: r.fallback.length ? r.fallback.join(' → ') : '–',
    n: r.expected.n,
    quality: r.expected.quality.toFixed(3),
    qualityValue: raw(r.expected.quality),
    cost: usd(r.expected.costUsdPer1k),
    costValue: raw(r.expected.costUsdPer1k),
    p95: ms(r.expected.p95LatencyMs),
    rationale: r.rationale,
  }));
  const compare: RoutingCompareView[] = [];
  if (e) {
    const versus = (other: number | null) => {
      if (e.costUsdPer1k === null || other === null || other <= 0) return '–';
      const d = 1 - e.costUsdPer1k / other;
      if (Math.abs(d) < 0.0005) return 'same cost';
      return d > 0 ? `${pct(d)} cheaper` : `${(e.costUsdPer1k / other).toFixed(2)}× its cost`;
    };
    compare.push({
      label: `routing policy (${e.method}, out of sample)`,
      kind: 'policy',
      quality: e.quality.toFixed(3),
      qualityValue: raw(e.quality),
      relative: e.bestSingleQuality > 0 ? pct(e.quality / e.bestSingleQuality) : '–',
      cost: usd(e.costUsdPer1k),
      costValue: raw(e.costUsdPer1k),
      versus: '',
      p95: ms(e.p95LatencyMs),
      n: String(e.n),
      cls: 'policy',
    });
    const sim = input.simulation;
    const singles = sim
      ? Object.entries(sim.baselines).map(([label, b]) => ({label, quality: b.quality, cost: b.costUsdPer1k, p95: b.p95LatencyMs, n: b.n}))
      : [{label: e.bestSingleModel, quality: e.bestSingleQuality, cost: e.bestSingleCostUsdPer1k, p95: null, n: e.n}];
    singles.sort((a, b) => b.quality - a.quality || (a.cost ?? Infinity) - (b.cost ?? Infinity));
    for (const s of singles) {
      compare.push({
        label: s.label,
        kind: 'model',
        quality: s.quality.toFixed(3),
        qualityValue: raw(s.quality),
        relative: e.bestSingleQuality > 0 ? pct(s.quality / e.bestSingleQuality) : '–',
        cost: usd(s.cost),
        costValue: raw(s.cost),
        versus: versus(s.cost),
        p95: ms(s.p95),
        n: String(s.n),
        cls: s.label === e.bestSingleModel ? 'best' : '',
      });
    }
    if (sim) {
      compare.push({
        label: 'per-case oracle (upper bound, in hindsight)',
        kind: 'oracle',
        quality: sim.oracle.quality.toFixed(3),
        qualityValue: raw(sim.oracle.quality),
        relative: e.bestSingleQuality > 0 ? pct(sim.oracle.quality / e.bestSingleQuality) : '–',
        cost: usd(sim.oracle.costUsdPer1k),
        costValue: raw(sim.oracle.costUsdPer1k),
        versus: versus(sim.oracle.costUsdPer1k),
        p95: ms(sim.oracle.p95LatencyMs),
        n: String(sim.oracle.n),
        cls: 'muted',
      });
    }
  }
  const objective =
    policy.objective.maxCostUsdPer1k !== undefined
      ? `maximise quality within ${usd(policy.objective.maxCostUsdPer1k)} per 1k requests`
      : `the cheapest routing that keeps ${pct(policy.objective.minQuality ?? 0.95)} of the best single model's quality`;
  const {retry, circuitBreaker} = policy.resilience;
  return {
    note: null,
    objective,
    estimate: e
      ? `Out of sample (${e.method} on ${e.n} cases): quality ${e.quality.toFixed(3)}${e.qualityCi95 ? ` (95% CI ${e.qualityCi95[0].toFixed(3)}–${e.qualityCi95[1].toFixed(3)})` : ''}, ${pct(e.bestSingleQuality > 0 ? e.quality / e.bestSingleQuality : null)} of ${e.bestSingleModel}'s ${e.bestSingleQuality.toFixed(3)}, at ${usd(e.costUsdPer1k)}${e.costUsdPer1kCi95 ? ` (${usd(e.costUsdPer1kCi95[0])}–${usd(e.costUsdPer1kCi95[1])})` : ''} per 1k requests against ${usd(e.bestSingleCostUsdPer1k)}.`
      : '',
    inSample: e ? `In sample, for contrast only (it flatters the policy): quality ${e.inSampleQuality.toFixed(3)}, ${usd(e.inSampleCostUsdPer1k)} per 1k.` : '',
    gapRecovered: gapLine(input.simulation),
    rules,
    compare,
    warnings,
    resilience: `${retry.maxAttempts} attempt(s) on ${retry.retryOn.join(', ') || 'nothing'}; circuit breaker opens at ${pct(circuitBreaker.errorRate)} failures over ≥ ${circuitBreaker.minRequests} requests, cooldown ${circuitBreaker.cooldownMs / 1000} s.`,
  };
}
