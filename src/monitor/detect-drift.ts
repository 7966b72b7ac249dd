import {fisherExact} from '../stats/fisher-exact.ts';
import {holmAdjust} from '../stats/holm.ts';
import {mannWhitney} from '../stats/mann-whitney.ts';
import type {Drift, SeriesPoint} from './series-point.ts';

const pct = (k: number, n: number) => (n === 0 ? '–' : `${((k / n) * 100).toFixed(1)}% of ${n}`);
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Test {
  model: string;
  metric: Drift['metric'];
  baseline: string;
  current: string;
  pValue: number;
  /** Only a move for the worse is a drift: a model getting better is not an alert. */
  worse: boolean;
}

function testsFor(model: string, base: SeriesPoint[], now: SeriesPoint): Test[] {
  const sum = (pick: (p: SeriesPoint) => number) => base.reduce((n, p) => n + pick(p), 0);
  const baseN = sum((p) => p.n);
  const baseErrors = sum((p) => p.errors);
  const baseGraded = sum((p) => p.graded);
  const basePassed = sum((p) => p.passed);
  const tests: Test[] = [
    {
      model,
      metric: 'error rate',
      baseline: pct(baseErrors, baseN),
      current: pct(now.errors, now.n),
      pValue: fisherExact(now.errors, now.n, baseErrors, baseN),
      worse: now.n > 0 && baseN > 0 && now.errors / now.n > baseErrors / baseN,
    },
  ];
  if (baseGraded > 0 && now.graded > 0) {
    tests.push({
      model,
      metric: 'pass rate',
      baseline: pct(basePassed, baseGraded),
      current: pct(now.passed, now.graded),
      pValue: fisherExact(now.graded - now.passed, now.graded, baseGraded - basePassed, baseGraded),
      worse: now.passed / now.graded < basePassed / baseGraded,
    });
  }
  const baseLatencies = base.flatMap((p) => p.latenciesMs);
  if (baseLatencies.length > 0 && now.latenciesMs.length > 0) {
    const mw = mannWhitney(now.latenciesMs, baseLatencies);
    tests.push({
      model,
      metric: 'latency',
      baseline: `p50 ${Math.round(median(baseLatencies)!)} ms`,
      current: `p50 ${Math.round(median(now.latenciesMs)!)} ms`,
      pValue: mw.pValue,
      worse: mw.probXGreater > 0.5,
    });
  }
  return tests;
}

/**
 * Each model's latest cycle against its own baseline (its first `baselineCycles` cycles): error rate
 * and pass rate by Fisher's exact test, latency by a Mann–Whitney rank test. The p-values of every
 * test in the cycle are Holm-adjusted together; a drift is a move for the worse with adjusted p < α.
 */
export function detectDrift(series: readonly SeriesPoint[], cycle: number, opts: {baselineCycles: number; alpha: number}): Drift[] {
  const tests: Test[] = [];
  for (const model of new Set(series.map((p) => p.model))) {
    const points = series.filter((p) => p.model === model).sort((a, b) => a.cycle - b.cycle);
    const base = points.slice(0, opts.baselineCycles);
    const now = points.find((p) => p.cycle === cycle);
    if (!now || base.length < opts.baselineCycles || base.includes(now)) continue;
    tests.push(...testsFor(model, base, now));
  }
  const adjusted = holmAdjust(tests.map((t) => t.pValue));
  const at = series.find((p) => p.cycle === cycle)?.at ?? new Date().toISOString();
  return tests
    .map((t, i) => ({t, adjusted: adjusted[i]!}))
    .filter(({t, adjusted: p}) => t.worse && p < opts.alpha)
    .map(({t, adjusted: p}) => ({v: 1 as const, cycle, at, model: t.model, metric: t.metric, baseline: t.baseline, current: t.current, pValue: t.pValue, pValueAdjusted: p}));
}
