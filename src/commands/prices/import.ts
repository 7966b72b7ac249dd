import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.ts';

export default class PricesImport extends BaseCommand {
  static override summary = "Fill the configured models' prices from a price table in LiteLLM's model_prices_and_context_window.json format.";
  static override description =
    'For each configured model found in the table, fills the prices its config lacks (input, output, cache read and write, 1-hour cache write, ' +
    'reasoning, batch, long-context tiers); configured prices are kept (`assay prices check` lists those that differ). Without --write it only ' +
    'shows what it would fill; with --write it edits the YAML or JSON provider files in place, keeping their comments.';
  static override examples = [
    '<%= config.bin %> prices import model_prices_and_context_window.json',
    '<%= config.bin %> prices import model_prices_and_context_window.json --write',
  ];
  static override args = {
    table: Args.string({description: 'the price table: a file or an http(s) URL', required: true}),
  };
  static override flags = {
    config: Flags.string({char: 'c', description: 'config file (default: bench.config.ts, .js, .mjs, .json or .yaml in the current directory)'}),
    model: Flags.string({char: 'm', description: 'only this model label (repeatable)', multiple: true}),
    write: Flags.boolean({description: 'write the filled prices into the provider files (default: show them only)'}),
    json: Flags.boolean({description: 'print the report as one JSON document on stdout'}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(PricesImport);
    const [{importPrices}, {renderPrices}] = await Promise.all([import('../../prices/run-prices.ts'), import('../../prices/render-prices.ts')]);
    const report = await importPrices({table: args.table, config: flags.config, models: flags.model, write: flags.write});
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else this.log(renderPrices(report, 'import', flags.write));
  }
}
