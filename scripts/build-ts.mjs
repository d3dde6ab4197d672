// Bundles the library with esbuild into the files package.json#exports points at:
//   dist/browser/wasm-mlp.js  the library, one ES module (`browser` and `default`, and the code of
//                         the Node entry too): no Node built-in is reachable from it, statically or
//                         through a dynamic import
//   dist/browser/platform.js  the hook through which the Node entry hands Node's file system,
//                         worker_threads and csv-parse's Node build to the library (src/platform.ts)
//   dist/node/index.js    the Node entry (`node`: Node, Bun, Deno; `import` and `require` alike, as
//                         require(esm) — hence engines.node >= 20.19): registers the Node platform
//                         (src/platform-node.ts) and re-exports dist/browser/wasm-mlp.js, so the
//                         package holds one copy of the library and a program that both imports
//                         and requires it gets one library (one backend, one arena)
//   dist/browser/keras.js, onnx.js, csv-parse.js  imported on first use (below)
//   dist/wasm/*.js        the two wasm builds, SIMD and relaxed SIMD (deflated, as base64; the
//                         shared-memory variants for threads are made from them at run time),
//                         imported lazily, so a bundler splits each into its own chunk and a page
//                         downloads only the build it runs
// Type declarations come from tsc (dist/types: those index.d.ts reaches).
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

/**
 * Imports of the given src/ modules become imports of built files (`to`, relative to the output):
 * src/platform.ts is dist/browser/platform.js for every build, so the library and the Node entry
 * share one registry; the Node entry imports the library itself from dist/browser/wasm-mlp.js.
 */
const builtFiles = (to) => ({
  name: 'built-files',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const file = relative(root, join(args.resolveDir, args.path)).replace(/\\/g, '/').replace(/\.js$/, '.ts');
      return file in to ? { path: to[file], external: true } : undefined;
    });
  },
});

/**
 * The .keras and .ONNX code (src/io/keras, src/io/onnx) is imported only on first use: two files
 * of their own beside the entry (like the wasm builds), so a page that trains never downloads it.
 */
const FORMAT = /^\.\/(keras|onnx)\/index\.js$/;
const formatFiles = {
  name: 'format-files',
  setup(b) {
    b.onResolve({ filter: FORMAT }, (args) => ({ path: `./${FORMAT.exec(args.path)[1]}.js`, external: true }));
  },
};
/**
 * nn.data.csv's parser where no Node platform is registered (csv-parse's browser build, ~90 kB) is
 * imported on first use too: dist/browser/csv-parse.js beside the entry, so a page that never
 * reads a CSV never downloads it. (Node uses the csv-parse package's Node build: src/platform-node.ts.)
 */
const csvParserFile = {
  name: 'csv-parser-file',
  setup(b) {
    b.onResolve({ filter: /^\.\/parser-browser\.js$/ }, () => ({ path: './csv-parse.js', external: true }));
  },
};
/**
 * The library and the formats drop whitespace (no source maps are shipped) but keep every name,
 * so a stack trace says `at Sequential.fit`, `at readCsv`, in Node and in a browser's console; lines
 * stay short, so Node's report of an uncaught error quotes one line of code, not the whole
 * library. An app's bundler minifies further anyway; shortened names would save ~11 KB gzip on an
 * unbundled page. csv-parse.js (third-party, browser only) is minified fully.
 */
const READABLE_MINIFY = { minifyWhitespace: true, minifySyntax: true, lineLimit: 160 };

const common = { absWorkingDir: root, bundle: true, target: 'es2022', logLevel: 'warning' };
const browserOut = `${root}dist/browser`;
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
  entryPoints: { 'wasm-mlp': `${root}src/index.ts`, platform: `${root}src/platform.ts`, keras: `${root}src/io/keras/index.ts`, onnx: `${root}src/io/onnx/index.ts` },
  platform: 'browser',
  format: 'esm',
  // One file per entry, whose only dynamic imports are the leaf files above: code-splitting (the
  // saving handlers as chunks) would break Vite's default `iife` worker builds, which cannot split.
  outdir: browserOut,
  ...READABLE_MINIFY,
  // fflate (small) is bundled into keras.js; h5wasm (4 MB, an ES module) stays a package import
  // for the user's bundler (or an import map on an unbundled page: see docs/saving.md).
  external: ['h5wasm'],
  plugins: [csvParserFile, formatFiles, sharedWasm(browserOut), builtFiles({ 'src/platform.ts': './platform.js' })],
});
await build({
  ...common,
  entryPoints: { 'csv-parse': `${root}src/data/parser-browser.ts` },
  platform: 'browser',
  format: 'esm',
  outdir: browserOut,
  minify: true,
});
const nodeBuild = await build({
  ...common,
  entryPoints: [`${root}src/index-node.ts`],
  platform: 'node',
  format: 'esm',
  outfile: `${root}dist/node/index.js`,
  external: ['csv-parse'],
  metafile: true,
  ...READABLE_MINIFY,
  plugins: [builtFiles({ 'src/index.ts': '../browser/wasm-mlp.js', 'src/platform.ts': '../browser/platform.js' })],
});
// The Node entry adds Node's pieces only: a module of the library bundled in here as well would be
// a second copy with its own state (load limits, backend), unseen by the first.
const nodeInputs = Object.keys(nodeBuild.metafile.inputs).filter((f) => !/(^|\/)src\/(index|platform)-node\.ts$|^src\/backend\/threads\/spawn-node\.ts$/.test(f));
if (nodeInputs.length) throw new Error(`build-ts: dist/node/index.js would bundle a second copy of ${nodeInputs.join(', ')}`);
// `require('wasm-mlp')` is require(esm): it fails on a top-level await anywhere in the graph.
const names = Object.keys(createRequire(import.meta.url)(`${root}dist/node/index.js`));
if (names.length < 20) throw new Error(`build-ts: require() of dist/node/index.js gave ${names.length} exports`);

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
// The declarations are typed as CommonJS, so that both TypeScript projects that resolve like Node
// and compile to CommonJS (node16: `require('wasm-mlp')` gets them, as Node's require(esm) gets the
// module) and ES module projects (`import { … } from 'wasm-mlp'`) accept them. Without this, the
// package's "type": "module" would make them ESM, which node16's CommonJS refuses to require.
writeFileSync(`${root}dist/types/package.json`, '{ "type": "commonjs" }\n');

if (process.argv.includes('--sizes')) {
  const size = (files) => {
    let raw = 0;
    let gz = 0;
    for (const f of files) {
      const b = readFileSync(`${root}dist/${f}`);
      raw += b.length;
      gz += gzipSync(b, { level: 9 }).length;
    }
    return `${(raw / 1024).toFixed(1)} KiB min, ${(gz / 1024).toFixed(1)} KiB gzip`;
  };
  const browser = readdirSync(`${root}dist/browser`).map((f) => `browser/${f}`);
  const wasm = readdirSync(`${root}dist/wasm`).map((f) => `wasm/${f}`);
  // The entry's static imports: ./platform.js (the README's figure, scripts/readme-numbers.mjs, follows them).
  console.log(`what a page on one thread fetches (the entry, platform.js and one wasm build): ${size(['browser/wasm-mlp.js', 'browser/platform.js', 'wasm/simd.js'])}`);
  console.log(`all browser files: JS ${size(browser)}; with both wasm builds ${size([...browser, ...wasm])}`);
}
