import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Result} from '../src/core/types.ts';
import {loadOutcomes} from '../src/routing/load-outcomes.ts';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {FAST_DEFAULT_CONFIG, makeProject} from './helpers.ts';
import {inputErrorOf} from './input-error-of.ts';

function result(over: Partial<Result>): Result {
  return {
    runId: 'r1', suiteId: 'arith', caseId: 'c1', model: 'big', provider: 'p', repeat: 0, status: 'ok', output: '1', error: null,
    latencyMs: 100, ttftMs: null, inputTokens: 10, outputTokens: 2, tokensEstimated: false, costUsd: 0.001, grades: [], score: 1, pass: true,
    tags: ['math'], attempts: 1, startedAt: '', endedAt: '', finishReason: 'stop', finishReasonRaw: 'stop', queueMs: 0, rateWaitMs: 0,
    cached: false, stream: false, simulated: true, input: 'x', expected: '1', ...over,
  };
}

function runDir(results: Result[], models: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'assay-run-'));
  writeFileSync(join(dir, 'results.jsonl'), `${results.map((r) => JSON.stringify(r)).join('\n')}\n`);
  writeFileSync(join(dir, 'run.json'), JSON.stringify({id: 'r1', models}));
  return dir;
}

describe('loadOutcomes', () => {
  it('joins a run directory by suite/case, averages repeats, keeps errors apart from scores, reads pricing', () => {
    const dir = runDir(
      [
        result({repeat: 0, score: 1}),
        result({repeat: 1, score: 0, latencyMs: 300}),
        result({repeat: 2, status: 'error', score: null, error: {class: 'server', status: 500, message: 'x', hint: null}, attempts: 3, latencyMs: null}),
        // resumed: a later line for the same (suite, case, model, repeat) wins
        result({repeat: 2, score: 1, latencyMs: 200, attempts: 2}),
        result({model: 'small', score: 0, costUsd: null, cached: true, latencyMs: 5}),
        result({suiteId: 'other', model: 'small', score: 1}),
      ],
      {big: {provider: 'p', type: 'openai', model: 'big-1', pricing: {inputPerMTok: 1, outputPerMTok: 2}}},
    );
    const set = loadOutcomes([dir]);
    expect(set.cases.map((c) => c.caseId).sort()).toEqual(['arith/c1', 'other/c1']);
    const c1 = set.cases.find((c) => c.caseId === 'arith/c1')!;
    expect(c1.byModel.big!.score).toBeCloseTo(2 / 3, 10);
    expect(c1.byModel.big!.latencyMs).toBeCloseTo(200, 10);
    expect(c1.byModel.small!.latencyMs).toBeNull(); // cached: not a measurement
    expect(c1.byModel.small!.costUsd).toBeNull();
    expect(c1.metadata).toEqual({suite: 'arith'});
    expect(set.models.big).toMatchObject({type: 'openai', model: 'big-1', pricing: {inputPerMTok: 1, outputPerMTok: 2}});
    expect(set.errorStats.big).toMatchObject({requests: 3, errors: 0, attempts: 4});
  });

  it('merges an outcomes CSV with a run: cases measured on different models join into one', () => {
    const dir = runDir([result({caseId: 'c1'}), result({caseId: 'c2', score: 0})]);
    const csv = join(mkdtempSync(join(tmpdir(), 'assay-csv-')), 'o.csv');
    writeFileSync(csv, 'case_id,model,score,cost_usd,latency_ms,tags,region\narith/c1,other,0.5,0.0001,50,math;hard,eu\narith/c2,other,1,,,math,us\n');
    const set = loadOutcomes([dir, csv]);
    const c1 = set.cases.find((c) => c.caseId === 'arith/c1')!;
    expect(Object.keys(c1.byModel).sort()).toEqual(['big', 'other']);
    expect(c1.byModel.other).toMatchObject({score: 0.5, costUsd: 0.0001, latencyMs: 50});
    expect(c1.tags).toEqual(['hard', 'math']);
    expect(c1.metadata).toEqual({suite: 'arith', region: 'eu'});
    expect(set.cases.find((c) => c.caseId === 'arith/c2')!.byModel.other!.costUsd).toBeNull();
  });

  it('names the file, field and line of a bad CSV', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assay-csv-'));
    writeFileSync(join(dir, 'missing.csv'), 'case_id,model\na,b\n');
    expect(inputErrorOf(() => loadOutcomes([join(dir, 'missing.csv')])).field).toBe('score');
    writeFileSync(join(dir, 'range.csv'), 'case_id,model,score\na,m,0.5\n"b\nc",m,0.5\nd,m,7\n');
    const e = inputErrorOf(() => loadOutcomes([join(dir, 'range.csv')]));
    expect(e).toMatchObject({field: 'score', line: 5, exitCode: 2});
    expect(e.message).toMatch(/range\.csv:5.*outside 0\.\.1/);
    writeFileSync(join(dir, 'nan.csv'), 'case_id,model,score,cost_usd\na,m,1,cheap\n');
    expect(inputErrorOf(() => loadOutcomes([join(dir, 'nan.csv')]))).toMatchObject({field: 'cost_usd', line: 2});
  });

  it('refuses what it cannot read, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assay-src-'));
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'x.txt'), 'hello');
    expect(inputErrorOf(() => loadOutcomes([join(dir, 'nope')])).message).toMatch(/no such file/);
    expect(inputErrorOf(() => loadOutcomes([join(dir, 'empty')])).message).toMatch(/no results\.jsonl/);
    expect(inputErrorOf(() => loadOutcomes([join(dir, 'x.txt')])).message).toMatch(/unknown source type/);
    expect(inputErrorOf(() => loadOutcomes([])).field).toBe('--from');
  });
});

describe('assay results.csv as a source', () => {
  it('is read through the journal beside it, so `route --from reports/<id>/results.csv` works like the run directory', async () => {
    const project = makeProject({'bench.config.json': FAST_DEFAULT_CONFIG}, {withDefaults: true});
    const run = await runBenchmark({cwd: project, suites: ['capitals'], sandboxLatencyScale: 0});
    const fromCsv = loadOutcomes([join(run.dir, 'results.csv')]);
    const fromDir = loadOutcomes([run.dir]);
    expect(fromCsv.cases.length).toBe(fromDir.cases.length);
    expect(Object.keys(fromCsv.models).sort()).toEqual(Object.keys(fromDir.models).sort());
  });
});
