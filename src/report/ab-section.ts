import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import type {AbVerdict} from '../ab/ab-verdict.ts';

/** ab.json as `assay ab` writes it: the verdict, with a pairwise `judged` one when both grading and judging ran. */
export type AbFile = AbVerdict & {judged?: AbVerdict};

/** What the report knows about ab.json: absent (not an A/B run), read, or unreadable (shown as a note, never fatal). */
export type AbInput = {verdict: AbFile} | {error: string} | null;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads `ab.json` from a run directory. A missing file is null; a broken one is an error note for the page. */
export function readAbFile(dir: string): AbInput {
  let text: string;
  try {
    text = readFileSync(join(dir, 'ab.json'), 'utf8');
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as unknown;
    const problem = checkVerdict(value);
    return problem ? {error: `ab.json is not an A/B verdict: ${problem}`} : {verdict: value as AbFile};
  } catch (error) {
    return {error: `ab.json is not valid JSON: ${(error as Error).message}`};
  }
}

function checkVerdict(v: unknown): string | null {
  if (!isObject(v)) return 'not an object';
  if (typeof v.control !== 'string' || typeof v.treatment !== 'string') return 'no control/treatment labels';
  if (!isObject(v.difference) || typeof v.difference.estimate !== 'number') return 'no difference.estimate';
  if (v.judged !== undefined && checkVerdict(v.judged) !== null) return `judged: ${checkVerdict(v.judged)}`;
  return null;
}

// ab.json is JSON: an unbounded interval end (n < 2) was written as null. These read both forms.
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const pts = (v: number | null, unbounded: string) => (v === null ? unbounded : `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}`);
const usd = (v: unknown) => (finite(v) === null ? 'unknown' : `$${finite(v)!.toFixed(4)}`);
const signedUsd = (v: number | null, unbounded: string) => (v === null ? unbounded : `${v >= 0 ? '+' : '−'}$${Math.abs(v).toFixed(4)}`);
const ms = (v: unknown) => (finite(v) === null ? '–' : `${Math.round(finite(v)!)} ms`);
const signedMs = (v: number | null, unbounded: string) => (v === null ? unbounded : `${v >= 0 ? '+' : '−'}${Math.abs(Math.round(v))} ms`);
const pct = (v: unknown) => (finite(v) === null ? '–' : `${(finite(v)! * 100).toFixed(1)}%`);
const raw = (v: unknown) => (finite(v) === null ? '' : String(v));
/** Outputs shown in the disagreements table are cut here (ab.json and results.jsonl keep them whole). */
const MAX_SHOWN_CHARS = 4_000;

export interface CiBarView {
  width: number;
  height: number;
  track: {x1: string; x2: string};
  zero: string;
  range: {x1: string; x2: string};
  dot: string;
  cls: string;
  label: string;
  ticks: Array<{x: string; text: string; anchor: string}>;
  openLow: boolean;
  openHigh: boolean;
  y: number;
}

/** Half-width of a symmetric axis around 0 that holds every finite bound, rounded up to a readable step. */
function axisHalfWidth(values: ReadonlyArray<number | null>): number {
  const m = Math.max(0.05, ...values.filter((v): v is number => v !== null).map((v) => Math.abs(v)));
  const steps = [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2];
  return steps.find((s) => s >= m * 1.05) ?? m * 1.1;
}

/** An inline SVG: the axis from −R to +R, 0 marked, the 95% CI as a band and the estimate as a dot (all numbers, no text from data). */
function ciBar(estimate: number, low: number | null, high: number | null, half: number, opts: {width: number; label: string; ticks: boolean; verdict?: string}): CiBarView {
  const pad = 8;
  const height = opts.ticks ? 34 : 16;
  const y = 8;
  const x = (v: number) => (pad + ((Math.max(-half, Math.min(half, v)) + half) / (2 * half)) * (opts.width - 2 * pad)).toFixed(1);
  const excludesZero = (low !== null && low > 0) || (high !== null && high < 0);
  const cls = opts.verdict === 'better' || (opts.verdict === undefined && excludesZero && estimate > 0) ? 'up' : opts.verdict === 'worse' || (opts.verdict === undefined && excludesZero && estimate < 0) ? 'down' : 'flat';
  const fmt = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v * 100).toFixed(half < 0.1 ? 1 : 0)}`;
  return {
    width: opts.width,
    height,
    y,
    track: {x1: x(-half), x2: x(half)},
    zero: x(0),
    range: {x1: x(low ?? -half), x2: x(high ?? half)},
    dot: x(estimate),
    cls,
    label: opts.label,
    openLow: low === null,
    openHigh: high === null,
    ticks: opts.ticks ? [-half, -half / 2, 0, half / 2, half].map((v, i) => ({x: x(v), text: fmt(v), anchor: i === 0 ? 'start' : i === 4 ? 'end' : 'middle'})) : [],
  };
}

function cut(text: string | null | undefined): string {
  if (text === null || text === undefined) return '(no output)';
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}\n… (${text.length - MAX_SHOWN_CHARS} more characters in results.jsonl)` : text;
}

