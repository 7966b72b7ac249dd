// The import rules of src/ (docs/architecture.md explains them). `npm test` runs this check first
// (`npm run check:imports`); it fails on an import cycle, an upward import between layers, an
// executor loaded statically by the engine or a feature, or the sandbox reached outside its entry points.
//
// Layers, lowest first; a module may import from its own layer and the layers below it, never above.
// Layers are made of folders; the few files of runner/ that belong to other layers are named.
const LAYERS = [
  // Pure pricing arithmetic (runner/cost.ts) is read by the summary as well as the engine.
  ['core', ['^src/core/', '^src/stats/', '^src/runner/cost[.]ts$']],
  // The run-directory contract: result lines, run.json, journal reading and writing, the summary.
  ['rundir', ['^src/rundir/', '^src/runner/(journal|finished-tasks|summarize|summary-types|group-accumulator|result-rows|run-lock)[.]ts$']],
  ['config', ['^src/config/', '^src/suites/', '^src/datasets/', '^src/graders/']],
  ['providers', ['^src/providers/', '^src/traffic/', '^src/cache/']],
  // The simulator stands in for real providers; only the engine's runner/simulated.ts loads it, lazily.
  ['sandbox', ['^src/sandbox/']],
  ['engine', ['^src/runner/']],
  ['executors', ['^src/runner/execute-local[.]ts$', '^src/batch/', '^src/queue/']],
  ['features', ['^src/runner/run-benchmark[.]ts$', '^src/telemetry/', '^src/gate/', '^src/report/', '^src/view/', '^src/ab/', '^src/routing/', '^src/check/', '^src/load/', '^src/prices/', '^src/scaffold/', '^src/monitor/', '^src/ui/', '^src/cli/']],
  ['commands', ['^src/commands/', '^src/index[.]ts$']],
];

const SPECIFIC = LAYERS.flatMap(([, paths]) => paths.filter((p) => p.endsWith('$')));
/** A layer's own files: its patterns, less the named files that belong to another layer. */
function layer(name) {
  const [, paths] = LAYERS.find(([n]) => n === name);
  const own = paths.filter((p) => p.endsWith('$'));
  const folders = paths.filter((p) => !p.endsWith('$'));
  const elsewhere = SPECIFIC.filter((p) => !own.includes(p));
  return {path: paths, ...(folders.length > 0 && elsewhere.length > 0 ? {pathNot: elsewhere.filter((p) => folders.some((f) => p.startsWith(f)))} : {})};
}
function above(name) {
  const i = LAYERS.findIndex(([n]) => n === name);
  return LAYERS.slice(i + 1).map(([n]) => n);
}
function anyOf(names) {
  const parts = names.map(layer);
  return {path: parts.flatMap((p) => p.path)};
}

const upward = LAYERS.slice(0, -1).flatMap(([name]) =>
  above(name).map((higher) => ({
    name: `${name}-not-above`,
    comment: `${name} may not import from ${higher}, a layer above it (docs/architecture.md)`,
    severity: 'error',
    from: layer(name),
    to: layer(higher),
  })),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'import cycles make load order matter and layers meaningless: move the shared part down a layer',
      severity: 'error',
      from: {path: '^src/'},
      to: {circular: true},
    },
    ...upward,
    {
      name: 'executors-loaded-lazily',
      comment: 'the engine and features reach executors only through import(), so a run loads only the executor it uses',
      severity: 'error',
      from: anyOf(['engine', 'features']),
      to: {...layer('executors'), dynamic: false, dependencyTypesNot: ['type-only']},
    },
    {
      name: 'sandbox-off-production-path',
      comment: 'the sandbox is loaded only for simulated providers (runner/simulated.ts), by `assay sandbox` and by the library barrel',
      severity: 'error',
      // src/load/ (assay load) still imports the child-process launcher, sim-model and the prompt marker
      // statically; making those lazy would let it join this rule.
      from: {pathNot: ['^src/sandbox/', '^src/runner/simulated[.]ts$', '^src/commands/sandbox[.]ts$', '^src/index[.]ts$', '^src/load/']},
      to: {path: '^src/sandbox/', dependencyTypesNot: ['type-only']},
    },
    {
      name: 'in-a-layer',
      comment: 'every folder of src/ belongs to a layer: add a new one to LAYERS in .dependency-cruiser.cjs',
      severity: 'error',
      from: {path: '^src/', pathNot: LAYERS.flatMap(([, paths]) => paths)},
      to: {},
    },
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    includeOnly: '^src/',
    exclude: {path: '[.]test[.]ts$'},
    // TypeScript 7 has no compiler API for dependency-cruiser yet: swc parses the sources instead, and
    // type-only imports count too (an upward type import is still upward).
    parser: 'swc',
    tsConfig: {fileName: 'tsconfig.json'},
  },
};
