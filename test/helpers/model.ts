/**
 * Shared pieces of the model-level suites: which backends to run on, weight snapshots and
 * comparisons, and seeded data.
 *
 * Backends: 'js' always; 'wasm' as soon as src/backend/wasm/index.ts exists (checked when the test
 * file is imported). From then on `nn.setBackend('wasm')` failing fails the suite — it runs in a
 * beforeAll, so every test of the wasm block reports the load error instead of being skipped.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll } from 'vitest';
import * as nn from '../../src/index.js';
import { Rng } from './random.js';

export const wasmPresent = existsSync(fileURLToPath(new URL('../../src/backend/wasm/index.ts', import.meta.url)));
export const modelBackends: ('js' | 'wasm')[] = wasmPresent ? ['js', 'wasm'] : ['js'];

/** Inside a describe block: make `name` the backend for models built by its tests. */
export function useBackend(name: 'js' | 'wasm'): void {
  beforeAll(async () => {
    await nn.setBackend(name);
    const info = nn.backendInfo();
    if (info.name !== name) throw new Error(`setBackend('${name}') left backend '${info.name}' active`);
  });
}

/** Copies of every weight array of a model, in getWeights order. */
export function snapshot(model: nn.Sequential): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.data));
}

/** Bit-exact comparison of two weight snapshots, naming the first difference. */
export function expectSameWeights(got: Float32Array[], want: Float32Array[], what: string): void {
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} weight arrays, expected ${want.length}`);
  for (let t = 0; t < want.length; t++) {
    const g = got[t]!, w = want[t]!;
    if (g.length !== w.length) throw new Error(`${what}: weight ${t} has ${g.length} values, expected ${w.length}`);
    for (let i = 0; i < w.length; i++) {
      if (!Object.is(g[i], w[i])) throw new Error(`${what}: weight ${t}[${i}] is ${g[i]}, expected ${w[i]} (bit-exact)`);
    }
  }
}

export function allFinite(ws: Float32Array[]): boolean {
  return ws.every((w) => w.every((v) => Number.isFinite(v)));
}

/** A [rows, cols] Tensor2D of seeded normal values with standard deviation sd. */
export function randomTensor(rng: Rng, rows: number, cols: number, sd = 1): nn.Tensor2D {
  return nn.tensor2d(rng.normals(rows * cols, sd), [rows, cols]);
}

/** One-hot rows for class ids. */
export function oneHot(ids: number[], classes: number): nn.Tensor2D {
  const data = new Float32Array(ids.length * classes);
  ids.forEach((c, r) => (data[r * classes + c] = 1));
  return nn.tensor2d(data, [ids.length, classes]);
}

/** Keras-style binary accuracy of sigmoid outputs against 0/1 labels. */
export function binaryAccuracy(pred: nn.Tensor2D, y: nn.Tensor2D): number {
  let ok = 0;
  for (let i = 0; i < y.data.length; i++) if ((pred.data[i]! > 0.5 ? 1 : 0) === y.data[i]) ok++;
  return ok / y.data.length;
}

export { Rng };
