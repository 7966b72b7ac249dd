import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.ts';

export default class PricesCheck extends BaseCommand {
  static override summary = "Compare the configured prices with a price table in LiteLLM's model_prices_and_context_window.json format.";
  static override description =
    'Lists configured prices (input, output, cache, reasoning, batch, long-context tiers) that differ from the table, and models with no price. ' +
    'Models are found by id with the prefixes the table uses (gemini/<id> for the Gemini API, openrouter/<id> behind OpenRouter). ' +
    'Exit 0 when every price matches and every model has one, 1 otherwise, 2 for a bad config or table.';
  static override examples = [
    '<%= config.bin %> prices check model_prices_and_context_window.json',
    '<%= config.bin %> prices check https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json --json',
  ];
  static override args = {
    table: Args.string({description: 'the price table: a file or an http(s) URL', required: true}),
  };
  static override flags = {
    config: Flags.string({char: 'c', description: 'config file (default: bench.config.ts, .js, .mjs, .json or .yaml in the current directory)'}),
    model: Flags.string({char: 'm', description: 'only this model label (repeatable)', multiple: true}),
    json: Flags.boolean({description: 'print the report as one JSON document on stdout'}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(PricesCheck);
    const [{checkPrices}, {renderPrices}] = await Promise.all([import('../../prices/run-prices.ts'), import('../../prices/render-prices.ts')]);
    const report = await checkPrices({table: args.table, config: flags.config, models: flags.model});
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else this.log(renderPrices(report, 'check'));
    if (!report.ok) this.exit(1);
  }
}
