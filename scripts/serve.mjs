// `npm run playground`: serve web/ (the pages) and dist/ (the built library) on localhost with
// COOP/COEP headers, so pages are cross-origin isolated (SharedArrayBuffer, precise timers).
// node:http only. Builds the library first if dist/ is missing.
//   node scripts/serve.mjs [--port 8080] [--host 127.0.0.1] [--no-build]
// --port 0 picks a free port; the first line printed is the URL.
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { existsSync, createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const port = Number(arg('port', process.env.PORT ?? 8080));
const host = arg('host', '127.0.0.1');

if (!process.argv.includes('--no-build') && !existsSync(join(root, 'dist/browser/wasm-mlp.js'))) {
  console.error('dist/browser/wasm-mlp.js is missing: building it (npm run build:ts)…');
  const r = spawnSync(process.execPath, [join(root, 'scripts/build-ts.mjs')], { stdio: 'inherit' });
  if (!existsSync(join(root, 'dist/browser/wasm-mlp.js'))) process.exit(r.status || 1);
}

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.bin': 'application/octet-stream',
};
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * URL prefixes served from outside web/: the built library, h5wasm (the one package import of
 * the .keras code, mapped by the import map in web/index.html since these pages are not bundled),
 * and TensorFlow.js (its dist/ bundles and wasm binaries, which the bench page loads on demand to
 * compare against).
 */
const MOUNTS = [
  ['/dist/', join(root, 'dist')],
  ['/vendor/h5wasm/', join(root, 'node_modules/h5wasm/dist/esm')],
  ...['tfjs-core', 'tfjs-layers', 'tfjs-backend-wasm', 'tfjs-backend-webgl'].map((p) => [`/vendor/${p}/`, join(root, `node_modules/@tensorflow/${p}/dist`)]),
];

/** Map a URL path to a file under web/ or a mount, refusing anything that escapes them. */
function resolve(pathname) {
  let rel = decodeURIComponent(pathname);
  const mount = MOUNTS.find(([prefix]) => rel.startsWith(prefix));
  const base = mount ? mount[1] : join(root, 'web');
  if (mount) rel = rel.slice(mount[0].length - 1);
  const file = normalize(join(base, rel));
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  if (existsSync(file) && statSync(file).isDirectory()) return join(file, 'index.html');
  return file;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  let file;
  try {
    file = resolve(url.pathname);
  } catch {
    file = undefined;
  }
  // A directory without a trailing slash: redirect so relative links in its index.html work.
  if (file && file.endsWith(`${sep}index.html`) && !url.pathname.endsWith('/') && !url.pathname.endsWith('.html')) {
    res.writeHead(301, { Location: `${url.pathname}/${url.search}`, ...isolation });
    return res.end();
  }
  if (!file || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...isolation });
    return res.end(`404 not found: ${url.pathname}\n`);
  }
  res.writeHead(200, {
    'Content-Type': types[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': 'no-cache',
    ...isolation,
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
});

server.listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`wasm-mlp pages: http://${host === '0.0.0.0' ? 'localhost' : host}:${actual}/`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
