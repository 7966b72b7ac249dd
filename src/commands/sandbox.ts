import {Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.ts';
import {InputError} from '../core/errors.ts';

export default class SandboxCommand extends BaseCommand {
  static override summary = 'Serve the local provider sandbox (OpenAI, Anthropic and Gemini wire formats) on 127.0.0.1.';
  static override description =
    'Serves the simulated models of the config\'s sandbox providers, with the answers of its suites registered, so other tools ' +
    '(or `assay run` with a sandbox provider that sets baseURL) can use it. Without a config file, any model id is served with a default profile.';
  static override examples = ['<%= config.bin %> sandbox --port 8787', 'OPENAI_BASE_URL=http://127.0.0.1:8787/v1 your-tool'];
  static override flags = {
    port: Flags.integer({char: 'p', description: 'port on 127.0.0.1 (0 picks a free one)', default: 8787, min: 0, max: 65535}),
    host: Flags.string({description: 'address to listen on (default 127.0.0.1); e.g. 0.0.0.0 so `assay worker`s on other machines reach it (simulated models only, any key accepted)', default: '127.0.0.1'}),
    config: Flags.string({char: 'c', description: 'config whose sandbox providers and suites to serve'}),
    'latency-scale': Flags.string({description: 'multiply simulated latencies (0 = instant)'}),
    json: Flags.boolean({description: 'print the endpoints as JSON once listening'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(SandboxCommand);
    const {startSandbox} = await import('../sandbox/start-sandbox.ts');
    const scale = flags['latency-scale'] === undefined ? undefined : Number(flags['latency-scale']);
    if (scale !== undefined && !(scale >= 0)) this.error('--latency-scale must be a number >= 0', {exit: 2});
    const served = await startSandbox({config: flags.config, port: flags.port, host: flags.host, latencyScale: scale}).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new InputError(`port ${flags.port} on ${flags.host} is in use`, {hint: 'pick another with --port N, or --port 0 for any free port'});
      if (error.code === 'EADDRNOTAVAIL') throw new InputError(`address ${flags.host} is not one of this machine's`, {hint: 'use --host 127.0.0.1 (the default) or 0.0.0.0'});
      throw error;
    });
    const endpoints = {
      openai: served.sandbox.baseURLFor('openai'),
      anthropic: served.sandbox.baseURLFor('anthropic'),
      gemini: served.sandbox.baseURLFor('gemini'),
      models: served.models,
      answers: served.sandbox.answerKey.size,
      simulated: true,
    };
    if (flags.json) this.log(JSON.stringify(endpoints));
    else {
      this.log(`assay sandbox (simulated models) listening on ${served.sandbox.url}`);
      this.log(`  OpenAI:    baseURL ${endpoints.openai}`);
      this.log(`  Anthropic: baseURL ${endpoints.anthropic}`);
      this.log(`  Gemini:    httpOptions.baseUrl ${endpoints.gemini}`);
      this.log(`  models: ${served.models.length ? served.models.join(', ') : 'any id (default profile)'}; ${endpoints.answers} answers registered`);
      this.log('  any API key is accepted except "invalid-key" (answers 401). Ctrl+C to stop.');
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await served.sandbox.close();
  }
}
