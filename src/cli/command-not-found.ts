import {type Hook, loadHelpClass} from '@oclif/core';
import {editDistance} from '../check/closest-ids.ts';

/** The known names a mistyped one most likely meant, best first: at most two edits, or a shared prefix. */
export function suggestNames(typed: string, known: readonly string[], limit = 2): string[] {
  const scored = known
    .map((name) => ({name, distance: editDistance(typed.toLowerCase(), name.toLowerCase())}))
    .filter(({name, distance}) => distance <= (name.length >= 4 ? 2 : 1) || (typed.length >= 2 && name.startsWith(typed)));
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  // Only the closest: "--suit" means --suite, not also --junit two edits away.
  return scored.filter((s) => s.distance === scored[0]!.distance).slice(0, limit).map((s) => s.name);
}

/**
 * `assay help [COMMAND]` (without a help plugin) and "did you mean" for a mistyped command: an unknown
 * command is a user mistake, so it exits 2 with the closest names instead of oclif's bare "not found".
 */
const hook: Hook.CommandNotFound = async function (options) {
  const {argv = []} = options;
  // With a space as topic separator, `assay help run` arrives as the id "help:run".
  const [first, ...rest] = options.id.split(':');
  const known = [...options.config.commandIDs.filter((name) => !options.config.findCommand(name)?.hidden), 'help'];
  const subject = first === 'help' ? rest.join(':') : null;
  if (subject !== null && (subject === '' || options.config.findCommand(subject))) {
    const Help = await loadHelpClass(options.config);
    await new Help(options.config).showHelp(subject ? [subject, ...argv] : argv);
    return;
  }
  const id = subject ?? options.id;
  const close = suggestNames(id, known);
  process.stderr.write(
    `error: unknown command "${id.replaceAll(':', ' ')}"\n` +
      (close.length ? `  did you mean: ${close.map((name) => `assay ${name}`).join(' or ')}?\n` : '') +
      `  commands: ${known.sort().join(', ')} (assay --help lists them with a line each)\n`,
  );
  this.exit(2);
};

export default hook;
