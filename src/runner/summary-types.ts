import type {CostBreakdown, ErrorCause} from '../core/types.ts';
import type {PairedTestName} from '../stats/paired-test.ts';

export interface GroupStats {
  n: number;
  ok: number;
  errors: number;
  errorRate: number;
  errorsByClass: Record<string, number>;
  /** Errors that were never sent (an open breaker, a model stopped by fail-fast): --resume sends them. */
  notSent: number;
  /** Requests an open breaker refused, by the error that opened it ("server 500"): never a bare circuit-open. */
  circuitOpenCauses: Record<string, number>;
  /** Results that had graders and an answer: the pass rate's denominator (errors are counted in errorRate). */
  graded: number;
  passed: number;
  /** Cases (suite + case id) with at least one graded result: the unit of evidence for the intervals. */
  gradedCases: number;
  /** Mean over cases of each case's pass fraction (= passed / graded when every case has as many repeats). */
  passRate: number | null;
  /** 95% interval over cases (Wilson; with repeats, Wilson at the clustered effective n): repeats never narrow it beyond the evidence. */
  passRateCi95: [number, number] | null;
  /** Mean over cases of each case's mean score. */
  meanScore: number | null;
  /** Standard error of the mean score, clustered by case (repeats averaged per case first). */
  meanScoreSe: number | null;
  meanScoreCi95: [number, number] | null;
  /** Results with a grade that could not be scored: excluded from pass rate and mean score. */
  unscored: number;
  latencyMs: {p50: number | null; p95: number | null; p99: number | null; mean: number | null};
  ttftMs: {p50: number | null; p95: number | null};
  /** Uncached input; cache reads and writes are counted apart. */
  inputTokens: number;
  /** Visible output; reasoning is counted apart where the provider reports it. */
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  tokensEstimated: number;
  /** Sum of known costs; null when no result had a price. */
  costUsd: number | null;
  /** The computed cost by token kind, summed over the results that had a price (null when none had). */
  costBreakdown: CostBreakdown | null;
  /** Results whose computed cost rests on an estimate (estimated tokens, or a cache price from a ratio). */
  costEstimated: number;
  /** Where the provider or a gateway reported costs: their sum, what the pricing computes for the same results, and whether the two disagree by more than 3%. */
  reportedCost: {n: number; reportedUsd: number; computedUsd: number | null; disagree: boolean} | null;
  costUnknown: number;
  costPer1kUsd: number | null;
  attempts: number;
  /** Results served from the response cache (left out of latency statistics). */
  cached: number;
  /** Cost of judge-model grading, kept apart from costUsd. */
  judgeCostUsd: number | null;
  /** `assay run --batch`: submission-to-results time over the distinct batches (present only for batch results). */
  batchTurnaroundMs?: {batches: number; p50: number | null; max: number | null};
}

/** A breaker state change; an opening carries its cause and the window's failures by class. */
export interface BreakerTransitionRecord {
  from: string;
  to: string;
  at: string;
  errorRate: number;
  attempts: number;
  cause?: ErrorCause;
  failuresByClass?: Record<string, number>;
}

export interface ModelComparison {
  a: string;
  b: string;
  /** passRate when every shared case was graded pass/fail for both models, else the mean score. */
  metric: 'passRate' | 'score';
  /** The one test behind both the interval and the p-value (docs/statistics.md). */
  test: PairedTestName;
  /** Shared cases (repeats averaged per case). */
  n: number;
  /** B − A on `metric`. */
  meanDiff: number;
  /** 95% interval of the same test: excludes 0 exactly when pValue < 0.05. */
  ciLow: number;
  ciHigh: number;
  pValue: number;
  /** Holm-adjusted over every pair of the run. */
  pValueAdjusted: number;
  adjustment: 'holm';
  /** Adjusted p < 0.05 and enough shared cases: a clear difference. */
  significant: boolean;
  /** Fewer shared cases than MIN_PAIRED_CASES: never significant. */
  tooFew: boolean;
  mde: number | null;
  /** Discordant cases, for pass/fail (the pValue is McNemar's score test). */
  mcnemar: {onlyA: number; onlyB: number; pValue: number} | null;
}

export interface Summary {
  runId: string;
  generatedAt: string;
  simulated: boolean;
  n: number;
  overall: GroupStats;
  models: Record<string, GroupStats & {provider: string; simulated: boolean}>;
  suites: Record<string, Record<string, GroupStats>>;
  tags: Record<string, Record<string, GroupStats>>;
  /** Circuit breaker state changes during the run, per model. */
  circuitBreaker: Record<string, BreakerTransitionRecord[]>;
  /** Every two models on the cases both answered: B − A in mean score with a 95% CI, McNemar on pass/fail, MDE. */
  comparisons: ModelComparison[];
  /** The gate's verdict, when thresholds were set (added after the run). */
  gate?: {pass: boolean; checks: Array<{scope: string; model: string | null; metric: string; threshold: number; actual: number | null; pass: boolean; message: string}>};
}
