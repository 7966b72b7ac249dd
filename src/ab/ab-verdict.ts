import type {Result} from '../core/types.ts';
import {mcnemarExact} from '../stats/mcnemar.ts';
import {pairedComparison} from '../stats/paired-comparison.ts';
import {percentile} from '../stats/percentile.ts';
import {normalQuantile, studentTCdf, studentTQuantile} from '../stats/student-t.ts';
import type {SkippedRequest} from './load-traffic.ts';

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
  pValue: number;
  test: 'mcnemar-exact' | 'paired-t' | 'sign-test';
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
  perTag: Array<{tag: string; n: number; difference: number; ciLow: number; ciHigh: number}>;
  disagreements: Array<{id: string; control: number; treatment: number; controlOutput: string | null; treatmentOutput: string | null}>;
  excluded: {controlErrors: number; treatmentErrors: number; unscored: number};
  skipped: SkippedRequest[];
}

function meanInterval(values: number[], alpha = 0.05): Interval | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return {estimate: mean, ciLow: Number.NEGATIVE_INFINITY, ciHigh: Number.POSITIVE_INFINITY};
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile(1 - alpha / 2, n - 1) * (sd / Math.sqrt(n));
  return {estimate: mean, ciLow: mean - half, ciHigh: mean + half};
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
 * The paired verdict: per request, treatment − control, with a t interval (small samples are not
 * overconfident) and an exact test (McNemar for pass/fail, a sign test for pairwise wins), so two
 * identical models are called different no more often than α says.
 */
export function abVerdict(control: string, treatment: string, cases: PairedCase[], opts: {metric: 'score' | 'pairwise'; effect: number; skipped: SkippedRequest[]}): AbVerdict {
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
  const diffs = usable.map((u) => u.b - u.a);
  const cmp = pairedComparison(usable.map((u) => ({a: u.a, b: u.b, passA: u.control.pass ?? undefined, passB: u.treatment.pass ?? undefined})));
  const estimate = cmp?.meanDiff ?? 0;
  const ciLow = cmp?.ciLow ?? Number.NEGATIVE_INFINITY;
  const ciHigh = cmp?.ciHigh ?? Number.POSITIVE_INFINITY;
  const binary = usable.every((u) => (u.a === 0 || u.a === 1) && (u.b === 0 || u.b === 1));
  let pValue: number;
  let test: AbVerdict['test'];
  if (opts.metric === 'pairwise') {
    const wins = usable.filter((u) => u.b > u.a).length;
    const losses = usable.filter((u) => u.b < u.a).length;
    pValue = mcnemarExact(wins, losses);
    test = 'sign-test';
  } else if (binary) {
    const onlyB = usable.filter((u) => u.b > u.a).length;
    const onlyA = usable.filter((u) => u.b < u.a).length;
    pValue = mcnemarExact(onlyA, onlyB);
    test = 'mcnemar-exact';
  } else {
    const se = n > 1 ? Math.sqrt(diffs.reduce((s, d) => s + (d - estimate) ** 2, 0) / (n - 1) / n) : 0;
    pValue = n > 1 && se > 0 ? 2 * (1 - studentTCdf(Math.abs(estimate / se), n - 1)) : estimate === 0 ? 1 : 0;
    test = 'paired-t';
  }
  // The verdict needs both: the interval away from 0 and the exact test under α.
  const verdict: AbVerdict['verdict'] = pValue < 0.05 && (ciLow > 0 || ciHigh < 0) ? (estimate > 0 ? 'better' : 'worse') : 'indistinguishable';
  const sd = n > 1 ? Math.sqrt(diffs.reduce((s, d) => s + (d - estimate) ** 2, 0) / (n - 1)) : null;
  const z = normalQuantile(0.975) + normalQuantile(0.8);
  const nForEffect = sd === null || sd === 0 ? null : Math.ceil(((z * sd) / opts.effect) ** 2);

  const perTagMap = new Map<string, number[]>();
  for (const u of usable) for (const t of u.tags) (perTagMap.get(t) ?? perTagMap.set(t, []).get(t)!).push(u.b - u.a);
  const perTag = [...perTagMap]
    .map(([tag, d]) => ({tag, interval: meanInterval(d)!, n: d.length}))
    .map(({tag, interval, n: k}) => ({tag, n: k, difference: interval.estimate, ciLow: interval.ciLow, ciHigh: interval.ciHigh}))
    .sort((x, y) => x.tag.localeCompare(y.tag));

  const costPairs = usable.filter((u) => u.control.costUsd !== null && u.treatment.costUsd !== null);
  const latencyPairs = usable.filter((u) => u.control.latencyMs !== null && u.treatment.latencyMs !== null && !u.control.cached && !u.treatment.cached);
  const per1k = (rs: Result[]) => {
    const known = rs.filter((r) => r.costUsd !== null);
    return known.length === 0 ? null : (known.reduce((s, r) => s + r.costUsd!, 0) / known.length) * 1000;
  };
  const pct = (v: number) => `${(v * 100).toFixed(1)}`;
  const what = opts.metric === 'pairwise' ? 'win rate' : 'score';
  const summary =
    verdict === 'indistinguishable'
      ? `${treatment} vs ${control}: no detectable difference in ${what} (${estimate >= 0 ? '+' : ''}${pct(estimate)} points, 95% CI ${pct(ciLow)} to ${pct(ciHigh)}, n=${n}, p=${pValue.toPrecision(2)}). ${nForEffect ? `About ${nForEffect} requests would detect a ${pct(opts.effect)}-point difference.` : ''}`
      : `${treatment} is ${verdict} than ${control}: ${estimate >= 0 ? '+' : ''}${pct(estimate)} points of ${what} (95% CI ${pct(ciLow)} to ${pct(ciHigh)}, n=${n}, p=${pValue.toPrecision(2)}).`;

  return {
    control,
    treatment,
    n,
    metric: opts.metric,
    difference: {estimate, ciLow, ciHigh},
    pValue,
    test,
    mde: cmp?.mde ?? null,
    nForEffect: {effect: opts.effect, n: nForEffect},
    verdict,
    summary: summary.trim(),
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
      difference: meanInterval(costPairs.map((u) => (u.treatment.costUsd! - u.control.costUsd!) * 1000)),
    },
    latency: {
      controlP50Ms: percentile(latencyPairs.map((u) => u.control.latencyMs!), 50),
      treatmentP50Ms: percentile(latencyPairs.map((u) => u.treatment.latencyMs!), 50),
      difference: meanInterval(latencyPairs.map((u) => u.treatment.latencyMs! - u.control.latencyMs!)),
    },
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
