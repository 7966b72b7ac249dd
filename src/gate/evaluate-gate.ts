import type {GateDef} from '../config/schema.ts';
import type {Result} from '../core/types.ts';
import {groupStats, type GroupStats} from '../runner/summarize.ts';

export interface GateCheck {
  /** "run" for the config's (or flags') gate, "suite:<id>" for a suite's own. */
  scope: string;
  model: string | null;
  metric: 'minPassRate' | 'maxErrorRate' | 'maxP95LatencyMs' | 'maxCostUsd';
  threshold: number;
  actual: number | null;
  pass: boolean;
  message: string;
}

export interface GateOutcome {
  pass: boolean;
  checks: GateCheck[];
}

const fmt = {
  minPassRate: (v: number) => `${(v * 100).toFixed(1)}%`,
  maxErrorRate: (v: number) => `${(v * 100).toFixed(1)}%`,
  maxP95LatencyMs: (v: number) => `${Math.round(v)} ms`,
  maxCostUsd: (v: number) => `$${v.toFixed(4)}`,
};

const LABEL = {minPassRate: 'pass rate', maxErrorRate: 'error rate', maxP95LatencyMs: 'p95 latency'} as const;

function perModelChecks(scope: string, gate: GateDef, byModel: Iterable<readonly [string, GroupStats]>): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const [model, s] of byModel) {
    const add = (metric: Exclude<GateCheck['metric'], 'maxCostUsd'>, threshold: number | undefined, actual: number | null, ok: (a: number) => boolean) => {
      if (threshold === undefined) return;
      // No measurement (nothing graded, no latency) cannot show the threshold is met.
      const pass = actual !== null && ok(actual);
      const shown = actual === null ? 'nothing measured' : fmt[metric](actual);
      checks.push({scope, model, metric, threshold, actual, pass, message: `${model} ${LABEL[metric]} ${shown} (${metric.startsWith('min') ? 'min' : 'max'} ${fmt[metric](threshold)})${pass ? '' : ' — FAILED'}`});
    };
    add('minPassRate', gate.minPassRate, s.passRate, (a) => a >= gate.minPassRate!);
    add('maxErrorRate', gate.maxErrorRate, s.n === 0 ? null : s.errorRate, (a) => a <= gate.maxErrorRate!);
    add('maxP95LatencyMs', gate.maxP95LatencyMs, s.latencyMs.p95, (a) => a <= gate.maxP95LatencyMs!);
  }
  return checks;
}

function costCheck(scope: string, gate: GateDef, actual: number): GateCheck[] {
  if (gate.maxCostUsd === undefined) return [];
  const pass = actual <= gate.maxCostUsd;
  return [{scope, model: null, metric: 'maxCostUsd', threshold: gate.maxCostUsd, actual, pass, message: `total cost ${fmt.maxCostUsd(actual)} (max ${fmt.maxCostUsd(gate.maxCostUsd)})${pass ? '' : ' — FAILED'}`}];
}

/**
 * What the gate reads, accumulated one result at a time (in the summary's order) instead of from a
 * list of results: each model's statistics over the run and within each suite, and the cost.
 */
export interface GateSource {
  /** Each model's statistics over the run, models in order of first appearance. */
  models(): Iterable<readonly [string, GroupStats]>;
  /** Each model's statistics within the suite, in order of first appearance there (none for a suite without results). */
  suiteModels(suiteId: string): Iterable<readonly [string, GroupStats]>;
  /** What the run (or the suite) cost: the models' own requests and the judges' grading. */
  costUsd(suiteId?: string): number;
}

/** The run's and each suite's cost, added result by result in the order they are given. */
export class GateCosts {
  total = 0;
  readonly #bySuite = new Map<string, number>();

  add(r: Result): void {
    this.total = this.total + (r.costUsd ?? 0) + (r.judgeCostUsd ?? 0);
    this.#bySuite.set(r.suiteId, (this.#bySuite.get(r.suiteId) ?? 0) + (r.costUsd ?? 0) + (r.judgeCostUsd ?? 0));
  }

  of(suiteId?: string): number {
    return suiteId === undefined ? this.total : (this.#bySuite.get(suiteId) ?? 0);
  }
}

/** A GateSource over a list of results (tests, callers holding results). */
function sourceOf(results: readonly Result[]): GateSource {
  const byModel = (list: readonly Result[]) => {
    const map = new Map<string, Result[]>();
    for (const r of list) (map.get(r.model) ?? map.set(r.model, []).get(r.model)!).push(r);
    return [...map].map(([model, mine]) => [model, groupStats(mine)] as const);
  };
  const costs = new GateCosts();
  for (const r of results) costs.add(r);
  return {
    models: () => byModel(results),
    suiteModels: (suiteId) => byModel(results.filter((r) => r.suiteId === suiteId)),
    costUsd: (suiteId) => costs.of(suiteId),
  };
}

/**
 * The run's gate (config `gate`, overridden by flags) applies per model over all its results, and
 * to the run's total cost; a suite's own `gate` applies per model within that suite.
 */
export function evaluateGate(results: readonly Result[] | GateSource, runGate: GateDef | undefined, suiteGates: Record<string, GateDef | undefined>): GateOutcome | null {
  const source = Array.isArray(results) ? sourceOf(results) : (results as GateSource);
  const checks: GateCheck[] = [];
  if (runGate) checks.push(...perModelChecks('run', runGate, source.models()), ...costCheck('run', runGate, source.costUsd()));
  for (const [suiteId, gate] of Object.entries(suiteGates)) {
    if (!gate) continue;
    checks.push(...perModelChecks(`suite:${suiteId}`, gate, source.suiteModels(suiteId)), ...costCheck(`suite:${suiteId}`, gate, source.costUsd(suiteId)));
  }
  if (checks.length === 0) return null;
  return {pass: checks.every((c) => c.pass), checks};
}
