// Real public per-item outcomes (../shared/data, read in place, never copied into the repo) as
// outcomes CSV rows, for the routing tests and bench/routing-frontier.ts.
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import Papa from 'papaparse';
import {stickyFraction} from '../src/routing/create-router.ts';
import {loadOutcomes} from '../src/routing/load-outcomes.ts';
import type {OutcomeSet} from '../src/routing/policy-types.ts';
import {ROOT} from './helpers.ts';

export const SHARED_DATA = join(ROOT, '..', 'shared', 'data');
/** Why the real-data tests skip, or null when the data is there. */
export const sharedDataMissing: string | null = existsSync(join(SHARED_DATA, 'routellm')) && existsSync(join(SHARED_DATA, 'routerarena'))
  ? null
  : `real outcomes not found at ${SHARED_DATA} (routellm/, routerarena/): real-data routing checks skipped`;

export interface OutcomeRow {
  case_id: string;
  model: string;
  score: number;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  tags: string;
  prompt: string;
  [extra: string]: string | number;
}

/** The same estimate assay uses when a provider reports no usage (~4 characters a token). */
const estimateTokens = (t: string) => (t.trim() === '' ? 0 : Math.max(t.trim().split(/\s+/).length, Math.ceil(t.length / 4)));

function priceTable(): Record<string, {input_token_price_per_million: number; output_token_price_per_million: number}> {
  return JSON.parse(readFileSync(join(SHARED_DATA, 'routerarena', 'model_cost', 'cost.json'), 'utf8'));
}

export const GPT4 = 'gpt-4-1106-preview';
export const MIXTRAL = 'mixtral-8x7b';

/**
 * RouteLLM's GPT-4-1106 vs Mixtral-8x7B outcomes on GSM8K (correct/incorrect) and MT-Bench (GPT-4
 * judge score / 10), decontaminated as RouteLLM does. The data has no token counts: they are
 * estimated from the prompts and full answers, and priced with RouterArena's table for these models.
 */
