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

function perModelChecks(scope: string, gate: GateDef, byModel: Map<string, Result[]>): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const [model, results] of byModel) {
    const s: GroupStats = groupStats(results);
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

function costCheck(scope: string, gate: GateDef, results: readonly Result[]): GateCheck[] {
  if (gate.maxCostUsd === undefined) return [];
  // What the run cost: the models' own requests and the judges' grading.
  const actual = results.reduce((sum, r) => sum + (r.costUsd ?? 0) + (r.judgeCostUsd ?? 0), 0);
  const pass = actual <= gate.maxCostUsd;
  return [{scope, model: null, metric: 'maxCostUsd', threshold: gate.maxCostUsd, actual, pass, message: `total cost ${fmt.maxCostUsd(actual)} (max ${fmt.maxCostUsd(gate.maxCostUsd)})${pass ? '' : ' — FAILED'}`}];
}

function byModel(results: readonly Result[]): Map<string, Result[]> {
  const map = new Map<string, Result[]>();
  for (const r of results) (map.get(r.model) ?? map.set(r.model, []).get(r.model)!).push(r);
  return map;
}

/**
 * The run's gate (config `gate`, overridden by flags) applies per model over all its results, and
 * to the run's total cost; a suite's own `gate` applies per model within that suite.
 */
export function evaluateGate(results: readonly Result[], runGate: GateDef | undefined, suiteGates: Record<string, GateDef | undefined>): GateOutcome | null {
  const checks: GateCheck[] = [];
  if (runGate) checks.push(...perModelChecks('run', runGate, byModel(results)), ...costCheck('run', runGate, results));
  for (const [suiteId, gate] of Object.entries(suiteGates)) {
    if (!gate) continue;
    const mine = results.filter((r) => r.suiteId === suiteId);
    checks.push(...perModelChecks(`suite:${suiteId}`, gate, byModel(mine)), ...costCheck(`suite:${suiteId}`, gate, mine));
  }
  if (checks.length === 0) return null;
  return {pass: checks.every((c) => c.pass), checks};
}
