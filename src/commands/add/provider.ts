import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.ts';
import {InputError} from '../../core/errors.ts';

export default class AddProvider extends BaseCommand {
  static override summary = 'Write providers/NAME.yaml from a preset, list the models it offers, and check it.';
  static override description =
    'Presets carry the base URL, auth scheme and key variable, streaming quirks and modest limits of a provider (never prices). ' +
    'The file goes into the providers/ folder beside the config; then the provider\'s models are listed (when its key is set) and ' +
    '`assay check` runs on it. Exit 0 when the check passed, 1 when it failed, 2 for bad input.';
  static override examples = [
    '<%= config.bin %> add provider --list',
    '<%= config.bin %> add provider openrouter',
    '<%= config.bin %> add provider ollama --model llama3.2 --model qwen2.5',
    '<%= config.bin %> add provider vllm --base-url http://gpu-box:8000/v1 --model meta-llama/Llama-3.1-8B-Instruct',
  ];
  static override args = {name: Args.string({description: 'preset name (see --list)'})};
  static override flags = {
    list: Flags.boolean({description: 'list the presets with their base URLs and key variables'}),
    id: Flags.string({description: 'provider id and file name (default: the preset name)'}),
    'base-url': Flags.string({description: 'the API\'s address instead of the preset\'s (for azure-openai: the resource endpoint)'}),
    model: Flags.string({description: 'model id to add (repeatable; default: the preset\'s example model)', multiple: true}),
    force: Flags.boolean({description: 'replace an existing providers/ID.yaml'}),
    check: Flags.boolean({description: 'run assay check on the new provider (--no-check: only write the file and list models)', default: true, allowNo: true}),
    config: Flags.string({char: 'c', description: 'config file (default: bench.config.* in the current directory)'}),
    json: Flags.boolean({description: 'print the outcome as JSON'}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(AddProvider);
    const [{addProvider, listPresets}, {renderAddProvider, renderPresetList}] = await Promise.all([import('../../scaffold/add-provider.ts'), import('../../scaffold/render-add-provider.ts')]);
    if (flags.list) {
      const presets = listPresets();
      if (flags.json) this.log(JSON.stringify(presets, null, 2));
      else this.log(renderPresetList(presets));
      return;
    }
    if (!args.name) throw new InputError('name a preset: assay add provider NAME', {hint: 'assay add provider --list shows them'});
    const outcome = await addProvider({preset: args.name, id: flags.id, baseURL: flags['base-url'], models: flags.model, force: flags.force, check: flags.check, config: flags.config});
    if (flags.json) {
      const {preset, ...rest} = outcome;
      this.log(JSON.stringify({preset: preset.name, ...rest}, null, 2));
    } else this.log(renderAddProvider(outcome));
    if (outcome.check && !outcome.check.ok) this.exit(1);
  }
}
