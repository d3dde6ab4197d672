/**
 * Runs once before the test files: `npm ci` does not build (the package has no install-time
 * script, see package.json `prepack`), so a fresh clone builds dist/ and the wasm here.
 */
// @ts-ignore — a plain .mjs script shared with `npm start` (prestart), no declaration file
import { ensureBuild } from '../scripts/ensure-build.mjs';

export default function setup(): void {
  ensureBuild();
}
