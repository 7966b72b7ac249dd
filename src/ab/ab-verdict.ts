import type {Result} from '../core/types.ts';
import {holmAdjust} from '../stats/holm.ts';
import {casesForEffect, MIN_PAIRED_CASES, pairedTest, type PairedTestName} from '../stats/paired-test.ts';
import {percentile} from '../stats/percentile.ts';
import {stratifiedDifference, type StratifiedDifference} from '../stats/stratified-difference.ts';
import {studentTQuantile} from '../stats/student-t.ts';
import type {SkippedRequest} from './load-traffic.ts';
import type {StratifiedSample} from './stratify-sample.ts';

export interface Interval {
  estimate: number;
  ciLow: number;
  ciHigh: number;
}

export interface AbVerdict {
  control: string;
  treatment: string;
  n: number;
  metric: 'score' | 'pairwise';
  /** treatment − control (for pairwise: treatment's win rate minus control's). */
  difference: Interval;
  /** From the same test as `difference`'s interval: the interval excludes 0 exactly when pValue < 0.05. */
  pValue: number;
  /**
   * mcnemar-score: per-request differences of −1, 0, +1 (pass/fail, judged wins), Tango's interval; paired-t otherwise;
   * stratified-t: a sample drawn with unequal weights (`--allocation equal`), each stratum at its traffic share.
   */
  test: PairedTestName | 'stratified-t';
  /** Fewer than MIN_PAIRED_CASES usable pairs: no verdict either way. */
  tooFew: boolean;
  /** The smallest true difference this n detects with 80% power at α = 0.05. */
  mde: number | null;
  /** Requests needed to detect `effect` with 80% power, from this sample's variance. */
  nForEffect: {effect: number; n: number | null};
  verdict: 'better' | 'worse' | 'indistinguishable';
  summary: string;
  passRate?: {control: number; treatment: number; onlyControl: number; onlyTreatment: number};
  pairwise?: {wins: number; ties: number; losses: number; unscored: number};
  cost: {controlPer1kUsd: number | null; treatmentPer1kUsd: number | null; difference: Interval | null};
  latency: {controlP50Ms: number | null; treatmentP50Ms: number | null; difference: Interval | null};
  /** Per tag: the same test; p-values Holm-adjusted across tags; `tooFew` below MIN_PAIRED_CASES pairs (never significant). */
  /**
   * A stratified sample's weighted estimate (Cochran's stratified mean of the per-request differences).
   * With `--allocation equal` it is the verdict's (difference, pValue and test above are its) and `unweighted`
   * keeps the plain paired test; with proportional allocation the weights are equal up to rounding and it is shown beside.
   */
  weighted?: StratifiedDifference & {stratify: string; allocation: string; drivesVerdict: boolean};
  /** The plain paired test, when the weighted estimate drives the verdict. */
  unweighted?: Interval & {pValue: number; test: PairedTestName};
  perTag: Array<{tag: string; n: number; difference: number; ciLow: number; ciHigh: number; test: PairedTestName; pValue: number; pValueAdjusted: number; tooFew: boolean; significant: boolean}>;
  disagreements: Array<{id: string; control: number; treatment: number; controlOutput: string | null; treatmentOutput: string | null}>;
  excluded: {controlErrors: number; treatmentErrors: number; unscored: number};
  skipped: SkippedRequest[];
}

/** t interval for an unbounded mean (cost, latency); none below 2 values rather than an infinite one. */
function meanInterval(values: number[], alpha = 0.05): Interval | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile(1 - alpha / 2, n - 1) * (sd / Math.sqrt(n));
  return {estimate: mean, ciLow: mean - half, ciHigh: mean + half};
}

/** Per-request values grouped by the stratum each request was sampled from, with the strata's traffic counts. */
function strataUnits(sample: Pick<StratifiedSample, 'strata' | 'stratumOf'>, values: Array<{id: string; d: number}>) {
  const by = new Map<string, number[]>();
  for (const v of values) {
    const key = sample.stratumOf.get(v.id);
    if (key !== undefined) (by.get(key) ?? by.set(key, []).get(key)!).push(v.d);
  }
  return sample.strata.map((s) => ({stratum: s.stratum, population: s.population, differences: by.get(s.stratum) ?? []}));
}

export interface PairedCase {
  id: string;
  tags: string[];
  control: Result;
  treatment: Result;
  /** Pairwise judging, from the treatment's side: 1 win, 0.5 tie, 0 loss; null unscored. */
  treatmentWin?: number | null;
}

