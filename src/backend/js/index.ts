/**
 * The `js` backend: every kernel in plain TypeScript over one growable ArrayBuffer — the
 * specification the contract (../contract.ts) names; the wasm backend agrees with it up to float rounding.
 *
 * Kernels in the sibling files take a Float32Array and ELEMENT indices; this file turns the
 * contract's byte offsets into element indices (offset / 4) and owns the memory.
 */
import { Arena, ARENA_MAX_BYTES } from '../arena.js';
import type { Backend } from '../contract.js';
import { formatBytes } from '../../util/format.js';
import { activation, activationGrad, prelu, preluGrad } from './activations.js';
import { dropout, gaussianNoise } from './dropout.js';
import { anyNonFinite, columnSums, copy, fill, gatherRows, multiply, regularize, scale, sumSquares } from './elementwise.js';
import { gemm } from './gemm.js';
import { loss } from './losses.js';
import { accuracyCount, argmaxRows, thresholdCounts } from './metrics.js';
import { moments, movingAverage, normalize, normalizeGrad } from './normalization.js';
import { optimizerStep } from './optimizers.js';
import { softmax, softmaxGrad } from './softmax.js';
import { gemmSparse, sparsify } from './sparse.js';

/** Bytes below this offset are never handed out, so offset 0 can mean "no buffer". */
const ARENA_BASE = 64;
const INITIAL_BYTES = 1 << 20;

