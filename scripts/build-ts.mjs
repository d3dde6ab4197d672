// Bundles the library with esbuild into the files package.json#exports points at:
//   dist/node/index.cjs   CommonJS for Node, Bun and Deno: `require('wasm-mlp')` on every Node >= 20
//   dist/node/index.js    their ESM entry (`import`): re-exports index.cjs, so both share one library
//   dist/browser/wasm-mlp.js  ESM for browsers and bundlers (`browser` and `default`): no Node
//                         built-in is reachable from it, statically or through a dynamic import
//   dist/wasm/*.js        the two wasm builds, SIMD and relaxed SIMD (bytes as base64; the shared-
//                         memory variants for threads are made from them at run time), shared by
//                         all three entries and imported lazily, so a bundler splits each into its
//                         own chunk and a page downloads only the build it runs
// Type declarations come from tsc (dist/types: those index.d.ts reaches).
//
// Browser substitutes: for a module `x.ts` that needs Node (src/io/handlers/file-node.ts,
// src/backend/threads/spawn-node.ts), the browser entry gets `x.browser.ts` beside it instead.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const d of ['node', 'browser', 'types', 'wasm']) rmSync(`${root}dist/${d}`, { recursive: true, force: true });

const WASM = /^\.\/(simd|relaxed)\.generated\.js$/;

/** Imports of src/backend/wasm/<build>.generated.js become imports of dist/wasm/<build>.js. */
const sharedWasm = (outDir) => ({
  name: 'shared-wasm',
  setup(b) {
    b.onResolve({ filter: WASM }, (args) => {
      const name = WASM.exec(args.path)[1];
      const rel = relative(outDir, `${root}dist/wasm`).replace(/\\/g, '/');
      return { path: `${rel}/${name}.js`, external: true };
    });
  },
});

/** In the browser entry, `./x.js` resolves to `x.browser.ts` when that file exists. */
const browserSubstitutes = {
  name: 'browser-substitutes',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const alt = join(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return existsSync(alt) ? { path: alt } : undefined;
    });
  },
};

/**
 * The .keras and .ONNX code (src/io/keras, src/io/onnx) is imported only on first use. In the
 * browser build it becomes two files of its own beside the entry (like the wasm builds), so a
 * page that trains never downloads it.
 */
const FORMAT = /^\.\/(keras|onnx)\/index\.js$/;
const formatFiles = {
  name: 'format-files',
  setup(b) {
    b.onResolve({ filter: FORMAT }, (args) => ({ path: `./${FORMAT.exec(args.path)[1]}.js`, external: true }));
  },
};
/**
 * nn.data.csv's parser (csv-parse's browser build, ~90 kB) is imported on first use too: in the
 * browser build it is dist/browser/csv-parse.js beside the entry, so a page that never reads a
 * CSV never downloads it. (In Node, ./parser-node.js — csv-parse's Node build — is used instead;
 * in the browser entry both imports name this file.)
 */
const csvParserFile = {
  name: 'csv-parser-file',
  setup(b) {
    b.onResolve({ filter: /^\.\/parser-(browser|node)\.js$/ }, () => ({ path: './csv-parse.js', external: true }));
  },
};
/** The Node build uses csv-parse's Node build only (records.ts picks it in Node; Bun and Deno report a Node version too). */
const nodeCsvParser = {
  name: 'node-csv-parser',
  setup(b) {
    b.onResolve({ filter: /^\.\/parser-browser\.js$/ }, () => ({ path: `${root}src/data/parser-node.ts` }));
  },
};
/** csv-parse, fflate, h5wasm: dependencies that Node resolves at run time (the CLI's csv-parse too). */
const NODE_DEPENDENCIES = ['csv-parse', 'csv-parse/*', 'fflate', 'h5wasm'];
/**
 * The Node build drops whitespace (no source maps are shipped, so nobody reads it as source) but
 * keeps every name, so a stack trace still says `at Sequential.fit`, `at readCsv`; lines stay
 * short, so Node's report of an uncaught error quotes one line of code, not the whole library.
 */
const NODE_MINIFY = { minifyWhitespace: true, minifySyntax: true, lineLimit: 160 };

