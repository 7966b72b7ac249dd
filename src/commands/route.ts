import {Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.ts';

export default class Route extends BaseCommand {
  static override summary = 'Generate a routing policy from measured quality, cost and latency.';
  static override description =
    'Reads run directories, results.jsonl files and outcomes CSV files, joins cases across models, and writes a policy: per kind of request ' +
    '(tags, metadata, input size) the cheapest model that is good enough, with fallbacks, retry and circuit-breaker settings and optional canary weights. ' +
    'Every choice is made on cross-validated figures and the expected quality, cost and latency reported are out of sample. ' +
    'Without --out the policy YAML goes to stdout; --export prints a LiteLLM or Portkey config instead.';
  static override examples = [
    '<%= config.bin %> route --from reports/2026-11-24T11-00-00Z',
    '<%= config.bin %> route --from reports/run-a --from outcomes.csv --min-quality 0.97 --out routing-policy.yaml --explain',
    '<%= config.bin %> route --from reports/run-a --max-cost-usd 0.5 --max-p95-latency-ms 2000',
    '<%= config.bin %> route --from reports/run-a --canary sim-mini:0.1 --export litellm > litellm.yaml',
  ];
  static override flags = {
    from: Flags.string({char: 'f', description: 'run directory, results.jsonl or outcomes CSV (repeatable; merged)', multiple: true, required: true}),
    'min-quality': Flags.string({description: 'keep this share of the best single model\'s quality, minimising cost (default 0.95)'}),
    'max-cost-usd': Flags.string({description: 'budget in USD per 1000 requests: maximise quality within it'}),
    'max-p95-latency-ms': Flags.string({description: 'do not route a segment to a model whose p95 latency there exceeds this'}),
    canary: Flags.string({description: 'MODEL:SHARE, e.g. gpt-4.1-mini:0.1: that share of every rule\'s traffic goes to MODEL'}),
    out: Flags.string({char: 'o', description: 'write the policy YAML to this file'}),
    export: Flags.string({description: 'print a gateway config instead of the policy', options: ['litellm', 'portkey']}),
    explain: Flags.boolean({description: 'print each rule\'s evidence: per candidate n, quality with 95% CI, cost, latency, and why the winner won'}),
    mix: Flags.boolean({description: 'split a rule\'s traffic between two models to land on the target (--no-mix: one model per rule)', default: true, allowNo: true}),
    folds: Flags.integer({description: 'cross-validation folds', min: 2, default: 5}),
    seed: Flags.integer({description: 'seed for the fold assignment', default: 1}),
    'min-cases': Flags.integer({description: 'cases a segment needs for a rule of its own (default 5; the rule must also be supported by its cases, see --evidence)', min: 1}),
    'max-rules': Flags.integer({description: 'at most this many rules (default: as many as the evidence supports), for a short policy', min: 0}),
    evidence: Flags.string({description: 'one-sided confidence a rule\'s own model must beat the default\'s on its cases (default 0.9; 0 turns the check off)'}),
    learn: Flags.boolean({description: 'also learn a per-request router from the prompts (results.jsonl input, outcomes CSV prompt column); createRouter runs it in-process, gateway exports carry the rules only'}),
    json: Flags.boolean({description: 'print the policy as JSON (with --explain, its evidence too)'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Route);
    const [{routeFromSources}, {policyToYaml}, {explainPolicy}, {parseNumberFlag}, {writeFileSync}] = await Promise.all([
      import('../routing/route-from-sources.ts'),
      import('../routing/load-policy.ts'),
      import('../routing/explain-policy.ts'),
      import('../routing/parse-number-flag.ts'),
      import('node:fs'),
    ]);
    const generated = routeFromSources({
      from: flags.from,
      minQuality: parseNumberFlag(flags['min-quality'], '--min-quality'),
      maxCostUsdPer1k: parseNumberFlag(flags['max-cost-usd'], '--max-cost-usd'),
      maxP95LatencyMs: parseNumberFlag(flags['max-p95-latency-ms'], '--max-p95-latency-ms'),
      canary: flags.canary,
      mix: flags.mix,
      folds: flags.folds,
      seed: flags.seed,
      minCasesPerRule: flags['min-cases'],
      maxRules: flags['max-rules'],
      evidenceLevel: parseNumberFlag(flags.evidence, '--evidence'),
      learn: flags.learn,
    });
    const {policy} = generated;
    if (flags.out) writeFileSync(flags.out, policyToYaml(policy));
    // stdout carries one document a script can consume; the explanation and warnings go where a person reads them.
    let document: string | undefined;
    // JSON has no comments: what the gateway serves differently from the policy is said on stderr (and in docs/gateways.md).
    let notes: string[] = [];
    if (flags.export === 'litellm') {
      const m = await import('../routing/export-litellm.ts');
      document = m.exportLitellm(policy);
    } else if (flags.export === 'portkey') {
      const m = await import('../routing/export-portkey.ts');
      document = m.exportPortkey(policy);
      notes = m.portkeyNotes(policy);
    } else if (flags.json) document = `${JSON.stringify(flags.explain ? {...policy, evidence: generated.evidence, steps: generated.steps, warnings: generated.warnings} : policy, null, 2)}\n`;
    else if (!flags.out) document = policyToYaml(policy);
    if (flags.export && policy.learned) {
      process.stderr.write(`note: a ${flags.export} config cannot run the learned router; it carries the tag-level rules. Serve the learned router in-process with createRouter(policy), or call route() in your application and pass its decision as the model.\n`);
    }
    if (document !== undefined) {
      process.stdout.write(document);
      for (const n of notes) process.stderr.write(`note: ${n}\n`);
      if (flags.explain && !flags.json) process.stderr.write(`${explainPolicy(generated)}\n`);
      else for (const w of generated.warnings) process.stderr.write(`warning: ${w}\n`);
    } else {
      this.log(flags.explain ? explainPolicy(generated) : summaryLine(policy));
      if (!flags.explain) for (const w of generated.warnings) process.stderr.write(`warning: ${w}\n`);
      this.log(`wrote ${flags.out}`);
    }
  }
}

function summaryLine(policy: import('../routing/policy-types.ts').RoutingPolicy): string {
  const e = policy.expected;
  const rules = policy.rules.map((r) => `  ${r.name} → ${r.route.map((w) => w.model).join(' / ')}`);
  return [
    `${policy.rules.length} rule(s) + default → ${policy.default.route.map((w) => w.model).join(' / ')}`,
    ...rules,
    e ? `out of sample (${e.method}): quality ${e.quality}${e.qualityCi95 ? ` [${e.qualityCi95.join(', ')}]` : ''} vs ${e.bestSingleModel} ${e.bestSingleQuality}; cost/1k ${e.costUsdPer1k ?? '–'}${e.costUsdPer1kCi95 ? ` [${e.costUsdPer1kCi95.join(', ')}]` : ''} vs ${e.bestSingleCostUsdPer1k ?? '–'}` : '',
    policy.learned
      ? `learned router, out of sample (${policy.learned.expected.method}): quality ${policy.learned.expected.quality}; cost/1k ${policy.learned.expected.costUsdPer1k ?? '–'}`
      : '',
  ].filter(Boolean).join('\n');
}