export interface AbBlockView {
  kind: 'primary' | 'judged';
  title: string;
  verdict: string;
  verdictCls: string;
  summary: string;
  metric: string;
  unit: string;
  n: number;
  estimate: string;
  estimateValue: string;
  ciText: string;
  ciLowValue: string;
  ciHighValue: string;
  bar: CiBarView;
  winRate: string | null;
  test: string;
  pValue: string;
  pValueValue: string;
  mde: string;
  mdeValue: string;
  nForEffect: string;
  nForEffectValue: string;
  effect: string;
  passRate: {control: string; treatment: string; controlValue: string; treatmentValue: string; onlyControl: number; onlyTreatment: number} | null;
  pairwise: {wins: number; ties: number; losses: number; unscored: number} | null;
  cost: {control: string; treatment: string; diff: string; diffValue: string};
  latency: {control: string; treatment: string; diff: string; diffValue: string};
  perTag: Array<{tag: string; n: number; tooFew: boolean; diff: string; diffValue: string; ci: string; p: string; bar: CiBarView}>;
  disagreements: Array<{id: string; control: string; treatment: string; controlOutput: string; treatmentOutput: string}>;
  /** The judged verdict disagrees on exactly the requests listed above it. */
  sameDisagreements?: boolean;
  excluded: string | null;
  skipped: {count: number; shown: Array<{text: string}>; more: number} | null;
}

export interface AbSectionView {
  control: string;
  treatment: string;
  blocks: AbBlockView[];
  error: string | null;
}

const TEST_NAMES: Record<string, string> = {'mcnemar-score': "McNemar's score test (Tango interval)", 'paired-t': 'paired t-test', 'mcnemar-exact': 'exact McNemar', 'sign-test': 'sign test', 'stratified-t': 'stratified t (weighted by stratum share)'};
/** Tags with fewer pairs are shown as "too few" (older ab.json files carry no tooFew flag). */
const MIN_TAG_PAIRS = 10;