const common = { entryPoints: [`${root}src/index.ts`], bundle: true, target: 'es2022', logLevel: 'warning' };
await build({
  ...common,
  entryPoints: Object.fromEntries(
    ['simd', 'relaxed'].map((n) => [n, `${root}src/backend/wasm/${n}.generated.ts`]),
  ),
  outdir: `${root}dist/wasm`,
  format: 'esm',
  platform: 'neutral',
});
await build({
  ...common,
  platform: 'node',
  format: 'cjs',
  outfile: `${root}dist/node/index.cjs`,
  // Keep `import()` of the (ESM) wasm modules: Node's CommonJS can import ES modules dynamically.
  supported: { 'dynamic-import': true },
  external: NODE_DEPENDENCIES,
  ...NODE_MINIFY,
  plugins: [nodeCsvParser, sharedWasm(`${root}dist/node`)],
});
// The ESM entry for Node is a thin wrapper over the CommonJS build, so `import` and `require` in
// one program share one library (one backend, one arena): no dual-package hazard, half the bytes.
const names = Object.keys(createRequire(import.meta.url)(`${root}dist/node/index.cjs`)).filter((n) => n !== '__esModule').sort();
writeFileSync(
  `${root}dist/node/index.js`,
  `// ES module entry for Node, Bun and Deno: the CommonJS build's exports (see scripts/build-ts.mjs).\n` +
    `import lib from './index.cjs';\n\nexport const {\n${names.map((n) => `  ${n},`).join('\n')}\n} = lib;\n`,
);
await build({
  ...common,
  platform: 'browser',
  format: 'esm',
  // One file, whose only dynamic imports are the four leaf wasm modules: code-splitting here (the
  // saving handlers as chunks) would break Vite's default `iife` worker builds, which cannot split.
  outfile: `${root}dist/browser/wasm-mlp.js`,
  minify: true,
  plugins: [csvParserFile, browserSubstitutes, formatFiles, sharedWasm(`${root}dist/browser`)],
});
await build({
  ...common,
  entryPoints: { keras: `${root}src/io/keras/index.ts`, onnx: `${root}src/io/onnx/index.ts`, 'csv-parse': `${root}src/data/parser-browser.ts` },
  platform: 'browser',
  format: 'esm',
  outdir: `${root}dist/browser`,
  minify: true,
  // fflate (small) is bundled into keras.js; h5wasm (4 MB, an ES module) stays a package import
  // for the user's bundler (or an import map on an unbundled page: see docs/saving.md).
  external: ['h5wasm'],
  plugins: [browserSubstitutes],
});

// The browser graph must not mention a Node built-in anywhere, or webpack and esbuild refuse it.
for (const f of readdirSync(`${root}dist/browser`)) {
  const nodeBuiltin = /["'`](node:[\w/]+)["'`]/.exec(readFileSync(`${root}dist/browser/${f}`, 'utf8'));
  if (nodeBuiltin) throw new Error(`build-ts: dist/browser/${f} mentions ${nodeBuiltin[1]}`);
}

const tsc = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.json`], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// Only declarations that index.d.ts reaches are published: the package exports nothing else, so
// the rest (the CLI, the backends' and formats' internals) would be dead weight.
const reachable = new Set();
const visit = (file) => {
  if (reachable.has(file) || !existsSync(file)) return;
  reachable.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/(?:from\s*|import\()\s*["'](\.{1,2}\/[^"']+)\.js["']/g)) {
    visit(join(dirname(file), `${m[1]}.d.ts`));
  }
};
visit(join(root, 'dist/types/index.d.ts'));
const prune = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      prune(p);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
    } else if (!reachable.has(p)) rmSync(p);
  }
};
prune(join(root, 'dist/types'));
// The declarations describe the Node build as what it is, a CommonJS module (dist/node/index.js
// only re-exports it): `require('wasm-mlp')` in TypeScript projects that resolve like Node
// (node16/nodenext) gets them, and `import` from ESM gets the same names, as from any CommonJS
// package. Without this, the package's "type": "module" would make them ESM, which a CommonJS file
// cannot require, and every declaration would need a CommonJS twin.
writeFileSync(`${root}dist/types/package.json`, '{ "type": "commonjs" }\n');

if (process.argv.includes('--sizes')) {
  let raw = 0;
  let gz = 0;
  const add = (p) => {
    const b = readFileSync(p);
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
  };
  const kib = (n) => (n / 1024).toFixed(1);
  for (const f of readdirSync(`${root}dist/browser`)) add(`${root}dist/browser/${f}`);
  const [jsRaw, jsGz] = [raw, gz];
  add(`${root}dist/wasm/relaxed.js`);
  console.log(`what a page on one thread fetches (the entry and one wasm build): ${kib(raw)} KiB min, ${kib(gz)} KiB gzip`);
  for (const f of readdirSync(`${root}dist/wasm`)) if (f !== 'relaxed.js') add(`${root}dist/wasm/${f}`);
  console.log(`all browser files (JS ${kib(jsRaw)} KiB min, ${kib(jsGz)} KiB gzip; with both wasm builds): ${kib(raw)} KiB min, ${kib(gz)} KiB gzip`);
}

