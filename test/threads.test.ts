/**
 * The threaded wasm backend: the conformance and gradient suites on 'wasm-threads' (every gemm
 * and optimizer step split, in a child process with WASM_MLP_THREADS=2), bit-identical training
 * against one thread, memory growth while workers run, errors from a worker, and no hang on
 * dispose or process exit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Layout, sparseBlockBytes, type Backend } from '../src/backend/contract.js';
import { K, planThreads, Pool } from '../src/backend/threads/index.js';
import { nodeThreads } from '../src/backend/threads/spawn-node.js';
import { compileKernels, createWasmBackend } from '../src/backend/wasm/index.js';
import * as nn from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitestBin = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 8) / 2 ** 23 - 1;
  }
  return out;
}

function put(be: Backend, data: Float32Array): number {
  const off = be.alloc(data.length * 4);
  be.f32().set(data, off >>> 2);
  return off;
}

describe('threaded wasm backend', () => {
  it('passes the conformance, gradient and sparse suites as wasm-threads (every gemm and optimizer step split)', () => {
    const child = spawnSync(
      process.execPath,
      [vitestBin, 'run', 'test/conformance.test.ts', 'test/gradcheck.test.ts', 'test/sparse.test.ts', '--reporter=verbose', '--silent'],
      { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, WASM_MLP_THREADS: '2', NO_COLOR: '1', FORCE_COLOR: '0' } },
    );
    const output = `${child.stdout}\n${child.stderr}`;
    const failures = output.split('\n').filter((line) => /FAIL|Error:|✗|×/.test(line)).slice(0, 20).join('\n');
    expect(child.status, `child vitest failed:\n${failures || output.slice(-4000)}`).toBe(0);
    expect(output).toMatch(/wasm-threads' backend/);
  });

  it('gemm on 2 threads is bit-identical to 1 thread for every layout and split (rows, columns, narrow, bias, accumulate)', async () => {
    const one = await createWasmBackend({ threads: 1 });
    const two = await createWasmBackend({ threads: 2, minParallelWork: 0 });
    expect(two.threads).toBe(2);
    try {
      const shapes: [number, number, number][] = [[64, 256, 784], [9, 33, 300], [1, 300, 77], [3, 97, 64], [256, 10, 128], [130, 10, 64], [784, 256, 1], [15, 7, 513]];
      for (const layout of [Layout.NN, Layout.TN, Layout.NT]) {
        for (const [m, n, k] of shapes) {
          const A = rand(m * k, m + k), B = rand(k * n, n * 3 + k), C0 = rand(m * n, 7), bias = rand(n, 9);
          const results = [one, two].map((be) => {
            const a = put(be, A), b = put(be, B), c = put(be, C0), bi = put(be, bias);
            be.gemm(layout, m, n, k, a, b, c, true, bi);
            const out = be.f32().slice(c >>> 2, (c >>> 2) + m * n);
            for (const p of [a, b, c, bi]) be.free(p);
            return out;
          });
          const [r1, r2] = results as [Float32Array, Float32Array];
          const diff = r1.findIndex((v, i) => !Object.is(v, r2[i]));
          expect(diff, `layout ${layout} ${m}×${n}×${k}: first difference at ${diff}`).toBe(-1);
        }
      }
    } finally {
      one.dispose();
      two.dispose();
    }
  });

  it('gemmSparse on 2 threads is bit-identical to 1 thread (NN and TN, balanced row ranges)', async () => {
    const one = await createWasmBackend({ threads: 1 });
    const two = await createWasmBackend({ threads: 2, minParallelWork: 0 });
    expect(two.threads).toBe(2);
    try {
      for (const [rows, cols, n] of [[64, 784, 256], [5, 33, 40], [300, 100, 17], [2, 2000, 256]] as const) {
        // About 20 % non-zeros, clustered in the middle columns (as MNIST's pixels are).
        const X = rand(rows * cols, rows + cols).map((v, i) => (Math.abs((i % cols) / cols - 0.5) < 0.3 && Math.abs(v) < 0.3 ? v : 0));
        const W = rand(cols * n, 5), dZ = rand(rows * n, 6), bias = rand(n, 7);
        const results = [one, two].map((be) => {
          const x = put(be, X), w = put(be, W), dz = put(be, dZ), bi = put(be, bias);
          const block = be.alloc(sparseBlockBytes(rows, cols, rows * cols));
          expect(be.sparsify(rows, cols, x, rows * cols, block)).toBeGreaterThan(0);
          const fwd = be.alloc(rows * n * 4), grad = be.alloc(cols * n * 4);
          be.gemmSparse(Layout.NN, rows, n, cols, block, w, fwd, false, bi);
          be.gemmSparse(Layout.TN, cols, n, rows, block, dz, grad, false, 0);
          const out = [be.f32().slice(fwd >>> 2, (fwd >>> 2) + rows * n), be.f32().slice(grad >>> 2, (grad >>> 2) + cols * n)];
          for (const p of [x, w, dz, bi, block, fwd, grad]) be.free(p);
          return out;
        });
        for (const i of [0, 1]) {
          const diff = results[0]![i]!.findIndex((v, j) => !Object.is(v, results[1]![i]![j]));
          expect(diff, `${i ? 'TN' : 'NN'} ${rows}×${cols}→${n}: first difference at ${diff}`).toBe(-1);
        }
      }
    } finally {
      one.dispose();
      two.dispose();
    }
  });

  it('sparsify on 2 and 3 threads writes the same block, byte for byte, as one thread (odd sizes, densities 0..1, limits at and just below the non-zeros)', async () => {
    const bes = [await createWasmBackend({ threads: 1 }), await createWasmBackend({ threads: 2, minParallelWork: 0 }), await createWasmBackend({ threads: 3, minParallelWork: 0 })];
    expect(bes.map((be) => be.threads)).toEqual([1, 2, 3]);
    try {
      for (const [rows, cols] of [[64, 784], [2, 3], [3, 5], [7, 33], [257, 100], [5, 2001]] as const) {
        for (const density of [0, 0.01, 0.2, 0.5, 0.97, 1]) {
          // Non-zeros more often in the first rows, so the parts' counts differ; −0 and NaN as the contract says.
          const X = rand(rows * cols, rows * 7 + cols).map((v, i) => {
            const keep = Math.abs(v) < density * (1.5 - Math.floor(i / cols) / rows);
            return keep ? (i % 97 === 0 ? Number.NaN : v || 1) : i % 5 === 0 ? -0 : 0;
          });
          const nnz = X.reduce((s, v) => s + (v !== 0 ? 1 : 0), 0);
          for (const max of [rows * cols, Math.ceil(rows * cols * 0.4), nnz, nnz - 1]) {
            if (max < 0) continue;
            const blocks = bes.map((be) => {
              const x = put(be, X);
              const bytes = sparseBlockBytes(rows, cols, max);
              const block = be.alloc(bytes);
              new Uint8Array(be.f32().buffer, block, bytes).fill(0xa5);
              const got = be.sparsify(rows, cols, x, max, block);
              const out = { got, bytes: got < 0 ? new Uint8Array(0) : new Uint8Array(be.f32().buffer).slice(block, block + sparseBlockBytes(rows, cols, got)) };
              if (got >= 0) {
                // The header names the dense batch, at its own offset in each backend's memory.
                expect(be.i32()[(block >>> 2) + 3]).toBe(x);
                out.bytes.fill(0, 12, 16);
              }
              be.free(block);
              be.free(x);
              return out;
            });
            const what = `${rows}×${cols} density ${density}, limit ${max} (${nnz} non-zeros)`;
            expect(blocks[0]!.got, what).toBe(nnz <= max ? nnz : -1);
            for (const b of blocks.slice(1)) {
              expect(b.got, what).toBe(blocks[0]!.got);
              const diff = b.bytes.findIndex((v, i) => v !== blocks[0]!.bytes[i]);
              expect(diff, `${what}: first differing byte`).toBe(-1);
            }
          }
        }
      }
    } finally {
      for (const be of bes) be.dispose();
    }
  });

  it('dropout, activations, multiply and gatherRows on 2 and 3 threads are bit-identical to one thread (odd lengths)', async () => {
    const bes = [await createWasmBackend({ threads: 1 }), await createWasmBackend({ threads: 2, minParallelWork: 0 }), await createWasmBackend({ threads: 3, minParallelWork: 0 })];
    try {
      for (const n of [1, 3, 4, 7, 13, 64 * 256, 64 * 256 + 5, 1001]) {
        const X = rand(n, n), DY = rand(n, n + 1);
        const results = bes.map((be) => {
          const x = put(be, X), dy = put(be, DY), y = be.alloc(n * 4), mask = be.alloc(n * 4), dx = be.alloc(n * 4);
          const read = (off: number) => be.f32().slice(off >>> 2, (off >>> 2) + n);
          const out: Float32Array[] = [];
          be.dropout(n, x, y, mask, 0.37, 0x9e3779b9);
          out.push(read(y), read(mask));
          for (const act of [1, 2, 3, 4, 6, 9, 10]) {
            be.activation(act, n, x, y, 0.3);
            out.push(read(y));
            be.activationGrad(act, n, x, y, dy, dx, 0.3);
            out.push(read(dx));
          }
          be.multiply(n, x, dy, dx);
          out.push(read(dx));
          for (const p of [x, dy, y, mask, dx]) be.free(p);
          return out;
        });
        for (const r of results.slice(1)) {
          for (let i = 0; i < r.length; i++) {
            const diff = r[i]!.findIndex((v, j) => !Object.is(v, results[0]![i]![j]));
            expect(diff, `n = ${n}, output ${i}: first difference`).toBe(-1);
          }
        }
      }
      for (const [rows, cols] of [[1, 5], [3, 7], [64, 784], [257, 13]] as const) {
        const src = rand(300 * cols, cols), idx = Int32Array.from({ length: rows }, (_, i) => (i * 131) % 300);
        const results = bes.map((be) => {
          const s = put(be, src), ix = be.alloc(rows * 4), d = be.alloc(rows * cols * 4);
          be.i32().set(idx, ix >>> 2);
          be.gatherRows(rows, cols, s, ix, d);
          const out = be.f32().slice(d >>> 2, (d >>> 2) + rows * cols);
          for (const p of [s, ix, d]) be.free(p);
          return out;
        });
        for (const r of results.slice(1)) expect(r.findIndex((v, j) => !Object.is(v, results[0]![j])), `gatherRows ${rows}×${cols}`).toBe(-1);
      }
    } finally {
      for (const be of bes) be.dispose();
    }
  });

  it('training on sparse (digit-like) rows gives bit-identical weights on 1 and 2 threads', async () => {
    const train = async (threads: number) => {
      await nn.setBackend('wasm', { threads, minParallelWork: 0 });
      expect(nn.backendInfo().threads).toBe(threads);
      const n = 192;
      const x = nn.tensor2d(rand(n * 784, 11).map((v) => (Math.abs(v) < 0.2 ? Math.abs(v) * 5 : 0)), [n, 784]);
      const y = nn.tensor2d(new Float32Array(n * 10).map((_, i) => (i % 10 === (Math.floor(i / 10) * 3) % 10 ? 1 : 0)), [n, 10]);
      const model = nn.sequential({ seed: 4 });
      model.add(nn.layers.dense({ units: 96, activation: 'relu', inputShape: [784] }));
      model.add(nn.layers.dropout({ rate: 0.5 }));
      model.add(nn.layers.dense({ units: 10, activation: 'softmax' }));
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      const p = await nn.profile(() => model.fit(x, y, { epochs: 2, batchSize: 64, shuffle: true }));
      expect(p.kernels['gemm NN sparse']?.calls, 'the sparse products ran').toBeGreaterThan(0);
      const weights = model.getWeights().map((w) => Float32Array.from(w.data));
      model.dispose();
      return weights;
    };
    const a = await train(1);
    const b = await train(2);
    for (let i = 0; i < a.length; i++) {
      const diff = a[i]!.findIndex((v, j) => !Object.is(v, b[i]![j]));
      expect(diff, `weights ${i}: first difference at ${diff}`).toBe(-1);
    }
  });

  it('training an MLP gives bit-identical weights on 1 and 2 threads', async () => {
    const train = async (threads: number) => {
      await nn.setBackend('wasm', { threads });
      expect(nn.backendInfo().threads).toBe(threads);
      const n = 256;
      const x = nn.tensor2d(rand(n * 784, 1).map(Math.abs), [n, 784]);
      const y = nn.tensor2d(new Float32Array(n * 10).map((_, i) => (i % 10 === (Math.floor(i / 10) * 7) % 10 ? 1 : 0)), [n, 10]);
      const model = nn.sequential({ seed: 3 });
      model.add(nn.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }));
      model.add(nn.layers.dropout({ rate: 0.2 }));
      model.add(nn.layers.dense({ units: 64, activation: 'relu' }));
      model.add(nn.layers.dense({ units: 10, activation: 'softmax' }));
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      const history = await model.fit(x, y, { epochs: 2, batchSize: 64, shuffle: true });
      const weights = model.getWeights().map((w) => Float32Array.from(w.data));
      model.dispose();
      return { loss: history.history.loss, weights };
    };
    const a = await train(1);
    const b = await train(2);
    expect(b.loss).toEqual(a.loss);
    for (let i = 0; i < a.weights.length; i++) {
      const diff = a.weights[i]!.findIndex((v, j) => !Object.is(v, b.weights[i]![j]));
      expect(diff, `weights ${i}: first difference at ${diff}`).toBe(-1);
    }
  });

  it('keeps working when the shared memory grows', async () => {
    const be = await createWasmBackend({ threads: 2, minParallelWork: 0 });
    try {
      const big = be.alloc(96 << 20); // grows the memory well past its initial size
      const [m, n, k] = [64, 40, 50];
      const A = rand(m * k, 1), B = rand(k * n, 2);
      const a = put(be, A), b = put(be, B), c = be.alloc(m * n * 4);
      expect(a).toBeGreaterThan(big);
      be.gemm(Layout.NN, m, n, k, a, b, c, false, 0);
      const got = be.f32().slice(c >>> 2, (c >>> 2) + m * n);
      for (const [i, j] of [[0, 0], [63, 39], [40, 17]] as const) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[i * k + p]! * B[p * n + j]!;
        expect(got[i * n + j]).toBeCloseTo(s, 4);
      }
    } finally {
      be.dispose();
    }
  });

  it('an error in a worker surfaces as an Error in the caller, and the pool keeps working', async () => {
    const { spawn } = await nodeThreads();
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true });
    const pool = await Pool.start(await compileKernels('simd', true), memory, 1024, 1, spawn);
    try {
      pool.throwOn(0);
      expect(() => pool.wait(1)).toThrow(/worker 1 failed: test failure requested/);
      // A trap (an out-of-bounds address) is an error too.
      pool.call(0, K.gemm, [Layout.NN, 8, 8, 8, 0x7fff0000, 8, 4096, 8, 8192, 8, 0, 0, 16384], 13);
      expect(() => pool.wait(1)).toThrow(/worker 1 failed: .*out of bounds/i);
      // Still alive: a small gemm of ones gives k in every element.
      const f = new Float32Array(memory.buffer);
      f.fill(1, 4096 >>> 2, (4096 >>> 2) + 64 * 2);
      pool.call(0, K.gemm, [Layout.NN, 8, 8, 8, 4096, 8, 4096 + 256, 8, 8192, 8, 0, 0, 16384], 13);
      pool.wait(1);
      expect(Array.from(f.subarray(8192 >>> 2, (8192 >>> 2) + 64))).toEqual(new Array(64).fill(8));
    } finally {
      pool.close();
    }
  });

  it('a worker that fails to start rejects Pool.start (the backend then runs on one thread with a reason) and is terminated', async () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    let terminated = 0;
    const spawn = () => ({
      post: () => {},
      firstMessage: () => Promise.resolve({ error: 'no wasm here' }),
      terminate: () => { terminated++; },
    });
    await expect(Pool.start(await compileKernels('simd', true), memory, 1024, 2, spawn)).rejects.toThrow(/could not start: no wasm here/);
    expect(terminated).toBe(2);
  });

  it('a kernel that traps on the threaded backend throws and leaves the backend usable', async () => {
    const be = await createWasmBackend({ threads: 2, minParallelWork: 0 });
    try {
      expect(() => be.gemm(Layout.NN, 64, 64, 64, 0x7ff00000, 0x7ff00000, 0x7ff00000, false, 0)).toThrow();
      const a = put(be, new Float32Array(64 * 64).fill(1)), c = be.alloc(64 * 64 * 4);
      be.gemm(Layout.NN, 64, 64, 64, a, a, c, false, 0);
      expect(be.f32()[(c >>> 2) + 64 * 64 - 1]).toBe(64);
    } finally {
      be.dispose();
    }
  });

  it('creating and disposing many threaded backends neither hangs nor leaks workers', async () => {
    for (let i = 0; i < 12; i++) {
      const be = await createWasmBackend({ threads: 2, minParallelWork: 0 });
      const a = put(be, rand(32 * 32, i)), c = be.alloc(32 * 32 * 4);
      be.gemm(Layout.NN, 32, 32, 32, a, a, c, false, 0);
      be.dispose();
      expect(() => be.gemm(Layout.NN, 32, 32, 32, a, a, c, false, 0)).toThrow(/disposed/);
    }
  });

  it('a process with live, undisposed workers exits promptly', async () => {
    const { build } = await import('esbuild');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wasm-mlp-threads-'));
    const entry = path.join(dir, 'wasm.mjs');
    try {
      // The wasm backend with the Node platform registered, as the Node entry has it (src/index-node.ts).
      const contents = "import { registerNode } from './src/platform-node.ts'; registerNode(); export * from './src/backend/wasm/index.ts';";
      await build({ stdin: { contents, resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'ts' }, bundle: true, format: 'esm', platform: 'node', outfile: entry, logLevel: 'error' });
      const script = `
        const { createWasmBackend } = await import(${JSON.stringify(pathToFileURL(entry).href)});
        const be = await createWasmBackend({ threads: 2, minParallelWork: 0 });
        const a = be.alloc(4096 * 4), c = be.alloc(4096 * 4);
        be.gemm(0, 64, 64, 64, a, a, c, false, 0);
        console.log('threads', be.threads);
      `;
      const t0 = Date.now();
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
      expect(child.stdout, child.stderr).toMatch(/threads 2/);
      expect(child.status).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a browser page that is not cross-origin isolated gets one thread and the reason', async () => {
    const g = globalThis as Record<string, unknown>;
    const saved = { document: g.document, Worker: g.Worker, crossOriginIsolated: g.crossOriginIsolated };
    Object.assign(g, { document: {}, Worker: function Worker() {}, crossOriginIsolated: false });
    try {
      const plan = await planThreads(4);
      expect(plan.threads).toBe(1);
      expect(plan.reason).toMatch(/not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*require-corp/);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete g[key];
        else g[key] = value;
      }
    }
    await expect(planThreads(0)).rejects.toThrow(/threads must be an integer/);
    expect((await planThreads(1)).threads).toBe(1);
  });
});
