import {Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.ts';

export default class Simulate extends BaseCommand {
  static override summary = 'Replay recorded outcomes through a routing policy: quality, cost and p95 latency against every single model and the oracle.';
  static override description =
    'Routes every recorded case by its tags, metadata and input size (sticky by case id), serves it with the first model that has an outcome for it, ' +
    'and compares the result with each single model and the per-case oracle on the same cases, plus the cost–quality curve of the policy\'s rules and its AIQ. ' +
    'Simulate on outcomes the policy was not generated from for an honest estimate.';
  static override examples = [
    '<%= config.bin %> simulate --policy routing-policy.yaml --from reports/2026-11-25T09-00-00Z',
    '<%= config.bin %> simulate --policy routing-policy.yaml --from holdout.csv --json',
  ];
  static override flags = {
    policy: Flags.string({char: 'p', description: 'routing policy YAML (from `assay route --out`)', required: true}),
    from: Flags.string({char: 'f', description: 'run directory, results.jsonl or outcomes CSV (repeatable; merged)', multiple: true, required: true}),
    json: Flags.boolean({description: 'print {policy, baselines, oracle, aiq, ...} as one JSON document'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Simulate);
    const [{simulateFromSources}, {renderSimulation}] = await Promise.all([import('../routing/simulate-from-sources.ts'), import('../routing/render-simulation.ts')]);
    const report = simulateFromSources({policy: flags.policy, from: flags.from});
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else this.log(renderSimulation(report));
  }
}
