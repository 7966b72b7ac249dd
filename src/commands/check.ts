import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.ts';

export default class Check extends BaseCommand {
  static override summary = 'Diagnose providers before onboarding them: connectivity, auth, model list, a canary prompt and streaming.';
  static override description =
    'For each provider in the config (or only those named), checks that its endpoint is reachable (DNS, TCP, TLS), that the key is accepted ' +
    'and the configured model ids are listed, and that each model answers a tiny prompt, plain and streamed. Every failure names its likely ' +
    'cause and the fix. Exit 0 when every step passed, 1 otherwise, 2 for a bad config or an unknown provider id.';
  static override examples = [
    '<%= config.bin %> check',
    '<%= config.bin %> check sim-openai sim-anthropic',
    '<%= config.bin %> check --config bench.config.ts --json',
  ];
  static override strict = false;
  static override args = {
    provider: Args.string({description: 'provider id to check (repeatable; default: every provider in the config)'}),
  };
  static override flags = {
    config: Flags.string({char: 'c', description: 'config file (default: bench.config.ts, .js, .mjs, .json or .yaml in the current directory)'}),
    json: Flags.boolean({description: 'print the report as one JSON document on stdout'}),
  };

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(Check);
    const [{runCheck}, {renderCheck}] = await Promise.all([import('../check/run-check.ts'), import('../check/render-check.ts')]);
    const report = await runCheck({config: flags.config, providers: argv as string[]});
    if (flags.json) process.stdout.write(`${JSON.stringify({ok: report.ok, providers: report.providers}, null, 2)}\n`);
    else this.log(renderCheck(report));
    if (!report.ok) this.exit(1);
  }
}
