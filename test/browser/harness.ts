/**
 * Shared set-up of the browser tests: build the bundle when it is missing or older than src/,
 * start scripts/serve.mjs on a free port, launch headless Chromium (playwright-core).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const screenshots = join(root, 'test/screenshots');
const bundle = join(root, 'dist/browser/wasm-mlp.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build dist/ once across parallel test files (a lock directory serialises the builders). */
export async function ensureBuilt(): Promise<void> {
  const fresh = () => existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource(join(root, 'src'));
  if (fresh()) return;
  const lock = join(root, 'node_modules/.wasm-mlp-build-lock');
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 120_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (!fresh()) spawnSync(process.execPath, [join(root, 'scripts/build-ts.mjs')], { stdio: 'inherit' });
    if (!existsSync(bundle)) throw new Error('the build did not produce dist/browser/wasm-mlp.js');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface Harness {
  url: string;
  browser: Browser;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Start the server (port 0 = free port) and the browser. */
export async function start(): Promise<Harness> {
  await ensureBuilt();
  mkdirSync(screenshots, { recursive: true });
  const server: ChildProcess = spawn(process.execPath, [join(root, 'scripts/serve.mjs'), '--port', '0', '--no-build'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/\S+\//.exec(out);
      if (m) resolve(m[0]);
    });
    server.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}`)));
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    url,
    browser,
    async newPage() {
      const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
      page.on('pageerror', (e) => console.error('[page error]', e.message));
      page.on('console', (m) => { if (m.type() === 'error') console.error('[console]', m.text()); });
      return page;
    },
    async close() {
      await browser.close();
      server.kill();
    },
  };
}
