import Papa from 'papaparse';
import {describe, expect, it} from 'vitest';
import type {Result} from '../core/types.ts';
import {resultsToCsv} from './results-csv.ts';

const result = (i: number): Result =>
  ({
    runId: 'r', suiteId: 's', caseId: `c${i}`, model: i % 2 ? 'a' : 'b', provider: 'p', repeat: 0, status: 'ok', simulated: true,
    pass: i % 3 === 0, score: i % 3 === 0 ? 1 : 0, latencyMs: i, ttftMs: null, queueMs: 0, inputTokens: 3, outputTokens: 4, tokensEstimated: false,
    costUsd: null, attempts: 1, stream: false, finishReason: 'stop', finishReasonRaw: 'stop', error: null, tags: ['x', 'y'],
    startedAt: 't0', endedAt: 't1', input: `q,${i}\n"quoted"`, expected: i % 5 === 0 ? '=SUM(A1)' : `-${i}`, output: i % 7 === 0 ? '@cmd' : `answer ${i}`,
    grades: i % 11 === 0 ? [] : [{grader: i % 4 === 0 ? 'regex' : 'exact-match', score: 1, pass: true, reason: 'ok, "fine"'}],
  }) as unknown as Result;

describe('resultsToCsv', () => {
  it('writes in pieces exactly what one pass over every row writes, header once, grader columns from every row', () => {
    const results = Array.from({length: 4500}, (_, i) => result(i));
    const csv = resultsToCsv(results);
    const parsed = Papa.parse<Record<string, string>>(csv.trim(), {header: true});
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toHaveLength(4500);
    expect(parsed.meta.fields).toContain('grade.regex.pass');
    expect(parsed.meta.fields).toContain('grade.exact-match.reason');
    expect(parsed.data[4499]!.caseId).toBe('c4499');
    expect(parsed.data[3000]!.input).toBe('q,3000\n"quoted"');
    // Formula cells are neutralised in every piece; plain negative numbers stay numbers.
    expect(parsed.data[2005]!.expected).toBe("'=SUM(A1)");
    expect(parsed.data[2001]!.expected).toBe('-2001');
    expect(parsed.data[4487 - (4487 % 7)]!.output).toBe("'@cmd");
    expect(csv.match(/^runId,/gm)).toHaveLength(1);
  });

  it('has batch columns, filled for results that came from a provider batch', () => {
    const batched = {...result(1), latencyMs: null, batchId: 'batch_abc', batchTurnaroundMs: 61_000} as Result;
    const rows = Papa.parse<Record<string, string>>(resultsToCsv([result(0), batched]).trim(), {header: true}).data;
    expect(rows.map((r) => [r.batchId, r.batchTurnaroundMs, r.latencyMs])).toEqual([['', '', '0'], ['batch_abc', '61000', '']]);
  });

  it('writes the header alone for no results', () => {
    expect(resultsToCsv([]).split('\n').filter(Boolean)).toHaveLength(1);
  });
});
