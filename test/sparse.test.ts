/**
 * Sparse batches (Backend.sparsify / gemmSparse, the first Dense layer's sparse products) on every
 * backend: the block's exact contents against a reference built here, the non-zero limit, −0,
 * all-zero and dense batches; gemmSparse bit-identical to gemm for NN and TN over densities from
 * 0 to 1, odd sizes, k across several 256-deep blocks, narrow n, accumulate and bias; and a model
 * trained on mostly-zero data with the sparse path (the first layer's input, and a hidden layer's
 * after ReLU and dropout) gives the same weights, bit for bit, as with it switched off. test/threads.test.ts and test/relaxed-build.test.ts run this file on the threaded
 * and relaxed builds too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Layout, sparseBlockBytes, type Backend } from '../src/backend/contract.js';
import { getBackend } from '../src/backend/index.js';
import * as nn from '../src/index.js';
import { backendCases } from './helpers/backends.js';
import { Mem } from './helpers/memory.js';
import { Rng } from './helpers/random.js';

/** A rows×cols matrix with about `density` of its entries non-zero (normal values), the rest 0 or −0. */
function sparseMatrix(rows: number, cols: number, density: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = rng.normals(rows * cols);
  const keep = rng.normals(rows * cols);
  // keep[i] is N(0, 1): |keep| below the density's quantile keeps the entry.
  const cut = quantile(density);
  for (let i = 0; i < x.length; i++) if (!(Math.abs(keep[i]!) < cut)) x[i] = i % 3 === 0 ? -0 : 0;
  return x;
}

/** t with P(|N(0,1)| < t) = p (bisection; p = 1 gives Infinity). */
function quantile(p: number): number {
  if (p >= 1) return Infinity;
  if (p <= 0) return 0;
  let lo = 0, hi = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (erf(mid / Math.SQRT2) < p) lo = mid; else hi = mid;
  }
  return lo;
}
function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26 (1.5e-7): plenty for picking a density.
  const t = 1 / (1 + 0.3275911 * x);
  return 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
}