/** Create a JS backend with its own arena; `reason` says why it stands in for wasm, when it does. */
export function createJsBackend(options: { reason?: string } = {}): Backend {
  let buffer = new ArrayBuffer(INITIAL_BYTES);
  let f = new Float32Array(buffer);
  let ints = new Int32Array(buffer);
  let disposed = false;

  // Grow by copying into a bigger buffer (at least doubling, so n allocations copy O(n) bytes).
  const grow = (minBytes: number): number => {
    const target = Math.min(ARENA_MAX_BYTES, Math.max(minBytes, buffer.byteLength * 2));
    let next: ArrayBuffer;
    try {
      next = new ArrayBuffer(target);
    } catch (cause) {
      throw new RangeError(
        `Out of memory: the js backend could not grow its arena to ${formatBytes(target, false)}. ` +
          `Use a smaller model or batch size, or dispose() models you no longer need.`,
        { cause },
      );
    }
    new Uint8Array(next).set(new Uint8Array(buffer));
    buffer = next;
    f = new Float32Array(buffer);
    ints = new Int32Array(buffer);
    return target;
  };
  const arena = new Arena(ARENA_BASE, INITIAL_BYTES, grow, ARENA_MAX_BYTES);

  const live = (): Float32Array => {
    if (disposed) throw new Error('This js backend was disposed: create a new one with createBackend("js")');
    return f;
  };

  return {
    name: 'js',
    simd: false,
    relaxedSimd: false,
    threads: 1,
    ...(options.reason ? { reason: options.reason } : {}),

    alloc: (bytes) => { live(); return arena.alloc(bytes); },
    free: (offset) => arena.free(offset),
    f32: () => live(),
    i32: () => { live(); return ints; },
    arenaBytes: () => arena.bytesInUse,

    gemm: (layout, m, n, k, a, b, c, accumulate, bias) =>
      gemm(live(), layout, m, n, k, a >>> 2, b >>> 2, c >>> 2, accumulate, bias >>> 2),
    sparsify: (rows, cols, x, maxNonZeros, out) => sparsify(live(), ints, rows, cols, x >>> 2, maxNonZeros, out >>> 2),
    gemmSparse: (layout, m, n, k, sp, b, c, accumulate, bias) =>
      gemmSparse(live(), ints, layout, m, n, k, sp >>> 2, b >>> 2, c >>> 2, accumulate, bias >>> 2),
    columnSums: (rows, cols, x, out, accumulate) => columnSums(live(), rows, cols, x >>> 2, out >>> 2, accumulate),
    activation: (act, n, x, y, alpha) => activation(live(), act, n, x >>> 2, y >>> 2, alpha),
    activationGrad: (act, n, x, y, dy, dx, alpha) =>
      activationGrad(live(), act, n, x >>> 2, y >>> 2, dy >>> 2, dx >>> 2, alpha),
    softmax: (rows, cols, x, y) => softmax(live(), rows, cols, x >>> 2, y >>> 2),
    softmaxGrad: (rows, cols, y, dy, dx) => softmaxGrad(live(), rows, cols, y >>> 2, dy >>> 2, dx >>> 2),
    prelu: (rows, cols, x, alpha, y) => prelu(live(), rows, cols, x >>> 2, alpha >>> 2, y >>> 2),
    preluGrad: (rows, cols, x, alpha, dy, dx, dalpha) =>
      preluGrad(live(), rows, cols, x >>> 2, alpha >>> 2, dy >>> 2, dx >>> 2, dalpha >>> 2),
    loss: (kind, rows, cols, pred, target, grad, weights = 0) => loss(live(), kind, rows, cols, pred >>> 2, target >>> 2, grad >>> 2, weights >>> 2),
    dropout: (n, x, y, mask, rate, seed) => dropout(live(), n, x >>> 2, y >>> 2, mask >>> 2, rate, seed),
    multiply: (n, a, b, out) => multiply(live(), n, a >>> 2, b >>> 2, out >>> 2),
    gaussianNoise: (n, x, y, stddev, seed) => gaussianNoise(live(), n, x >>> 2, y >>> 2, stddev, seed),
    moments: (axis, rows, cols, x, mean, variance) => moments(live(), axis, rows, cols, x >>> 2, mean >>> 2, variance >>> 2),
    normalize: (axis, rows, cols, x, mean, variance, epsilon, gamma, beta, y) =>
      normalize(live(), axis, rows, cols, x >>> 2, mean >>> 2, variance >>> 2, epsilon, gamma >>> 2, beta >>> 2, y >>> 2),
    normalizeGrad: (axis, rows, cols, x, mean, variance, epsilon, gamma, dy, dx, dgamma, dbeta) =>
      normalizeGrad(live(), axis, rows, cols, x >>> 2, mean >>> 2, variance >>> 2, epsilon, gamma >>> 2, dy >>> 2, dx >>> 2, dgamma >>> 2, dbeta >>> 2),
    movingAverage: (n, value, moving, momentum) => movingAverage(live(), n, value >>> 2, moving >>> 2, momentum),
    regularize: (n, w, g, l1, l2) => regularize(live(), n, w >>> 2, g >>> 2, l1, l2),
    optimizerStep: (n, wIn, g, sIn, wOut, sOut, p) => optimizerStep(live(), n, wIn >>> 2, g >>> 2, sIn >>> 2, wOut >>> 2, sOut >>> 2, p),
    gatherRows: (rows, cols, src, idx, dst) => gatherRows(live(), ints, rows, cols, src >>> 2, idx >>> 2, dst >>> 2),
    copy: (n, src, dst) => copy(live(), n, src >>> 2, dst >>> 2),
    fill: (n, x, value) => fill(live(), n, x >>> 2, value),
    scale: (n, x, alpha) => scale(live(), n, x >>> 2, alpha),
    sumSquares: (n, x) => sumSquares(live(), n, x >>> 2),
    anyNonFinite: (n, x) => anyNonFinite(live(), n, x >>> 2),
    accuracyCount: (kind, rows, cols, pred, target) => accuracyCount(live(), kind, rows, cols, pred >>> 2, target >>> 2),
    argmaxRows: (rows, cols, x, out) => argmaxRows(live(), ints, rows, cols, x >>> 2, out >>> 2),
    thresholdCounts: (n, pred, target, buckets, counts) => thresholdCounts(live(), ints, n, pred >>> 2, target >>> 2, buckets, counts >>> 2),

    dispose: () => {
      disposed = true;
      buffer = new ArrayBuffer(0);
      f = new Float32Array(0);
      ints = new Int32Array(0);
    },
  };
}
