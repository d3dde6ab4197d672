// Import rules for src/, checked by test/architecture.test.ts (and `npx depcruise src`).
// swc parses the TypeScript so type-only imports count too: a cycle through types is a cycle.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Nothing imports in a circle (STYLE.md principle 12).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'model-knows-no-file-format',
      comment: 'src/model never imports src/io: io reads models through model/persistence.ts and installs the serializer.',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/io/' },
    },
    {
      name: 'node-only-at-the-edges',
      comment: 'Node built-ins only in the CLI and in *-node.ts files (STYLE.md principle 6): the maths core and every browser path stay free of them. src/platform.ts only names Node\'s types (type imports, erased; scripts/build-ts.mjs fails if the browser graph mentions a node: module).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '-node\\.ts$', '^src/platform\\.ts$'] },
      to: { dependencyTypes: ['core'] },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.generated\\.ts$' },
    // Imports say './x.js' for './x.ts' (TypeScript's ESM convention).
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
