import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeProject, runCli} from './helpers.ts';

// A price table in LiteLLM's format (USD per token), written by the test: nothing is fetched from the internet.
const TABLE = {
  sample_spec: {input_cost_per_token: 'documentation, not a model'},
  'gpt-test': {litellm_provider: 'openai', input_cost_per_token: 2.5e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 1.25e-6, input_cost_per_token_batches: 1.25e-6, output_cost_per_token_batches: 5e-6},
  'claude-test': {
    litellm_provider: 'anthropic',
    input_cost_per_token: 3e-6,
    output_cost_per_token: 1.5e-5,
    cache_read_input_token_cost: 3e-7,
    cache_creation_input_token_cost: 3.75e-6,
    cache_creation_input_token_cost_above_1hr: 6e-6,
    input_cost_per_token_above_200k_tokens: 6e-6,
    output_cost_per_token_above_200k_tokens: 2.25e-5,
  },
  // Gemini API models are keyed with the gemini/ prefix; the bare id is Vertex AI's (a different price here).
  'gemini/gemini-test': {litellm_provider: 'gemini', input_cost_per_token: 1.25e-6, output_cost_per_token: 1e-5, output_cost_per_reasoning_token: 1e-5},
  'gemini-test': {litellm_provider: 'vertex_ai-language-models', input_cost_per_token: 9e-6, output_cost_per_token: 9e-5},
};

const OPENAI = `# OpenAI models (comment kept)
id: oa
type: openai
models:
  # the main model
  - label: gpt
    model: gpt-test
    pricing: { inputPerMTok: 2.5, outputPerMTok: 12 }   # output price is wrong on purpose
  - label: mystery
    model: not-in-any-table
`;
const ANTHROPIC = `id: an
type: anthropic
models:
  - label: claude
    model: claude-test   # no pricing yet
`;
const GEMINI = `id: ge
type: gemini
models:
  - label: gemini
    model: gemini-test
    pricing: {inputPerMTok: 1.25, outputPerMTok: 10}
`;

function project() {
  return makeProject({
    'bench.config.yaml': 'providers: [providers/*.yaml]\nsuites: [s.yaml]\n',
    's.yaml': 'id: s\nprompt: hi\ncases: [{id: a}]\n',
    'providers/oa.yaml': OPENAI,
    'providers/an.yaml': ANTHROPIC,
    'providers/ge.yaml': GEMINI,
    'prices.json': JSON.stringify(TABLE),
  });
}

describe('assay prices', () => {
  it('check flags a wrong price and the models with none; import --write fills prices and keeps comments', async () => {
    const cwd = project();
    const check = await runCli(['prices', 'check', 'prices.json'], {cwd});
    expect(check.code, check.stderr).toBe(1);
    expect(check.stdout).toMatch(/DIFFERS +gpt \(table: gpt-test\): outputPerMTok \$12 in providers\/oa\.yaml, \$10 in the table/);
    expect(check.stdout).toMatch(/NO PRICE +mystery \(not-in-any-table\)/);
    expect(check.stdout).toMatch(/NO PRICE +claude \(table: claude-test\)/);
    // The gemini/ entry is the Gemini API's price, and it matches; the bare (Vertex) id is not used.
    expect(check.stdout).toMatch(/missing +gemini \(table: gemini\/gemini-test\): the table also has reasoningPerMTok: 10/);

    const dry = await runCli(['prices', 'import', 'prices.json'], {cwd});
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would fill claude/);
    expect(readFileSync(join(cwd, 'providers/an.yaml'), 'utf8')).toBe(ANTHROPIC);

    const write = await runCli(['prices', 'import', 'prices.json', '--write', '--json'], {cwd});
    expect(write.code, write.stderr).toBe(0);
    expect((JSON.parse(write.stdout) as {written: string[]}).written.sort()).toEqual(['providers/an.yaml', 'providers/ge.yaml', 'providers/oa.yaml']);
    const an = readFileSync(join(cwd, 'providers/an.yaml'), 'utf8');
    expect(an).toContain('# no pricing yet');
    expect(an).toMatch(/pricing: \{ inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0\.3, cacheWritePerMTok: 3\.75, cacheWrite1hPerMTok: 6, tiers: \[ \{ aboveInputTokens: 200000, inputPerMTok: 6, outputPerMTok: 22\.5 \} \] \}/);
    const oa = readFileSync(join(cwd, 'providers/oa.yaml'), 'utf8');
    for (const comment of ['# OpenAI models (comment kept)', '# the main model', '# output price is wrong on purpose']) expect(oa).toContain(comment);
    // The configured (wrong) output price is kept; the missing cache and batch prices are added.
    expect(oa).toMatch(/outputPerMTok: 12/);
    expect(oa).toMatch(/cacheReadPerMTok: 1\.25/);
    expect(oa).toMatch(/batchInputPerMTok: 1\.25/);

    // The written files load, and only the deliberate difference and the unlisted model remain.
    const after = await runCli(['prices', 'check', 'prices.json', '--json'], {cwd});
    expect(after.code).toBe(1);
    const report = JSON.parse(after.stdout) as {models: Array<{label: string; status: string}>};
    expect(Object.fromEntries(report.models.map((m) => [m.label, m.status]))).toEqual({gpt: 'differs', mystery: 'no-price', claude: 'match', gemini: 'match'});
  });

  it('a table that is not JSON is a clear input error (exit 2)', async () => {
    const cwd = makeProject({'bench.config.yaml': 'providers: [p.yaml]\nsuites: [s.yaml]\n', 's.yaml': 'id: s\nprompt: hi\ncases: [{id: a}]\n', 'p.yaml': 'id: p\ntype: openai\nmodels: [{label: m, model: m}]\n', 't.json': '{not json'});
    const r = await runCli(['prices', 'check', 't.json'], {cwd});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: t\.json: the price table is not JSON/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
