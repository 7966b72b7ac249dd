import {execFileSync} from 'node:child_process';
import {readdirSync, statSync} from 'node:fs';
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
  if (built >= newestMs(join(ROOT, 'src'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {cwd: ROOT, stdio: 'inherit'});
}
