/**
 * Runs once before the test files: `npm ci` no longer builds (the package has no install-time
 * script, see package.json `prepack`), so a fresh clone builds dist/ and the wasm here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const needed = ['src/backend/wasm/simd.generated.ts', 'dist/node/index.js', 'dist/node/index.cjs', 'dist/browser/wasm-mlp.js', 'dist/cli/wasm-mlp.js'];
  if (needed.every((f) => existsSync(join(root, f)))) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed before the tests');
}