/**
 * The paired verdict: per request, treatment − control, with the interval and the p-value from one
 * test (McNemar's score test with Tango's interval for pass/fail and judged wins, the paired t for
 * graded scores), so "the interval excludes 0" and "p < 0.05" never disagree. Per-tag results use
 * the same test, Holm-adjusted across tags; too few pairs give no verdict.
 */
export function abVerdict(
  control: string,
  treatment: string,
  cases: PairedCase[],
  opts: {metric: 'score' | 'pairwise'; effect: number; skipped: SkippedRequest[]; sample?: Pick<StratifiedSample, 'strata' | 'stratumOf' | 'allocation' | 'stratify'>},
): AbVerdict {
  let controlErrors = 0;
  let treatmentErrors = 0;
  let unscored = 0;
  const usable: Array<PairedCase & {a: number; b: number}> = [];
  for (const c of cases) {
    if (c.control.status === 'error') controlErrors++;
    if (c.treatment.status === 'error') treatmentErrors++;
    if (c.control.status === 'error' || c.treatment.status === 'error') continue;
    if (opts.metric === 'pairwise') {
      if (c.treatmentWin === null || c.treatmentWin === undefined) {
        unscored++;
        continue;
      }
      usable.push({...c, a: 1 - c.treatmentWin, b: c.treatmentWin});
    } else {
      if (c.control.score === null || c.treatment.score === null) {
        unscored++;
        continue;
      }
      usable.push({...c, a: c.control.score, b: c.treatment.score});
    }
  }
  const n = usable.length;
  const cmp = pairedTest(usable.map((u) => ({a: u.a, b: u.b})));
  const weightedDiff = opts.sample ? stratifiedDifference(strataUnits(opts.sample, usable.map((u) => ({id: u.id, d: u.b - u.a}))), {bounds: [-1, 1]}) : null;
  // Over-sampled strata would pull a plain mean their way: with unequal allocation the weighted estimate decides.
  const drivesVerdict = weightedDiff !== null && opts.sample?.allocation !== 'proportional';
  const weighted = weightedDiff && opts.sample ? {...weightedDiff, stratify: opts.sample.stratify, allocation: opts.sample.allocation, drivesVerdict} : undefined;
  const estimate = drivesVerdict ? weightedDiff.estimate : (cmp?.estimate ?? 0);
  const ciLow = drivesVerdict ? weightedDiff.ciLow : (cmp?.ciLow ?? -1);
  const ciHigh = drivesVerdict ? weightedDiff.ciHigh : (cmp?.ciHigh ?? 1);
  const pValue = drivesVerdict ? weightedDiff.pValue : (cmp?.pValue ?? 1);
  const test: AbVerdict['test'] = drivesVerdict ? 'stratified-t' : (cmp?.test ?? 'mcnemar-score');
  const tooFew = n < MIN_PAIRED_CASES;
  const verdict: AbVerdict['verdict'] = !tooFew && pValue < 0.05 ? (estimate > 0 ? 'better' : 'worse') : 'indistinguishable';
  // Under weights the design's own standard error sets the MDE, and n scales as (MDE / effect)².
  const nForEffect = drivesVerdict ? (opts.effect > 0 ? Math.ceil(n * (weightedDiff.mde / opts.effect) ** 2) : null) : casesForEffect(cmp?.sdDiff ?? null, opts.effect);

  const perTagMap = new Map<string, Array<{a: number; b: number}>>();
  for (const u of usable) for (const t of u.tags) (perTagMap.get(t) ?? perTagMap.set(t, []).get(t)!).push({a: u.a, b: u.b});
  const tagTests = [...perTagMap].sort(([x], [y]) => x.localeCompare(y)).map(([tag, units]) => ({tag, t: pairedTest(units)!}));
  const tagAdjusted = holmAdjust(tagTests.map(({t}) => t.pValue));
  const perTag = tagTests.map(({tag, t}, i) => ({
    tag,
    n: t.n,
    difference: t.estimate,
    ciLow: t.ciLow,
    ciHigh: t.ciHigh,
    test: t.test,
    pValue: t.pValue,
    pValueAdjusted: tagAdjusted[i]!,
    tooFew: t.tooFew,
    significant: !t.tooFew && tagAdjusted[i]! < 0.05,
  }));

  const costPairs = usable.filter((u) => u.control.costUsd !== null && u.treatment.costUsd !== null);
  const latencyPairs = usable.filter((u) => u.control.latencyMs !== null && u.treatment.latencyMs !== null && !u.control.cached && !u.treatment.cached);
  // Cost and latency deltas under the same weights as the verdict.
  const deltaInterval = (pairs: typeof usable, delta: (u: (typeof usable)[number]) => number): Interval | null => {
    if (!drivesVerdict) return meanInterval(pairs.map(delta));
    const w = stratifiedDifference(strataUnits(opts.sample!, pairs.map((u) => ({id: u.id, d: delta(u)}))));
    return w && pairs.length >= 2 ? {estimate: w.estimate, ciLow: w.ciLow, ciHigh: w.ciHigh} : null;
  };
  const per1k = (rs: Result[]) => {
    const known = rs.filter((r) => r.costUsd !== null);
    return known.length === 0 ? null : (known.reduce((s, r) => s + r.costUsd!, 0) / known.length) * 1000;
  };
  const pct = (v: number) => `${(v * 100).toFixed(1)}`;
  const what = opts.metric === 'pairwise' ? 'win rate' : 'score';
  const summary =
    tooFew
      ? `${treatment} vs ${control}: too few usable pairs for any conclusion (n=${n}; at least ${MIN_PAIRED_CASES} needed).`
      : verdict === 'indistinguishable'
      ? `${treatment} vs ${control}: no detectable difference in ${what} (${estimate >= 0 ? '+' : ''}${pct(estimate)} points, 95% CI ${pct(ciLow)} to ${pct(ciHigh)}, n=${n}, p=${pValue.toPrecision(2)}). ${nForEffect ? `About ${nForEffect} requests would detect a ${pct(opts.effect)}-point difference.` : ''}`
      : `${treatment} is ${verdict} than ${control}: ${estimate >= 0 ? '+' : ''}${pct(estimate)} points of ${what} (95% CI ${pct(ciLow)} to ${pct(ciHigh)}, n=${n}, p=${pValue.toPrecision(2)}).`;

  const weightNote = drivesVerdict ? ` Weighted by each ${opts.sample!.stratify === 'tag' ? 'tag' : `"${opts.sample!.stratify}"`} stratum's share of the traffic (effective n ${weightedDiff.nEffective.toFixed(1)}).` : '';
  return {
    control,
    treatment,
    n,
    metric: opts.metric,
    difference: {estimate, ciLow, ciHigh},
    pValue,
    test,
    tooFew,
    mde: drivesVerdict ? Math.min(1, weightedDiff.mde) : (cmp?.mde ?? null),
    nForEffect: {effect: opts.effect, n: nForEffect},
    verdict,
    summary: `${summary.trim()}${weightNote}`,
    ...(opts.metric === 'score' && {
      passRate: {
        control: usable.filter((u) => u.control.pass).length / Math.max(1, n),
        treatment: usable.filter((u) => u.treatment.pass).length / Math.max(1, n),
        onlyControl: usable.filter((u) => u.control.pass && !u.treatment.pass).length,
        onlyTreatment: usable.filter((u) => !u.control.pass && u.treatment.pass).length,
      },
    }),
    ...(opts.metric === 'pairwise' && {
      pairwise: {wins: usable.filter((u) => u.b > u.a).length, ties: usable.filter((u) => u.b === u.a).length, losses: usable.filter((u) => u.b < u.a).length, unscored},
    }),
    cost: {
      controlPer1kUsd: per1k(usable.map((u) => u.control)),
      treatmentPer1kUsd: per1k(usable.map((u) => u.treatment)),
      difference: deltaInterval(costPairs, (u) => (u.treatment.costUsd! - u.control.costUsd!) * 1000),
    },
    latency: {
      controlP50Ms: percentile(latencyPairs.map((u) => u.control.latencyMs!), 50),
      treatmentP50Ms: percentile(latencyPairs.map((u) => u.treatment.latencyMs!), 50),
      difference: deltaInterval(latencyPairs, (u) => u.treatment.latencyMs! - u.control.latencyMs!),
    },
    ...(weighted && {weighted}),
    ...(drivesVerdict && cmp && {unweighted: {estimate: cmp.estimate, ciLow: cmp.ciLow, ciHigh: cmp.ciHigh, pValue: cmp.pValue, test: cmp.test}}),
    perTag,
    disagreements: usable
      .filter((u) => u.a !== u.b)
      .sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a) || x.id.localeCompare(y.id))
      .slice(0, 10)
      .map((u) => ({id: u.id, control: u.a, treatment: u.b, controlOutput: u.control.output, treatmentOutput: u.treatment.output})),
    excluded: {controlErrors, treatmentErrors, unscored},
    skipped: opts.skipped,
  };
}
