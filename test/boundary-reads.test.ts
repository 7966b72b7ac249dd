import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {cacheKey, ResponseCache} from '../src/cache/response-cache.ts';
import {InputError} from '../src/core/errors.ts';
import {queueJobDataSchema, queueJobResultSchema} from '../src/queue/job-schemas.ts';
import {readBatchState} from '../src/rundir/batch-state.ts';
import {readRunMeta} from '../src/rundir/read-run-meta.ts';
import {readJournal} from '../src/runner/journal.ts';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {makeProject} from './helpers.ts';

// What assay reads back from disk or Redis is checked against what it wrote: a torn or foreign file
// fails with the file, field and fix named, instead of a crash somewhere later.

async function resumeError(runJson: string): Promise<InputError> {
  const dir = makeProject({'reports/r1/run.json': runJson});
  const error = await runBenchmark({cwd: dir, resume: 'reports/r1'}).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

// With a journal beside it, a bad run.json is rebuilt from the journal (test/write-failures.test.ts);
// without one there is nothing to resume, and the error says what is wrong with the file.
describe('run.json on --resume, with no journal to rebuild it from', () => {
  it('names a torn run.json as not valid JSON, with exit code 2', async () => {
    const e = await resumeError('{"id": "r1", "configFile": "/x/bench.config.ts", "opt');
    expect(e.message).toMatch(/^reports\/r1\/run\.json: run\.json is not valid JSON \(.+\) and there is no results\.jsonl to rebuild it from$/);
    expect(e.exitCode).toBe(2);
    expect(e.hint).toMatch(/start a new one/);
  });

  it('names the first wrong fields of a foreign run.json', async () => {
    const e = await resumeError(JSON.stringify({name: 'some other tool', version: 3}));
    expect(e.message).toMatch(/run\.json is not one written by `assay run` \(field "id": .+; field "configFile": .+ \(and \d+ more\)\)/);
    expect(e.file).toBe('reports/r1/run.json');
  });

  it('names a field of the wrong type', async () => {
    const meta = {id: 'r1', configFile: 'c', configDigest: 'd', options: {repeat: 'three'}, startedAt: 's', endedAt: null, resumedAt: [], interrupted: false, argv: [], versions: {}, simulated: true, models: {}};
    const e = await resumeError(JSON.stringify(meta));
    expect(e.message).toMatch(/field "options\.repeat": .*number/);
  });
});

describe('run.json as the reports read it', () => {
  it('keeps every valid field of a hand-edited run.json and drops the wrong ones; null when it is not a JSON object', () => {
    const dir = makeProject({'r1/run.json': JSON.stringify({id: 'r1', startedAt: '2026-01-01T00:00:00Z', endedAt: 7, models: {m: {provider: 'p'}}, extra: true})});
    expect(readRunMeta(join(dir, 'r1'))).toEqual({id: 'r1', startedAt: '2026-01-01T00:00:00Z'});
    const torn = makeProject({'r2/run.json': '{"id": "r2", "start'});
    expect(readRunMeta(join(torn, 'r2'))).toBeNull();
    expect(readRunMeta(join(torn, 'absent'))).toBeNull();
  });

  it('keeps what opened a breaker (failuresByClass) in its transitions, for the summary and across --resume', () => {
    const transition = {model: 'm', from: 'closed', to: 'open', at: '2026-01-01T00:00:00Z', errorRate: 1, attempts: 20, cause: {class: 'server', status: 500, message: 'x'}, failuresByClass: {server: 20}};
    const dir = makeProject({'r1/run.json': JSON.stringify({id: 'r1', breakerTransitions: [transition]})});
    expect(readRunMeta(join(dir, 'r1'))!.breakerTransitions).toEqual([transition]);
  });
});

describe('results.jsonl lines', () => {
  const ok = {runId: 'r', suiteId: 's', caseId: 'a', model: 'm', repeat: 0, status: 'ok'};

  it('names the file, line and field of a line that parses but is not a result', () => {
    const file = join(makeProject({}), 'results.jsonl');
    writeFileSync(file, `${JSON.stringify(ok)}\n${JSON.stringify({...ok, caseId: 'b', repeat: '0'})}\n`);
    let error: unknown;
    try {
      readJournal(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({line: 2, file, exitCode: 2});
    expect((error as Error).message).toMatch(/results\.jsonl:2: not a result line written by `assay run`: field "repeat": .*number/);
  });

  it('rejects a line of another shape (a JSON array) but still drops a torn last line', () => {
    const file = join(makeProject({}), 'results.jsonl');
    writeFileSync(file, `${JSON.stringify(ok)}\n{"runId":"r","sui`);
    expect(readJournal(file)).toMatchObject({tornLines: 1, results: [{caseId: 'a'}]});
    writeFileSync(file, `${JSON.stringify(ok)}\n[1,2]\n`);
    expect(() => readJournal(file)).toThrow(/:2: not a result line .*field "\(top level\)"/);
  });

  it('keeps fields it does not check exactly as written', () => {
    const file = join(makeProject({}), 'results.jsonl');
    const line = {...ok, futureField: {nested: [1, 2]}, output: 'x'};
    writeFileSync(file, `${JSON.stringify(line)}\n`);
    expect(readJournal(file).results).toEqual([line]);
  });
});

describe('batches.json', () => {
  it('is empty when absent and an InputError naming the file when foreign', () => {
    const dir = makeProject({});
    expect(readBatchState(dir)).toEqual({version: 1, batches: []});
    writeFileSync(join(dir, 'batches.json'), JSON.stringify({version: 1, batches: [{batchId: 'b1', status: 'pending'}]}));
    expect(() => readBatchState(dir)).toThrow(/batches\.json: not a batches\.json written by `assay run --batch`: field "batches\[0\]\.provider"/);
  });
});

describe('queue payloads', () => {
  it('accept what a worker writes and reject another version or shape, naming the field', () => {
    const result = {v: 1, completion: {text: 'hi', inputTokens: 1, outputTokens: 1, finishReason: 'stop', finishReasonRaw: 'stop', latencyMs: 5, ttftMs: null}, error: null, startedAt: 'a', endedAt: 'b', queueMs: 0, rateWaitMs: 0, attempts: 1, worker: 'h:1'};
    expect(queueJobResultSchema.safeParse(result).success).toBe(true);
    expect(queueJobResultSchema.safeParse({...result, v: 2}).success).toBe(false);
    const broken = queueJobResultSchema.safeParse({...result, completion: {text: 7}});
    expect(broken.success).toBe(false);
    expect(broken.error?.issues[0]?.path).toEqual(['completion', 'text']);
    expect(queueJobDataSchema.safeParse({v: 1, run: 'r', key: 'k', gen: 0, request: {label: 'm'}, concurrency: 4}).success).toBe(false);
  });
});

describe('cache entries', () => {
  it('treat a torn or foreign entry as a miss, and read back what they stored', () => {
    const dir = makeProject({});
    const cache = new ResponseCache(join(dir, 'cache'));
    const key = cacheKey({providerType: 'openai', baseURL: null, model: 'm', params: {}, messages: [], stream: false, suiteId: 's', caseId: 'c', repeat: 0});
    const file = join(dir, 'cache', key.slice(0, 2), `${key}.json`);
    mkdirSync(join(dir, 'cache', key.slice(0, 2)), {recursive: true});
    writeFileSync(file, '{"completion": {"text": "cut');
    expect(cache.get(key)).toBeNull();
    writeFileSync(file, JSON.stringify({completion: {text: 'hi', finishReason: 'stop'}, storedAt: 'x'}));
    expect(cache.get(key)).toBeNull();
    const completion = {text: 'hi', inputTokens: 1, outputTokens: 2, finishReason: 'stop' as const, finishReasonRaw: null, latencyMs: 3, ttftMs: null};
    cache.set(key, completion);
    expect(cache.get(key)?.completion).toEqual(completion);
  });
});
