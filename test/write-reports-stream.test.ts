import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {evaluateGate} from '../src/gate/evaluate-gate.ts';
import {caseOrder} from '../src/report/report-data.ts';
import {resultsToCsv} from '../src/report/results-csv.ts';
import {indexJournal} from '../src/report/scan-run.ts';
import {writeReports} from '../src/report/write-reports.ts';
import {latestResults} from '../src/runner/journal.ts';
import {summarize} from '../src/runner/summarize.ts';
import {fakeResult} from './fake-result.ts';

const withoutTime = (summary: object) => ({...summary, generatedAt: ''});

describe('writeReports, streaming', () => {
  it('gives what the results held whole give, with a resumed run\'s retries replacing earlier results in their place', async () => {
    const first = Array.from({length: 40}, (_, i) =>
      fakeResult({suiteId: i % 3 ? 's' : 't', caseId: `c${i % 20}`, model: i < 20 ? 'a' : 'b', pass: i % 4 !== 0, score: i % 4 ? 1 : 0, latencyMs: 10 + i, costUsd: 0.001 * (i + 1), tags: i % 5 ? ['x'] : ['x', 'y']}),
    );
    // A resumed run appends later results for three requests (an error that now passes, and two others).
    const retried = [0, 7, 33].map((i) => ({...first[i]!, status: 'ok' as const, pass: true, score: 1, latencyMs: 500 + i, costUsd: 0.5, grades: [{grader: 'other', score: 1, pass: true, reason: 'ok'}]}));
    const journal = [...first, ...retried];
    const dir = mkdtempSync(join(tmpdir(), 'assay-stream-'));
    // The last line torn, as a crash mid-write leaves it.
    writeFileSync(join(dir, 'results.jsonl'), `${journal.map((r) => JSON.stringify(r)).join('\n')}\n{"runId":"r","suiteId`);
    const runGate = {minPassRate: 0.5, maxErrorRate: 0.2, maxP95LatencyMs: 400, maxCostUsd: 1};
    const suiteGates = {s: {maxCostUsd: 0.5, minPassRate: 0.9}, gone: {maxCostUsd: 1}};
    const reports = await writeReports(dir, 'r', {gate: (source) => evaluateGate(source, runGate, suiteGates)});
    const latest = latestResults(journal);
    const expected = {...summarize('r', latest), gate: evaluateGate(latest, runGate, suiteGates)};
    expect(withoutTime(JSON.parse(readFileSync(reports.files.summary, 'utf8')))).toEqual(withoutTime(JSON.parse(JSON.stringify(expected))));
    expect(reports.tornLines).toBe(1);
    // results.csv lists the latest results in journal order, with every grader's columns.
    const inJournalOrder = journal.filter((r) => latest.includes(r));
    expect(readFileSync(reports.files.csv, 'utf8')).toBe(resultsToCsv(inJournalOrder));
    expect(reports.slimResults.map((r) => [r.caseId, r.model, r.latencyMs])).toEqual(latest.map((r) => [r.caseId, r.model, r.latencyMs]));
    // The case table's picks (here its first 10 and all of them), made while the index streams, are
    // caseOrder's over the latest results (requests are numbered as latestResults orders them).
    for (const limit of [10, 100]) {
      const index = indexJournal(join(dir, 'results.jsonl'), limit);
      expect(index.count).toBe(latest.length);
      expect([...index.shown].map((request) => latest[request])).toEqual([...latest].sort(caseOrder).slice(0, limit));
      expect([...index.late.values()].map(({result}) => result.latencyMs)).toEqual(retried.map((r) => r.latencyMs));
    }
  });
});