/** The block the contract describes, as int32 words (values as their float bits). */
function referenceBlock(x: Float32Array, rows: number, cols: number, xOffset: number): Int32Array {
  const entries: [number, number, number][] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (x[r * cols + c] !== 0) entries.push([r, c, x[r * cols + c]!]);
  const nnz = entries.length;
  const words = new Int32Array(sparseBlockBytes(rows, cols, nnz) / 4);
  const asF = new Float32Array(words.buffer);
  words.set([rows, cols, nnz, xOffset]);
  const rowStart = 4, colStart = rowStart + rows + 1, byRow = colStart + cols + 1, byCol = byRow + 2 * nnz;
  for (let r = 0; r <= rows; r++) words[rowStart + r] = entries.filter(([er]) => er < r).length;
  for (let c = 0; c <= cols; c++) words[colStart + c] = entries.filter(([, ec]) => ec < c).length;
  entries.forEach(([, c, v], i) => { words[byRow + 2 * i] = c; asF[byRow + 2 * i + 1] = v; });
  const byColumn = entries.slice().sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  byColumn.forEach(([r, , v], i) => { words[byCol + 2 * i] = r; asF[byCol + 2 * i + 1] = v; });
  return words;
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe.each(backendCases())('$name backend: sparse batches', ({ create }) => {
  let b: Backend;
  let mem: Mem;
  beforeAll(async () => {
    b = await create();
    mem = new Mem(b);
  });
  afterAll(() => b?.dispose());
  const withMem = (fn: () => void) => () => {
    const before = b.arenaBytes();
    try { fn(); } finally { mem.freeAll(); }
    expect(b.arenaBytes()).toBe(before);
  };

  describe('sparsify', () => {
    const cases: [number, number, number][] = [[1, 1, 1], [3, 5, 0.4], [17, 33, 0.1], [5, 130, 0.02], [64, 784, 0.2], [7, 9, 0], [4, 6, 1]];
    for (const [rows, cols, density] of cases) {
      it(`${rows}×${cols} at density ${density}: the block the contract describes`, withMem(() => {
        const X = sparseMatrix(rows, cols, density, rows * 100 + cols);
        const x = mem.put(X);
        const want = referenceBlock(X, rows, cols, x);
        const nnz = want[2]!;
        const out = mem.fill(sparseBlockBytes(rows, cols, rows * cols) / 4);
        expect(b.sparsify(rows, cols, x, rows * cols, out)).toBe(nnz);
        const got = mem.getI32(out, want.length);
        const diff = want.findIndex((w, i) => w !== got[i]);
        expect(diff, `word ${diff} of the block: got ${got[diff]}, want ${want[diff]}`).toBe(-1);
        // Exactly at the limit it still fits; one fewer allowed refuses.
        expect(b.sparsify(rows, cols, x, nnz, out)).toBe(nnz);
        if (nnz > 0) expect(b.sparsify(rows, cols, x, nnz - 1, out)).toBe(-1);
      }));
    }

    it('counts −0 as zero and NaN as a value', withMem(() => {
      const X = Float32Array.from([0, -0, Number.NaN, 2, -0, 0, 0, -3]);
      const x = mem.put(X), out = mem.fill(64);
      expect(b.sparsify(2, 4, x, 8, out)).toBe(3);
      const words = mem.getI32(out, 4 + 3 + 5);
      expect(Array.from(words.subarray(4, 7))).toEqual([0, 2, 3]);
    }));
  });

  describe('gemmSparse is gemm, bit for bit', () => {
    // [rows of x, features, units]; NN: C = x·W (rows×units), TN: C = xᵀ·dZ (features×units).
    const shapes: [number, number, number][] = [
      [64, 784, 256], [1, 784, 256], [3, 300, 37], [2, 17, 33], [33, 130, 65], [5, 600, 5], [17, 40, 12], [7, 13, 9], [300, 70, 40], [9, 2000, 20],
    ];
    const densities = [0, 0.01, 0.2, 0.6, 1];
    for (const [rows, features, units] of shapes) {
      it(`x ${rows}×${features}, ${units} units, densities ${densities.join('/')}, NN and TN, with and without accumulate and bias`, withMem(() => {
        const rng = new Rng(rows * 7 + features * 11 + units);
        const W = rng.normals(features * units), dZ = rng.normals(rows * units), bias = rng.normals(units);
        const C0nn = rng.normals(rows * units), C0tn = rng.normals(features * units);
        const w = mem.put(W), dz = mem.put(dZ), bi = mem.put(bias);
        const block = mem.alloc(sparseBlockBytes(rows, features, rows * features) / 4);
        for (const density of densities) {
          const X = sparseMatrix(rows, features, density, rows + features + Math.round(density * 100));
          const x = mem.put(X);
          expect(b.sparsify(rows, features, x, rows * features, block)).toBeGreaterThanOrEqual(0);
          for (const accumulate of [false, true]) {
            for (const withBias of [false, true]) {
              for (const [layout, m, k, C0, B] of [[Layout.NN, rows, features, C0nn, w], [Layout.TN, features, rows, C0tn, dz]] as const) {
                const dense = mem.put(C0), sparse = mem.put(C0);
                b.gemm(layout, m, units, k, x, B, dense, accumulate, withBias ? bi : 0);
                b.gemmSparse(layout, m, units, k, block, B, sparse, accumulate, withBias ? bi : 0);
                const got = mem.get(sparse, m * units), want = mem.get(dense, m * units);
                const diff = firstDifference(got, want);
                expect(diff, `${layout === Layout.NN ? 'NN' : 'TN'} density ${density} acc=${accumulate} bias=${withBias}: element ${diff} is ${got[diff]}, gemm gives ${want[diff]}`).toBe(-1);
              }
            }
          }
        }
      }));
    }

    it('writes nothing outside C', withMem(() => {
      const [rows, features, units] = [5, 40, 37];
      const X = sparseMatrix(rows, features, 0.2, 3);
      const x = mem.put(X), w = mem.put(new Rng(4).normals(features * units));
      const block = mem.alloc(sparseBlockBytes(rows, features, rows * features) / 4);
      b.sparsify(rows, features, x, rows * features, block);
      const guarded = mem.fill(4 + rows * units + 4, 1234.5);
      b.gemmSparse(Layout.NN, rows, units, features, block, w, guarded + 16, false, 0);
      const all = mem.get(guarded, 8 + rows * units);
      expect(Array.from(all.subarray(0, 4))).toEqual([1234.5, 1234.5, 1234.5, 1234.5]);
      expect(Array.from(all.subarray(4 + rows * units))).toEqual([1234.5, 1234.5, 1234.5, 1234.5]);
    }));
  });
});

describe('sparse first layer in training', () => {
  /** MNIST-like rows: about 80 % exact zeros, the rest in (0, 1]. */
  function digitsLike(n: number, cols: number, seed: number): Float32Array {
    const rng = new Rng(seed);
    const x = new Float32Array(n * cols);
    const u = rng.normals(n * cols);
    for (let i = 0; i < x.length; i++) if (Math.abs(u[i]!) < 0.25) x[i] = Math.min(1, Math.abs(u[i]!) * 4);
    return x;
  }

  async function train(backend: 'js' | 'wasm', sparsePath: boolean, data: { x: Float32Array; y: Float32Array; cols: number; n: number }, batchSize: number) {
    await nn.setBackend(backend, backend === 'wasm' ? { threads: 1 } : {});
    const be = getBackend() as Backend & Record<string, unknown>;
    const model = nn.sequential({ seed: 5 });
    model.add(nn.layers.dense({ units: 37, activation: 'relu', inputShape: [data.cols] }));
    model.add(nn.layers.dropout({ rate: 0.6 }));
    model.add(nn.layers.dense({ units: 120, activation: 'relu' }));
    model.add(nn.layers.dense({ units: 10, activation: 'softmax' }));
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const x = nn.tensor2d(data.x, [data.n, data.cols]), y = nn.tensor2d(data.y, [data.n, 10]);
    const original = be.sparsify;
    if (!sparsePath) be.sparsify = () => -1;
    try {
      const profile = await nn.profile(() => model.fit(x, y, { epochs: 2, batchSize, shuffle: true }));
      const weights = model.getWeights().map((t) => Float32Array.from(t.data));
      const forwardSparse = profile.kernels['gemm NN sparse']?.calls ?? 0;
      return { weights, forwardSparse, sparseCalls: forwardSparse + (profile.kernels['gemm TN sparse']?.calls ?? 0) };
    } finally {
      be.sparsify = original;
      model.dispose();
    }
  }

  for (const backend of ['wasm', 'js'] as const) {
    for (const [n, cols, batch] of [[200, 300, 64], [45, 301, 8], [70, 701, 3]] as const) {
      it(`${backend}: ${n} rows of ${cols} mostly-zero features, batch ${batch}: the same weights with and without the sparse path`, async () => {
        const x = digitsLike(n, cols, n + cols);
        const y = new Float32Array(n * 10);
        for (let r = 0; r < n; r++) y[r * 10 + (r * 7) % 10] = 1;
        // One all-zero row and one dense row among them.
        x.fill(0, 0, cols);
        x.fill(0.5, cols, 2 * cols);
        const data = { x, y, cols, n };
        const withSparse = await train(backend, true, data, batch);
        const without = await train(backend, false, data, batch);
        expect(withSparse.sparseCalls, 'the sparse products ran').toBeGreaterThan(0);
        expect(without.sparseCalls).toBe(0);
        // At batch 64 the hidden layer (input after ReLU and dropout 0.6) runs sparse too.
        if (batch === 64) expect(withSparse.forwardSparse, 'sparse forward products').toBeGreaterThan(2 * Math.ceil(n / batch));
        for (let i = 0; i < without.weights.length; i++) {
          const diff = firstDifference(withSparse.weights[i]!, without.weights[i]!);
          expect(diff, `weights ${i}: first difference at ${diff}`).toBe(-1);
        }
      });
    }
  }

  it('a dense batch takes the dense products (and the model still trains)', async () => {
    await nn.setBackend('wasm', { threads: 1 });
    const n = 64, cols = 300;
    const x = new Rng(9).normals(n * cols);
    const y = new Float32Array(n * 10).map((_, i) => (i % 10 === 3 ? 1 : 0));
    const model = nn.sequential({ seed: 1 });
    model.add(nn.layers.dense({ units: 20, activation: 'tanh', inputShape: [cols] }));
    model.add(nn.layers.dense({ units: 10, activation: 'softmax' }));
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const p = await nn.profile(() => model.fit(nn.tensor2d(x, [n, cols]), nn.tensor2d(y, [n, 10]), { epochs: 3, batchSize: 16 }));
    expect(p.kernels['gemm NN sparse']).toBeUndefined();
    expect(p.kernels['sparsify']!.calls).toBeGreaterThan(0);
    model.dispose();
  });
});
