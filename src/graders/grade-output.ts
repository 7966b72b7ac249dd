import type {Grade} from '../core/types.ts';
import type {GradeInput, Grader} from './grader.ts';

export interface GradedOutput {
  grades: Grade[];
  /** Mean of the grades' scores; null with no graders, or when a grade could not be scored. */
  score: number | null;
  pass: boolean | null;
  judgeCostUsd: number | null;
}

/** Runs every grader on one answer; a grader that throws fails its grade instead of the result. */
export async function gradeOutput(graders: readonly Grader[], input: GradeInput): Promise<GradedOutput> {
  const grades: Grade[] = [];
  for (const grader of graders) {
    try {
      grades.push(await grader.grade(input));
    } catch (error) {
      grades.push({grader: grader.name, score: 0, pass: false, reason: `grader failed: ${(error as Error).message}`});
    }
  }
  // A grade that could not be scored makes the result's verdict unknown: excluded, never counted as 0.
  const anyUnscored = grades.some((g) => g.unscored);
  const score = grades.length === 0 || anyUnscored ? null : grades.reduce((sum, g) => sum + (g.score ?? 0), 0) / grades.length;
  const judged = grades.filter((g) => g.judge);
  const judgeCostUsd = judged.length === 0 ? null : judged.some((g) => g.judge!.costUsd === null) ? null : judged.reduce((sum, g) => sum + g.judge!.costUsd!, 0);
  return {grades, score, pass: grades.length === 0 || anyUnscored ? null : grades.every((g) => g.pass), judgeCostUsd};
}
