// Bundles the library with esbuild: dist/node/index.js (ESM for Node >= 20) and
// dist/browser/wasm-mlp.js (minified ESM for browsers; each wasm build is its own lazily
// imported chunk, so a page downloads only the build it runs). Type declarations come from tsc.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const d of ['node', 'browser', 'types']) rmSync(`${root}dist/${d}`, { recursive: true, force: true });

const common = { entryPoints: [`${root}src/index.ts`], bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning' };
await build({ ...common, platform: 'node', outfile: `${root}dist/node/index.js`, sourcemap: true });
await build({
  ...common,
  platform: 'browser',
  outdir: `${root}dist/browser`,
  entryNames: 'wasm-mlp',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  minify: true,
  external: ['node:*'],
  plugins: [{
    // nn.data's CSV parser: csv-parse's browser build in place of its Node one (which needs 'stream').
    name: 'browser-csv-parser',
    setup(b) {
      b.onResolve({ filter: /\/parser-node\.js$/ }, () => ({ path: `${root}src/data/parser-browser.ts` }));
    },
  }],
});

const tsc = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.json`], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

if (process.argv.includes('--sizes')) {
  let raw = 0;
  let gz = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.js')) {
        const b = readFileSync(p);
        raw += b.length;
        gz += gzipSync(b, { level: 9 }).length;
      }
    }
  };
  walk(`${root}dist/browser`);
  console.log(`browser bundle (all chunks): ${(raw / 1024).toFixed(1)} KiB min, ${(gz / 1024).toFixed(1)} KiB gzip`);
}
