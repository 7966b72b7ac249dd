import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeProject, runCli} from './helpers.ts';

// The same label served by another deployment in the next run: the comparison must say so, because a
// difference between the runs is then not the same model's.
const provider = (deployment: string) => `id: sim
type: sandbox
wire: openai
models:
  - { label: prod, model: ${deployment}, sim: { accuracy: 0.9, ttftMs: 0, msPerToken: 0 } }
  - { label: steady, model: steady-1, sim: { accuracy: 0.9, ttftMs: 0, msPerToken: 0 } }
`;

describe('what was served', () => {
  it('results record the served model, and assay report A B flags a label whose served model changed', async () => {
    const cwd = makeProject({
      'bench.config.json': JSON.stringify({providers: ['p.yaml'], suites: ['s.yaml'], sandbox: {latencyScale: 0}}),
      'p.yaml': provider('prod-2026-01'),
      's.yaml': 'id: s\nprompt: "Say {{w}}"\ncases: [{w: a, expected: a}, {w: b, expected: b}, {w: c, expected: c}]\ngraders: [{type: exact-match}]\n',
    });
    const first = await runCli(['run'], {cwd});
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(join(cwd, 'p.yaml'), provider('prod-2026-06'));
    const second = await runCli(['run'], {cwd});
    expect(second.code, second.stderr).toBe(0);
    const [a, b] = readdirSync(join(cwd, 'reports')).filter((d) => !d.startsWith('compare')).sort().map((d) => join('reports', d));
    const results = readFileSync(join(cwd, a!, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(new Set(results.filter((r) => r.model === 'prod').map((r) => r.servedModel))).toEqual(new Set(['prod-2026-01']));

    const html = readFileSync(join(cwd, a!, 'report.html'), 'utf8');
    expect(html).toMatch(/<tr data-model="prod">.*<td class="">prod-2026-01<\/td>/);

    const report = await runCli(['report', a!, b!], {cwd});
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('SERVED MODEL CHANGED prod: prod-2026-01 → prod-2026-06');
    expect(report.stdout).not.toContain('SERVED MODEL CHANGED steady');
    const json = JSON.parse((await runCli(['report', a!, b!, '--json'], {cwd})).stdout);
    expect(json.comparisons[0].servedChanges).toEqual([{model: 'prod', baseline: ['prod-2026-01'], candidate: ['prod-2026-06']}]);
  });
});
