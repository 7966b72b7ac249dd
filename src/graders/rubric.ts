import type {Grade, JudgeUsage} from '../core/types.ts';
import type {GradeInput, Grader} from './grader.ts';
import {judge} from './judge.ts';

export interface RubricCriterion {
  weight: number;
  /** A deterministic grader, or (when absent) a natural-language criterion for the judge. */
  grader?: Grader;
  criterion?: string;
}

/**
 * Weighted criteria; each a deterministic check or a natural-language criterion the judge grades.
 * Score = weighted mean; pass when score ≥ threshold. A criterion the judge cannot score makes the
 * whole rubric unscored rather than quietly lowering it.
 */
export function rubric(opts: {criteria: RubricCriterion[]; model: string | undefined; threshold: number; name?: string}, file: string): Grader {
  const name = opts.name ?? 'rubric';
  const parts = opts.criteria.map((c, i) => ({
    weight: c.weight,
    label: c.criterion ? `"${c.criterion.length > 60 ? `${c.criterion.slice(0, 60)}…` : c.criterion}"` : (c.grader?.name ?? `criterion ${i + 1}`),
    grader: c.grader ?? judge({rubric: c.criterion!, model: opts.model!, scale: 'grade', threshold: 1, name: `${name}[${i}]`}, file),
  }));
  const total = parts.reduce((s, p) => s + p.weight, 0);
  return {
    name,
    judgeModels: parts.flatMap((p) => p.grader.judgeModels ?? []),
    check: (input, where) => {
      for (const p of parts) p.grader.check?.(input, where);
    },
    async grade(input: GradeInput): Promise<Grade> {
      const grades = await Promise.all(parts.map((p) => p.grader.grade(input)));
      const lines = grades.map((g, i) => `${parts[i]!.label} (w${parts[i]!.weight}): ${g.unscored ? 'unscored' : g.pass ? 'pass' : 'fail'}${g.score !== null ? ` ${g.score.toFixed(2)}` : ''}`);
      const judged = grades.filter((g) => g.judge);
      const usage: JudgeUsage | undefined =
        judged.length === 0
          ? undefined
          : judged.reduce<JudgeUsage>(
              (u, g) => ({
                model: g.judge!.model,
                inputTokens: u.inputTokens + g.judge!.inputTokens,
                outputTokens: u.outputTokens + g.judge!.outputTokens,
                costUsd: u.costUsd === null || g.judge!.costUsd === null ? null : u.costUsd + g.judge!.costUsd,
                latencyMs: u.latencyMs + g.judge!.latencyMs,
                calls: u.calls + g.judge!.calls,
              }),
              {model: '', inputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 0, calls: 0},
            );
      if (grades.some((g) => g.unscored)) {
        return {grader: name, score: null, pass: null, unscored: true, reason: `unscored criterion: ${lines.join('; ')}`, ...(usage && {judge: usage})};
      }
      const score = grades.reduce((s, g, i) => s + (g.score ?? 0) * parts[i]!.weight, 0) / total;
      const pass = score >= opts.threshold;
      return {grader: name, score, pass, reason: `${score.toFixed(2)} (threshold ${opts.threshold}): ${lines.join('; ')}`, ...(usage && {judge: usage})};
    },
  };
}
