// npm scripts silently fall back to the system Node when the `node` devDependency's install
// script did not run; fail loudly instead.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `assay's dev scripts expect Node >= 24, got ${process.version} (${process.execPath}).\n` +
      'Run `npm ci` with install scripts allowed (the `node` devDependency provides Node 24), ' +
      'or put Node 24 first on PATH.',
  );
  process.exit(1);
}
