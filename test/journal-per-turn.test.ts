import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runBenchmark} from '../src/runner/run-benchmark.ts';
import {Sandbox} from '../src/sandbox/sandbox-server.ts';
import {resolveSimModel} from '../src/sandbox/sim-model.ts';
import {makeProject} from './helpers.ts';

// The in-process pool writes the results finished in one turn of the event loop together: each
// result's line must be on disk before its `result` event, and the journal keeps the events' order.
const sandbox = new Sandbox({models: [resolveSimModel('zero', {ttftMs: 0, msPerToken: 0})], latencyScale: 0});
beforeAll(() => sandbox.listen());
afterAll(() => sandbox.close());

const N = 60;

describe('journal writes per turn', () => {
  it('has every result on disk before its event, in event order, each once', async () => {
    const cases = Array.from({length: N}, (_, i) => `  - {id: c${i}, q: "question ${i}"}`).join('\n');
    const cwd = makeProject({
      'bench.config.yaml': `providers:\n  - id: local\n    type: openai-compatible\n    baseURL: ${sandbox.url}/v1\n    models: [{label: zero, model: zero, stream: false}]\nsuites: [s.yaml]\nconcurrency: 16\n`,
      's.yaml': `id: s\nprompt: "Answer {{q}}"\ncases:\n${cases}\n`,
    });
    let journal = '';
    const events: string[] = [];
    // At each event: the journal's case ids, as far as the events have come.
    const onDisk: string[][] = [];
    await runBenchmark({
      cwd,
      noCache: true,
      onEvent(event) {
        if (event.type === 'start') journal = join(event.dir, 'results.jsonl');
        if (event.type !== 'result') return;
        events.push(event.result.caseId);
        onDisk.push(
          readFileSync(journal, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => (JSON.parse(line) as {caseId: string}).caseId),
        );
      },
    });
    expect(events).toHaveLength(N);
    expect(new Set(events).size).toBe(N);
    onDisk.forEach((lines, i) => expect(lines.slice(0, i + 1), `at event ${i + 1}`).toEqual(events.slice(0, i + 1)));
    expect(onDisk.at(-1)).toEqual(events);
  });
});
