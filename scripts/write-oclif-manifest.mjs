// Writes oclif.manifest.json (every command's id, summary, flags and file) from dist/commands, so the
// CLI finds `run` without importing all fifteen command modules at start-up. Runs after `tsc` in
// `npm run build`; the manifest is build output (gitignored) like dist/.
import {writeFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {Plugin} from '@oclif/core';

const root = resolve(import.meta.dirname, '..');
const plugin = new Plugin({errorOnManifestCreate: true, ignoreManifest: true, isRoot: true, respectNoCacheDefault: true, root, type: 'core'});
await plugin.load();
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