export function routellmRows(which: 'gsm8k' | 'mt-bench' | 'both' = 'both'): OutcomeRow[] {
  const prices = priceTable();
  const price = {gpt4: prices['gpt-4-1106-preview']!, mixtral: prices['mistralai/mixtral-8x7b-instruct']!};
  const cost = (m: 'gpt4' | 'mixtral', inT: number, outT: number) => (inT * price[m].input_token_price_per_million + outT * price[m].output_token_price_per_million) / 1e6;
  const label = {gpt4: GPT4, mixtral: MIXTRAL} as const;
  const dir = join(SHARED_DATA, 'routellm');
  const contaminated = (f: string) => new Set(readFileSync(f, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as {eval_idx: number}).eval_idx));
  const rows: OutcomeRow[] = [];

  if (which !== 'mt-bench') {
    const gsmBad = contaminated(join(dir, 'gsm8k', 'contaminated_prompts.jsonl'));
    const gsm = Papa.parse<Record<string, string>>(readFileSync(join(dir, 'gsm8k', 'gsm8k_responses.csv'), 'utf8'), {header: true, skipEmptyLines: true}).data;
    gsm.forEach((r, i) => {
      if (gsmBad.has(i)) return;
      const inT = estimateTokens(r.prompt!);
      for (const [m, col] of [['gpt4', 'gpt-4-1106-preview'], ['mixtral', 'mistralai/Mixtral-8x7B-Instruct-v0.1']] as const) {
        const outT = estimateTokens(r[`${col}_response`] ?? '');
        rows.push({case_id: `gsm8k-${i}`, model: label[m], score: r[col] === 'True' ? 1 : 0, cost_usd: cost(m, inT, outT), input_tokens: inT, output_tokens: outT, tags: 'gsm8k', prompt: r.prompt!});
      }
    });
  }
  if (which === 'gsm8k') return rows;

  const questions = readFileSync(join(dir, 'mt_bench', 'question.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {question_id: number; category: string; turns: string[]});
  const badIds = new Set([...contaminated(join(dir, 'mt_bench', 'contaminated_prompts.jsonl'))].map((i) => questions[i]!.question_id));
  const byId = new Map(questions.map((q) => [q.question_id, q]));
  for (const line of readFileSync(join(dir, 'mt_bench', 'judgements.jsonl'), 'utf8').trim().split('\n')) {
    const j = JSON.parse(line) as {question_id: number; model: string; score: number; turn: number; user_prompt: string};
    if (badIds.has(j.question_id)) continue;
    const q = byId.get(j.question_id)!;
    const m = j.model === 'gpt-4-1106-preview' ? 'gpt4' : 'mixtral';
    // The judge prompt quotes the graded answer: its length stands in for output tokens.
    const answer =
      j.turn === 1
        ? (j.user_prompt.split("[The Start of Assistant's Answer]")[1] ?? '').split("[The End of Assistant's Answer]")[0]!
        : (j.user_prompt.split('### Assistant A:').at(-1) ?? '').split('<|The End of')[0]!;
    const prompt = q.turns.slice(0, j.turn).join('\n');
    const inT = estimateTokens(prompt);
    const outT = estimateTokens(answer);
    rows.push({case_id: `mtbench-${j.question_id}-t${j.turn}`, model: label[m], score: j.score / 10, cost_usd: cost(m, inT, outT), input_tokens: inT, output_tokens: outT, tags: `mt-bench;${q.category}`, prompt});
  }
  return rows;
}

export const HAIKU = 'claude-3-haiku-20240307';
export const GEMINI = 'gemini-2.0-flash-001';

/** RouterArena: Claude-3-Haiku vs Gemini-2.0-Flash with real token counts and USD cost; tagged by source dataset. */
export function routerArenaRows(): OutcomeRow[] {
  const rows: OutcomeRow[] = [];
  for (const model of [HAIKU, GEMINI]) {
    for (const line of readFileSync(join(SHARED_DATA, 'routerarena', 'cached_results', `${model}.jsonl`), 'utf8').trim().split('\n')) {
      const r = JSON.parse(line) as {global_index: string; question: string; token_usage: {input_tokens: number; output_tokens: number}; evaluation_result: {score: number; metric: string; inference_cost: number}};
      const e = r.evaluation_result;
      rows.push({
        case_id: r.global_index,
        model,
        // A few METEOR scores are slightly negative; the outcomes CSV contract is 0..1.
        score: Math.min(1, Math.max(0, e.score)),
        cost_usd: e.inference_cost,
        input_tokens: r.token_usage.input_tokens,
        output_tokens: r.token_usage.output_tokens,
        tags: r.global_index.replace(/_\d+$/, '').split('_')[0]!,
        metric: e.metric,
        prompt: r.question,
      });
    }
  }
  return rows;
}

/** Which half a case falls in: a hash of its id, so the split is stable and independent of row order. */
export const halfOf = (caseId: string) => (stickyFraction(`half:${caseId}`) < 0.5 ? 0 : 1);

/** Halves by a hash of the case id, written as outcomes CSV files so the real loader is exercised. */
export function halves(rows: OutcomeRow[], name: string, opts: {withPrompt?: boolean} = {}): {sets: [OutcomeSet, OutcomeSet]; files: [string, string]} {
  const dir = mkdtempSync(join(tmpdir(), 'assay-routing-'));
  const keep = opts.withPrompt ?? true;
  const files = [0, 1].map((h) => {
    const file = join(dir, `${name}-${h}.csv`);
    const part = rows.filter((r) => halfOf(r.case_id) === h).map((r) => {
      if (keep) return r;
      const {prompt: _prompt, ...rest} = r;
      return rest;
    });
    writeFileSync(file, Papa.unparse(part));
    return file;
  }) as [string, string];
  return {sets: [loadOutcomes([files[0]]), loadOutcomes([files[1]])], files};
}
