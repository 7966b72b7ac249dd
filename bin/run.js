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
// Heap settings first, before the modules and the run allocate (bin/v8-flags.js: which, why, how to override).
(await import('./v8-flags.js')).applyHeapSettings();
// Node's fetch honours HTTP(S)_PROXY / NO_PROXY only when NODE_USE_ENV_PROXY is set at startup, so
// with a proxy configured the CLI starts itself again with it set. Every provider then goes through it.
const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => process.env[name]);
if (proxied && !process.env.NODE_USE_ENV_PROXY) {
  const {spawn} = await import('node:child_process');
  // Its own process group: a terminal's Ctrl+C reaches only this process, which passes each signal
  // on exactly once (twice would read as a double Ctrl+C).
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {stdio: 'inherit', detached: true, env: {...process.env, NODE_USE_ENV_PROXY: '1'}});
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
} else {
const {enableCompileCache} = await import('node:module');
enableCompileCache?.();
// The guard above has checked the Node version; oclif's own check loads semver (47 modules) to repeat it.
const ownEngineCheck = process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined;
if (ownEngineCheck) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
const {execute} = await import('@oclif/core');
if (ownEngineCheck) delete process.env.OCLIF_DISABLE_ENGINE_WARNING;
await execute({dir: import.meta.url});
}
