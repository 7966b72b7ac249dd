import {Args} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.ts';

export default class Init extends BaseCommand {
  static override summary = 'Create a working assay project: config, a sandbox provider, one suite, .env.example and .gitignore.';
  static override description =
    'Sets up DIR (default: the current folder) so `assay run` works at once and offline, against a simulated model. Then add real ' +
    'providers with `assay add provider NAME`. Existing files are never overwritten; a folder that has an assay config already is refused (exit 2).';
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init my-evals && cd my-evals && <%= config.bin %> run'];
  static override args = {dir: Args.string({description: 'folder to set up (created if missing)'})};

  async run(): Promise<void> {
    const {args} = await this.parse(Init);
    const {initProject} = await import('../scaffold/init-project.ts');
    const outcome = initProject({dir: args.dir});
    this.log(`assay project in ${outcome.dir}:`);
    for (const file of outcome.files) this.log(`  created ${file}`);
    const cd = outcome.dir === '.' ? '' : `cd ${outcome.dir} && `;
    this.log(`\nNext: ${cd}assay run   (offline, against the simulated model)`);
    this.log('      assay add provider --list   (templates for OpenAI, Azure, Anthropic, Gemini, Vertex, Bedrock, OpenRouter, Ollama…)');
  }
}
