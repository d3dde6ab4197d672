/**
 * The consumer suite's set-up: pack the package once (`npm pack`, as a user gets it), install the
 * tarball into a fresh app directory outside the repository, serve built apps over HTTP (with or
 * without COOP/COEP) and open them in headless Chromium.
 *
 * The bundlers (Vite, webpack, esbuild, Rollup) and runtimes (Bun, Deno) are devDependencies of
 * this repository, so `npm ci` caches them; they run against the fresh app directory, which only
 * holds the app's sources and the installed tarball.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const appsDir = join(root, 'test/consumers/apps');
export const screenshots = join(root, 'test/screenshots');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function run(cmd: string, args: string[], cwd: string): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

export interface Packed {
  /** The fresh app directory: package.json + node_modules/wasm-mlp from the tarball. */
  dir: string;
  tarball: string;
  /** What `npm pack --json` reported (size, files). */
  pack: { size: number; unpackedSize: number; entryCount: number; files: { path: string; size: number }[] };
  /** npm's output while installing the tarball. */
  installLog: string;
}

/**
 * Builds when dist/ is missing or older than src/ (the repository's own build, as `prepack`
 * would run it), packs once and installs the tarball into a new directory under the OS temp dir.
 */
export function packAndInstall(): Packed {
  const built = ['dist/node/index.js', 'dist/browser/wasm-mlp.js', 'dist/browser/platform.js', 'dist/cli/wasm-mlp.js', 'dist/types/index.d.ts'];
  const stale = built.some((f) => !existsSync(join(root, f)) || statSync(join(root, f)).mtimeMs < newest(join(root, 'src')));
  if (stale) run('npm', ['run', 'build'], root);
  const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-consumer-'));
  // --ignore-scripts: prepack (the build) has just been made sure of; the files are the same.
  const pack = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root).stdout)[0];
  const tarball = join(dir, pack.filename);
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, type: 'module' }, null, 2));
  const r = run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], app);
  return { dir: app, tarball, pack, installLog: r.stdout + r.stderr };
}

/** Copy an app from test/consumers/apps into `<consumer>/<name>`: index.html + src/*. */
export function copyApp(consumer: string, app: 'xor' | 'worker', name: string): string {
  const dir = join(consumer, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  for (const f of readdirSync(join(appsDir, app))) {
    cpSync(join(appsDir, app, f), f === 'index.html' ? join(dir, f) : join(dir, 'src', f));
  }
  return dir;
}

/** The page a non-Vite build serves: the app's markup with the bundle's script tag. */
export function writeBuiltHtml(outDir: string, app: 'xor' | 'worker', script: string): void {
  const html = readFileSync(join(appsDir, app, 'index.html'), 'utf8').replace(/<script[^>]*><\/script>/, script);
  writeFileSync(join(outDir, 'index.html'), html);
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** A static server for a built app on 127.0.0.1, optionally cross-origin isolated. */
export async function serveStatic(dir: string, isolated: boolean): Promise<{ url: string; served: string[]; close(): Promise<void> }> {
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dir, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers: Record<string, string> = { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' };
    if (isolated) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    served.push(file);
    res.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, served, close: () => new Promise((r) => server.close(() => r())) };
}

export const isolationHeaders = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export interface AppResult {
  error?: string;
  info?: { name: string; simd: boolean; relaxedSimd: boolean; threads: number; crossOriginIsolated?: boolean };
  predictions?: number[];
  reloaded?: number[];
  fileError?: string;
  backend?: string;
  epochs?: number;
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  /** Page errors and console errors seen while the app ran. */
  problems: string[];
}

/** Open `url`, wait for the app to publish `window.__result`, save a screenshot. */
export async function runApp(browser: Browser, url: string, shot: string): Promise<AppResult> {
  const page = await browser.newPage({ viewport: { width: 900, height: 520 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => (window as { __result?: unknown }).__result, undefined, { timeout: 90_000 });
    const r = await page.evaluate(() => ({
      ...(window as unknown as { __result: object }).__result,
      hardwareConcurrency: navigator.hardwareConcurrency,
      crossOriginIsolated: self.crossOriginIsolated,
    }));
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, `${shot}.png`) });
    return { ...(r as Omit<AppResult, 'problems'>), problems };
  } catch (e) {
    throw new Error(`${url}: ${(e as Error).message}\n${problems.join('\n')}`);
  } finally {
    await page.close();
  }
}

/** Served files that carry a wasm build (a base64 literal of the deflated module, ~23 KB; nothing else in the package comes near). */
export function wasmFiles(files: string[]): string[] {
  return [...new Set(files)].filter((f) => f.endsWith('.js') && /["'`][A-Za-z0-9+/]{16000,}={0,2}["'`]/.test(readFileSync(f, 'utf8')));
}

/** XOR learned: 0 → low, 1 → high, with margin. */
export function learnedXor(p: number[] | undefined): boolean {
  return !!p && p.length === 4 && p[0]! < 0.2 && p[1]! > 0.8 && p[2]! > 0.8 && p[3]! < 0.2;
}
