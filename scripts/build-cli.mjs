// Bundles the command line (src/cli) into dist/cli/wasm-mlp.js. The library stays external:
// imports of src/index.ts become '../node/index.js', the Node bundle built by build-ts.mjs, so the
// package keeps one copy of the library; csv-parse is the package's dependency, shared with the
// Node build. Minified like the Node build: no whitespace, short lines, every name kept.
import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const externalLibrary = {
  name: 'external-library',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) => {
      if (!args.importer.replace(/\\/g, '/').startsWith(`${root}src/cli/`.replace(/\\/g, '/'))) return undefined;
      return { path: '../node/index.js', external: true };
    });
    // The library's modules the CLI bundles (its data pipeline: src/data) read the Node platform
    // from the registry the Node entry fills (src/platform.ts, dist/browser/platform.js), not
    // from a copy of their own that nobody registers.
    b.onResolve({ filter: /\/platform\.js$/ }, (args) =>
      join(args.resolveDir, args.path) === join(root, 'src/platform.js') ? { path: '../browser/platform.js', external: true } : undefined,
    );
  },
};

const { metafile } = await build({
  absWorkingDir: root,
  metafile: true,
  entryPoints: [`${root}src/cli/main.ts`],
  outfile: `${root}dist/cli/wasm-mlp.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  external: ['csv-parse', 'csv-parse/*'],
  minifyWhitespace: true,
  minifySyntax: true,
  lineLimit: 160,
  plugins: [externalLibrary],
});
