import {execFileSync} from 'node:child_process';
import {existsSync, readdirSync, statSync} from 'node:fs';
import {join, resolve} from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

function newestMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, {withFileTypes: true, recursive: true})) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** The CLI tests run dist/: rebuild it when any source is newer, so nothing runs stale (`npm test` has just built it). */
export default function setup(): void {
  let built = 0;
  try {
    built = newestMs(join(ROOT, 'dist'));
  } catch {
    // no dist/ yet
  }
  if (built < newestMs(join(ROOT, 'src'))) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {cwd: ROOT, stdio: 'inherit'});
  }
  // The command list the CLI reads at start-up instead of importing every command (`npm run build`
  // writes it too): rewritten when older than the commands, so a new command or flag is never missing.
  const manifest = join(ROOT, 'oclif.manifest.json');
  if (!existsSync(manifest) || statSync(manifest).mtimeMs < newestMs(join(ROOT, 'dist', 'commands'))) {
    execFileSync(process.execPath, [join(ROOT, 'scripts/write-oclif-manifest.mjs')], {cwd: ROOT, stdio: 'inherit'});
  }
}
