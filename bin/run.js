#!/usr/bin/env node
// Guard before anything heavy loads: oclif only warns on an old Node and then misbehaves.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `assay requires Node >= 22.12 (found ${process.version}). ` +
      'In this repo use `npm run assay -- <command>`, which runs on the Node 24 installed by `npm ci`.',
  );
  process.exit(2);
}
const {enableCompileCache} = await import('node:module');
enableCompileCache?.();
const {execute} = await import('@oclif/core');
await execute({dir: import.meta.url});
