import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {z} from 'zod';
import {InputError} from '../core/errors.ts';
import {parseStructuredFile} from '../config/structured-file.ts';
import {validate} from '../config/validate.ts';

/** A provider template: the provider definition `assay add provider` writes, minus its id. Data, not code: presets/*.yaml. */
export const presetSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1),
  docs: z.string().url(),
  provider: z.record(z.string(), z.unknown()),
  notes: z.string().optional(),
});

export type Preset = z.infer<typeof presetSchema> & {file: string};

/** presets/ ships at the package root, beside dist/ and src/: found from here whether running built or from source. */
export function presetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) if (existsSync(join(dir, 'presets', 'openai.yaml'))) return join(dir, 'presets');
  throw new Error('the presets folder is missing from this installation of assay');
}

/** Every preset, sorted by name. */
export function loadPresets(dir = presetsDir()): Preset[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const parsed = parseStructuredFile(f, readFileSync(file, 'utf8'));
      return {...validate(presetSchema, parsed.value, {file: f, lineOf: parsed.lineOf, what: 'preset'}), file};
    });
}

export function findPreset(name: string, presets = loadPresets()): Preset {
  const preset = presets.find((p) => p.name === name);
  if (!preset) {
    throw new InputError(`no provider preset "${name}"`, {hint: `presets: ${presets.map((p) => p.name).join(', ')} (assay add provider --list shows them with their base URLs)`});
  }
  return preset;
}
