import {renderCheck} from '../check/render-check.ts';
import type {AddProviderOutcome, PresetSummary} from './add-provider.ts';

export function renderPresetList(presets: PresetSummary[]): string {
  const w = (key: keyof PresetSummary) => Math.max(...presets.map((p) => p[key].length));
  const [name, type, auth] = [w('name'), w('type'), w('auth')];
  return presets.map((p) => `${p.name.padEnd(name)}  ${p.type.padEnd(type)}  ${p.auth.padEnd(auth)}  ${p.baseURL}`).join('\n');
}

/** What was written, what the provider offers, and the check, with the next step. */
export function renderAddProvider(outcome: AddProviderOutcome): string {
  const out = [`wrote ${outcome.file} (${outcome.preset.title})`];
  if (!outcome.inConfig) {
    out.push(`note: ${outcome.modelsNote}: add it there, then run assay check ${outcome.providerId}`);
    return out.join('\n');
  }
  if (outcome.listed) {
    const shown = outcome.listed.slice(0, 40);
    out.push(`${outcome.listed.length} model${outcome.listed.length === 1 ? '' : 's'} offered${outcome.listed.length > shown.length ? ` (first ${shown.length})` : ''}:`);
    for (const id of shown) out.push(`  ${id}`);
    out.push(`(edit models: in ${outcome.file}, or run again with --force --model ID)`);
  } else if (outcome.modelsNote) out.push(outcome.modelsNote);
  if (outcome.check) out.push('', renderCheck(outcome.check));
  return out.join('\n');
}
