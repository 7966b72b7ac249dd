import {pairedComparison} from '../stats/paired-comparison.ts';
import {percentile} from '../stats/percentile.ts';
import {studentTQuantile} from '../stats/student-t.ts';
import {wilsonInterval} from '../stats/wilson-interval.ts';
import type {OutcomeMatrix} from './outcome-matrix.ts';

/** What one model did on one rule's cases (in sample: this is the evidence, not the estimate). */
export interface CandidateEvidence {
  model: string;
  /** Cases it has a score on. */
  n: number;
  quality: number | null;
  /** 95% CI: Wilson for pass/fail scores, t on the mean for graded ones. */
  qualityCi95: [number, number] | null;
  costUsdPer1k: number | null;
  p95LatencyMs: number | null;
  /** Share of its requests on these cases that ended in error (run results only). */
  errorRate: number | null;
  /** This model minus the winner on the cases both scored: mean difference with its 95% CI. */
  vsWinner: {n: number; meanDiff: number; ciLow: number; ciHigh: number; mcnemarP: number | null} | null;
}

export function candidateEvidence(matrix: OutcomeMatrix, caseIndices: readonly number[], winner: number): CandidateEvidence[] {
  const M = matrix.models.length;
  return matrix.models.map((model, m) => {
    const scores: number[] = [];
    const costs: number[] = [];
    const latencies: number[] = [];
    let requests = 0;
    let errors = 0;
    for (const i of caseIndices) {
      const q = matrix.score[i * M + m]!;
      if (!Number.isNaN(q)) scores.push(q);
      const c = matrix.costUsd[i * M + m]!;
      if (!Number.isNaN(c) && matrix.costKnown[m]) costs.push(c);
      const l = matrix.latencyMs[i * M + m]!;
      if (!Number.isNaN(l)) latencies.push(l);
      const o = matrix.cases[i]!.byModel[model];
      if (o) {
        requests += o.requests;
        errors += o.errors;
      }
    }
    const quality = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
    return {
      model,
      n: scores.length,
      quality,
      qualityCi95: qualityInterval(scores),
      costUsdPer1k: costs.length ? (costs.reduce((a, b) => a + b, 0) / costs.length) * 1000 : null,
      p95LatencyMs: percentile(latencies, 95),
      errorRate: requests > 0 ? errors / requests : null,
      vsWinner: m === winner ? null : versus(matrix, caseIndices, winner, m),
    };
  });
}

function qualityInterval(scores: readonly number[]): [number, number] | null {
  const n = scores.length;
  if (n === 0) return null;
  if (scores.every((s) => s === 0 || s === 1)) return wilsonInterval(scores.filter((s) => s === 1).length, n);
  if (n < 2) return null;
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(scores.reduce((a, s) => a + (s - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
  return [Math.max(0, mean - half), Math.min(1, mean + half)];
}

function versus(matrix: OutcomeMatrix, caseIndices: readonly number[], winner: number, m: number): CandidateEvidence['vsWinner'] {
  const M = matrix.models.length;
  const units: {a: number; b: number; passA?: boolean; passB?: boolean}[] = [];
  for (const i of caseIndices) {
    const a = matrix.score[i * M + winner]!;
    const b = matrix.score[i * M + m]!;
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    units.push({a, b, passA: a >= 0.5, passB: b >= 0.5});
  }
  const cmp = pairedComparison(units);
  if (!cmp) return null;
  return {n: cmp.n, meanDiff: cmp.meanDiff, ciLow: cmp.ciLow, ciHigh: cmp.ciHigh, mcnemarP: cmp.mcnemar?.pValue ?? null};
}
