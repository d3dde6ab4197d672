// Builds dist/ and the generated wasm modules when they are missing. The package has no
// install-time script (consumers of the tarball get prebuilt files; see package.json `prepack`),
// so a fresh clone builds here: before `npm start` (prestart) and before the tests (global setup).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const NEEDED = ['src/backend/wasm/simd.generated.ts', 'dist/node/index.js', 'dist/browser/wasm-mlp.js', 'dist/cli/wasm-mlp.js'];

/** Run `npm run build` unless every built file is there; throws when the build fails. */
export function ensureBuild() {
  if (NEEDED.every((f) => existsSync(join(root, f)))) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensureBuild();