function blockView(v: AbVerdict, kind: 'primary' | 'judged'): AbBlockView {
  const d = v.difference;
  const low = finite(d.ciLow);
  const high = finite(d.ciHigh);
  const est = finite(d.estimate) ?? 0;
  const pairwise = v.metric === 'pairwise';
  const unit = pairwise ? 'win-rate points' : 'score points';
  const perTag = Array.isArray(v.perTag) ? v.perTag : [];
  const fewPairs = (t: AbVerdict['perTag'][number]) => t.tooFew ?? t.n < MIN_TAG_PAIRS;
  const tagHalf = axisHalfWidth(perTag.filter((t) => !fewPairs(t)).flatMap((t) => [finite(t.difference), finite(t.ciLow), finite(t.ciHigh)]));
  const costDiff = v.cost?.difference ?? null;
  const latDiff = v.latency?.difference ?? null;
  const interval = (x: {estimate: number; ciLow: number; ciHigh: number} | null, f: (v: number | null, u: string) => string) =>
    x ? `${f(finite(x.estimate), '–')} (95% CI ${f(finite(x.ciLow), '−∞')} to ${f(finite(x.ciHigh), '+∞')})` : '–';
  const excluded = v.excluded ? v.excluded.controlErrors + v.excluded.treatmentErrors + v.excluded.unscored : 0;
  const skipped = Array.isArray(v.skipped) ? v.skipped : [];
  return {
    kind,
    title: kind === 'primary' ? (pairwise ? 'Pairwise judging' : 'Graded score') : 'Also judged pairwise',
    verdict: String(v.verdict ?? 'unknown'),
    verdictCls: v.verdict === 'better' ? 'improvement' : v.verdict === 'worse' ? 'regression' : '',
    summary: String(v.summary ?? ''),
    metric: pairwise ? 'pairwise win rate (a win counts only when both orders agree; a tie is half)' : 'graded score',
    unit,
    n: v.n,
    estimate: pts(est, '–'),
    estimateValue: raw(d.estimate),
    ciText: `${pts(low, '−∞')} to ${pts(high, '+∞')}`,
    ciLowValue: raw(d.ciLow),
    ciHighValue: raw(d.ciHigh),
    bar: ciBar(est, low, high, axisHalfWidth([est, low, high]), {width: 420, label: `${v.treatment} − ${v.control}: ${pts(est, '–')} ${unit}, 95% CI ${pts(low, '−∞')} to ${pts(high, '+∞')}`, ticks: true, verdict: v.verdict}),
    // Pairwise: difference = 2 × win rate − 1, so the treatment's win rate and its interval follow exactly.
    winRate: pairwise ? `${pct((est + 1) / 2)} (95% CI ${low === null ? '0.0%' : pct(Math.max(0, (low + 1) / 2))} to ${high === null ? '100.0%' : pct(Math.min(1, (high + 1) / 2))})` : null,
    test: TEST_NAMES[v.test] ?? String(v.test),
    pValue: finite(v.pValue) === null ? '–' : v.pValue.toPrecision(2),
    pValueValue: raw(v.pValue),
    mde: finite(v.mde) === null ? '–' : `${(v.mde! * 100).toFixed(1)} points`,
    mdeValue: raw(v.mde),
    nForEffect: finite(v.nForEffect?.n) === null ? '–' : String(v.nForEffect.n),
    nForEffectValue: raw(v.nForEffect?.n),
    effect: finite(v.nForEffect?.effect) === null ? '–' : `${(v.nForEffect.effect * 100).toFixed(1)} points`,
    passRate: v.passRate
      ? {control: pct(v.passRate.control), treatment: pct(v.passRate.treatment), controlValue: raw(v.passRate.control), treatmentValue: raw(v.passRate.treatment), onlyControl: v.passRate.onlyControl, onlyTreatment: v.passRate.onlyTreatment}
      : null,
    pairwise: v.pairwise ? {wins: v.pairwise.wins, ties: v.pairwise.ties, losses: v.pairwise.losses, unscored: v.pairwise.unscored} : null,
    cost: {control: usd(v.cost?.controlPer1kUsd), treatment: usd(v.cost?.treatmentPer1kUsd), diff: interval(costDiff, signedUsd), diffValue: raw(costDiff?.estimate)},
    latency: {control: ms(v.latency?.controlP50Ms), treatment: ms(v.latency?.treatmentP50Ms), diff: interval(latDiff, signedMs), diffValue: raw(latDiff?.estimate)},
    perTag: perTag.map((t) => {
      const tl = finite(t.ciLow);
      const th = finite(t.ciHigh);
      const te = finite(t.difference) ?? 0;
      const few = fewPairs(t);
      // Colour only what the adjusted test calls clear; older files without it fall back to nothing marked.
      const verdict = !few && t.significant === true ? (te > 0 ? 'better' : 'worse') : 'indistinguishable';
      return {
        tag: t.tag,
        n: t.n,
        tooFew: few,
        diff: few ? `too few (n=${t.n})` : pts(te, '–'),
        diffValue: raw(t.difference),
        ci: few ? '' : `${pts(tl, '−∞')} to ${pts(th, '+∞')}`,
        p: few || finite(t.pValue) === null ? '–' : `${t.pValue.toPrecision(2)} (Holm ${finite(t.pValueAdjusted) === null ? '–' : t.pValueAdjusted.toPrecision(2)})`,
        bar: ciBar(te, tl, th, tagHalf, {width: 220, label: `${pts(te, '–')} (${pts(tl, '−∞')} to ${pts(th, '+∞')})`, ticks: false, verdict}),
      };
    }),
    disagreements: (Array.isArray(v.disagreements) ? v.disagreements : []).map((x) => ({
      id: String(x.id),
      control: String(x.control),
      treatment: String(x.treatment),
      controlOutput: cut(x.controlOutput),
      treatmentOutput: cut(x.treatmentOutput),
    })),
    excluded: excluded > 0 ? `Excluded: ${v.excluded.controlErrors} control error(s), ${v.excluded.treatmentErrors} treatment error(s), ${v.excluded.unscored} unscored.` : null,
    skipped: kind === 'primary' && skipped.length > 0
      ? {count: skipped.length, shown: skipped.slice(0, 10).map((s) => ({text: `line ${s.line ?? '?'}${s.id ? ` (${s.id})` : ''}: ${s.reason}`})), more: Math.max(0, skipped.length - 10)}
      : null,
  };
}

/** The A/B section's view model: every string is escaped by the template; the SVGs carry only numbers. */
export function abSectionView(input: AbInput): AbSectionView | null {
  if (input === null) return null;
  if ('error' in input) return {control: '', treatment: '', blocks: [], error: input.error};
  const v = input.verdict;
  const blocks = [blockView(v, 'primary')];
  if (v.judged) {
    const judged = blockView(v.judged, 'judged');
    // Often the same requests in the same order as the graded verdict's: shown once.
    const key = (b: AbBlockView) => b.disagreements.map((d) => `${d.id}\u0000${d.control}\u0000${d.treatment}`).join('\u0001');
    if (judged.disagreements.length > 0 && key(judged) === key(blocks[0]!)) {
      judged.disagreements = [];
      judged.sameDisagreements = true;
    }
    blocks.push(judged);
  }
  return {control: v.control, treatment: v.treatment, blocks, error: null};
}
