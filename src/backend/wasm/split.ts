/**
 * The wasm backend's kernels that run split over its pool of workers (src/backend/threads):
 * whether a call is worth splitting (a cost decision: below a work threshold it stays on the
 * calling thread) and into which ranges. Every element is computed by the same instruction
 * sequence whichever thread runs it, so results are bit-identical to one thread: gemm by the
 * kernel's own rule (gemmSplitParts/gemmSplitStart), the rest in ranges of rows or of whole
 * vectors. The calling thread runs part 0 while the workers run the others.
 */
import type { OptimizerParams } from '../contract.js';
import { Layout } from '../contract.js';
import { K, MAX_ARGS, type Pool } from '../threads/index.js';
import type { Kernels } from './kernels.generated.js';

/** m·n·k below which gemm stays on one thread (≈ 3 µs of work; the 128→10 layer at batch 64 is above: 1.35× on 2 threads, bench/threads.mjs). */
export const MIN_PARALLEL_GEMM = 1 << 16;
/** Parameters below which an optimizer step stays on one thread. */
export const MIN_PARALLEL_OPTIMIZER = 1 << 15;
/** Elements below which an elementwise kernel, a batch gather or sparsify stays on one thread (64 KB: a few µs). */
export const MIN_PARALLEL_ELEMENTS = 1 << 14;

/** What the split kernels need from their backend; `k` and `pool` change when it is disposed. */
export interface SplitState {
  k: Kernels;
  pool: Pool | undefined;
  /** Threads including the calling one. */
  threads: number;
  /** The calling thread's gemm scratch and its size; each worker's (the same size). */
  scratch: number;
  scratchBytes: number;
  workerScratch: readonly number[];
  minGemm: number;
  minOptimizer: number;
  minElements: number;
  /** The memory's current Int32Array view (throws once the backend is disposed). */
  ints(): Int32Array;
}

/** The kernel methods of the Backend that may run on several threads. */
export function splitKernels(s: SplitState) {
  const { threads, scratch, scratchBytes, workerScratch, minGemm, minOptimizer, minElements } = s;
  // A worker job's arguments, filled in place: a training step allocates nothing (no closures or
  // arrays per call; test/alloc-free.test.ts counts heap bytes over many steps).
  const job = new Float64Array(MAX_ARGS);
  /** Parts to split `work` over (at most `most`): 1 without workers or below `min`. */
  const partsFor = (work: number, min: number, most: number): number => (s.pool && work >= min ? Math.max(1, Math.min(threads, most)) : 1);
  /** After the calling thread's part: waits for the workers of parts 1.. (call in a finally). */
  const join = (parts: number): void => {
    if (parts > 1) s.pool!.wait(parts - 1);
  };

  /**
   * gemm, split over the pool when it is large enough (a cost decision, made here). How it may
   * be split without changing any result is the kernel's rule (gemmSplitParts/gemmSplitStart in
   * assembly/gemm.ts), asked only for products worth splitting.
   */
  const gemm = (layout: Layout, m: number, n: number, kk: number, a: number, b: number, c: number, accumulate: boolean, bias: number): void => {
    const lda = layout === Layout.TN ? m : kk, ldb = layout === Layout.NT ? kk : n;
    const split = !s.pool || m * n * kk < minGemm ? 1 : s.k.gemmSplitParts(m, n, threads);
    const byRows = split > 0;
    const parts = byRows ? split : -split;
    if (parts < 2) {
      s.k.gemm(layout, m, n, kk, a, lda, b, ldb, c, n, accumulate, bias, scratch);
      return;
    }
    const total = byRows ? m : n;
    for (let t = 1; t < parts; t++) {
      const lo = s.k.gemmSplitStart(total, parts, t, byRows), size = s.k.gemmSplitStart(total, parts, t + 1, byRows) - lo;
      job[0] = layout; job[1] = byRows ? size : m; job[2] = byRows ? n : size; job[3] = kk;
      job[4] = byRows ? (layout === Layout.TN ? a + lo * 4 : a + lo * lda * 4) : a; job[5] = lda;
      job[6] = byRows ? b : layout === Layout.NT ? b + lo * ldb * 4 : b + lo * 4; job[7] = ldb;
      job[8] = byRows ? c + lo * n * 4 : c + lo * 4; job[9] = n; job[10] = accumulate ? 1 : 0;
      job[11] = byRows ? bias : offsetAt(bias, lo); job[12] = workerScratch[t - 1]!;
      s.pool!.call(t - 1, K.gemm, job, 13);
    }
    const size0 = s.k.gemmSplitStart(total, parts, 1, byRows);
    try {
      if (byRows) s.k.gemm(layout, size0, n, kk, a, lda, b, ldb, c, n, accumulate, bias, scratch);
      else s.k.gemm(layout, m, size0, kk, a, lda, b, ldb, c, n, accumulate, bias, scratch);
    } finally {
      join(parts);
    }
  };

  /**
   * gemmSparse: the sparse kernels where they give gemm's exact result (gemmSparseExact), split
   * into ranges of C's rows over the pool when large enough (any split is exact: each row of C
   * is computed alone); otherwise gemm on the dense batch the block names.
   */
  const gemmSparse = (layout: Layout, m: number, n: number, kk: number, sp: number, b: number, c: number, accumulate: boolean, bias: number): void => {
    const ints = s.ints();
    const header = sp >>> 2;
    // (The sparse kernels keep a row of n running sums in the gemm scratch.)
    if (layout === Layout.NT || !s.k.gemmSparseExact(layout, m, n, kk) || n * 4 > scratchBytes) {
      gemm(layout, m, n, kk, ints[header + 3]!, b, c, accumulate, bias);
      return;
    }
    const rows = ints[header]!, cols = ints[header + 1]!, nnz = ints[header + 2]!;
    if (nnz < 0 || (layout === Layout.NN ? rows !== m || cols !== kk : rows !== kk || cols !== m)) {
      throw new Error(`gemmSparse: the sparse block holds ${rows}×${cols} (${nnz} non-zeros), which does not fit a ${layout === Layout.NN ? 'NN' : 'TN'} product of m=${m}, k=${kk}`);
    }
    const parts = s.pool && nnz * n >= minGemm ? Math.min(threads, m) : 1;
    // Rows of C in ranges of about equal work: their non-zeros plus a row's fixed cost.
    const starts = header + 4 + (layout === Layout.NN ? 0 : rows + 1);
    for (let t = 1; t < parts; t++) {
      job[0] = layout; job[1] = n; job[2] = sp; job[3] = sparseEdge(ints, starts, m, nnz, parts, t); job[4] = sparseEdge(ints, starts, m, nnz, parts, t + 1);
      job[5] = b; job[6] = n; job[7] = c; job[8] = n; job[9] = accumulate ? 1 : 0; job[10] = bias; job[11] = workerScratch[t - 1]!;
      s.pool!.call(t - 1, K.gemmSparse, job, 12);
    }
    try {
      s.k.gemmSparse(layout, n, sp, 0, sparseEdge(ints, starts, m, nnz, parts, 1), b, n, c, n, accumulate, bias, scratch);
    } finally {
      join(parts);
    }
  };

  /**
   * optimizerStep, split into ranges over the pool when large enough. Each range keeps the whole
   * buffer's slot distance (slotFloats·4 bytes); the finiteness flags of the ranges are summed.
   */
  const optimizerStep = (n: number, wIn: number, g: number, sIn: number, wOut: number, sOut: number, p: OptimizerParams, slotFloats = n): number => {
    const parts = partsFor(n, minOptimizer, n >> 2);
    const slot = slotFloats * 4;
    if (parts > 1) {
      // The named hyperparameters in the kernel's argument order (optimizerParamNames).
      job[0] = p.kind; job[7] = slot;
      job[8] = p.learningRate; job[9] = p.momentum; job[10] = p.rho; job[11] = p.beta1; job[12] = p.beta2; job[13] = p.epsilon;
      job[14] = p.weightDecay; job[15] = p.clipValue; job[16] = p.biasCorrection1; job[17] = p.biasCorrection2; job[18] = p.firstMomentWeight; job[19] = p.gradientWeight;
      for (let t = 1; t < parts; t++) {
        const lo = splitEdge(n, parts, 4, t);
        job[1] = splitEdge(n, parts, 4, t + 1) - lo;
        job[2] = offsetAt(wIn, lo); job[3] = offsetAt(g, lo); job[4] = offsetAt(sIn, lo); job[5] = offsetAt(wOut, lo); job[6] = offsetAt(sOut, lo);
        s.pool!.call(t - 1, K.optimizerStep, job, 20);
      }
    }
    let bad: number;
    try {
      bad = s.k.optimizerStep(p.kind, splitEdge(n, parts, 4, 1), wIn, g, sIn, wOut, sOut, slot, p.learningRate, p.momentum, p.rho, p.beta1, p.beta2, p.epsilon, p.weightDecay, p.clipValue,
        p.biasCorrection1, p.biasCorrection2, p.firstMomentWeight, p.gradientWeight);
    } finally {
      join(parts);
    }
    for (let t = 1; t < parts; t++) bad += s.pool!.result(t - 1);
    return bad;
  };

  // Elementwise kernels in ranges of whole vectors (4 floats), so every element takes the same
  // path (vector or scalar tail) as in one call.
  const activation = (act: number, n: number, x: number, y: number, alpha: number): void => {
    const parts = partsFor(n, minElements, n >> 2);
    for (let t = 1; t < parts; t++) {
      const lo = splitEdge(n, parts, 4, t);
      job[0] = act; job[1] = splitEdge(n, parts, 4, t + 1) - lo; job[2] = offsetAt(x, lo); job[3] = offsetAt(y, lo); job[4] = alpha;
      s.pool!.call(t - 1, K.activation, job, 5);
    }
    try {
      s.k.activation(act, splitEdge(n, parts, 4, 1), x, y, alpha);
    } finally {
      join(parts);
    }
  };
  const activationGrad = (act: number, n: number, x: number, y: number, dy: number, dx: number, alpha: number): void => {
    const parts = partsFor(n, minElements, n >> 2);
    for (let t = 1; t < parts; t++) {
      const lo = splitEdge(n, parts, 4, t);
      job[0] = act; job[1] = splitEdge(n, parts, 4, t + 1) - lo; job[2] = offsetAt(x, lo); job[3] = offsetAt(y, lo); job[4] = offsetAt(dy, lo); job[5] = offsetAt(dx, lo); job[6] = alpha;
      s.pool!.call(t - 1, K.activationGrad, job, 7);
    }
    try {
      s.k.activationGrad(act, splitEdge(n, parts, 4, 1), x, y, dy, dx, alpha);
    } finally {
      join(parts);
    }
  };
  const multiply = (n: number, a: number, b: number, out: number): void => {
    const parts = partsFor(n, minElements, n >> 2);
    for (let t = 1; t < parts; t++) {
      const lo = splitEdge(n, parts, 4, t);
      job[0] = splitEdge(n, parts, 4, t + 1) - lo; job[1] = offsetAt(a, lo); job[2] = offsetAt(b, lo); job[3] = offsetAt(out, lo);
      s.pool!.call(t - 1, K.multiply, job, 4);
    }
    try {
      s.k.multiply(splitEdge(n, parts, 4, 1), a, b, out);
    } finally {
      join(parts);
    }
  };
  // Each range passes its first element's number: the mask hashes (seed, element number).
  const dropout = (n: number, x: number, y: number, mask: number, rate: number, seed: number): void => {
    const parts = partsFor(n, minElements, n >> 2);
    for (let t = 1; t < parts; t++) {
      const lo = splitEdge(n, parts, 4, t);
      job[0] = splitEdge(n, parts, 4, t + 1) - lo; job[1] = offsetAt(x, lo); job[2] = offsetAt(y, lo); job[3] = offsetAt(mask, lo); job[4] = rate; job[5] = seed; job[6] = lo;
      s.pool!.call(t - 1, K.dropout, job, 7);
    }
    try {
      s.k.dropout(splitEdge(n, parts, 4, 1), x, y, mask, rate, seed, 0);
    } finally {
      join(parts);
    }
  };
  const gatherRows = (rows: number, cols: number, src: number, idx: number, dst: number): void => {
    const parts = partsFor(rows * cols, minElements, rows);
    for (let t = 1; t < parts; t++) {
      const lo = splitEdge(rows, parts, 1, t);
      job[0] = splitEdge(rows, parts, 1, t + 1) - lo; job[1] = cols; job[2] = src; job[3] = idx + lo * 4; job[4] = dst + lo * cols * 4;
      s.pool!.call(t - 1, K.gatherRows, job, 5);
    }
    try {
      s.k.gatherRows(splitEdge(rows, parts, 1, 1), cols, src, idx, dst);
    } finally {
      join(parts);
    }
  };

  const anyNonFinite = (n: number, x: number): boolean => {
    const parts = partsFor(n, minElements, n >> 2);
    for (let t = 1; t < parts; t++) {
      const lo = splitEdge(n, parts, 4, t);
      job[0] = splitEdge(n, parts, 4, t + 1) - lo; job[1] = offsetAt(x, lo);
      s.pool!.call(t - 1, K.anyNonFinite, job, 2);
    }
    let bad: number;
    try {
      bad = s.k.anyNonFinite(splitEdge(n, parts, 4, 1), x);
    } finally {
      join(parts);
    }
    for (let t = 1; t < parts; t++) bad += s.pool!.result(t - 1);
    return bad !== 0;
  };

  /**
   * sparsify on threads: each part scans a range of rows and counts its columns
   * (sparsifyPart), one thread joins them (sparsifyJoin), each part scatters its rows into the
   * by-column list (sparsifyScatter) — the block one sparsify call writes, byte for byte. A part
   * keeps its column counts in its gemm scratch; the calling thread's is followed by the parts' table.
   */
  const sparsify = (rows: number, cols: number, x: number, maxNonZeros: number, out: number): number => {
    const table = align16(cols * 4);
    const parts = table + threads * 12 <= scratchBytes ? partsFor(rows * cols, minElements, rows) : 1;
    if (parts < 2) return s.k.sparsify(rows, cols, x, maxNonZeros, out);
    const ints = s.ints();
    for (let t = 1; t < parts; t++) {
      job[0] = rows; job[1] = cols; job[2] = x; job[3] = maxNonZeros; job[4] = out; job[5] = t; job[6] = parts;
      job[7] = splitEdge(rows, parts, 1, t); job[8] = splitEdge(rows, parts, 1, t + 1); job[9] = workerScratch[t - 1]!;
      s.pool!.call(t - 1, K.sparsifyPart, job, 10);
    }
    let count0: number;
    try {
      count0 = s.k.sparsifyPart(rows, cols, x, maxNonZeros, out, 0, parts, 0, splitEdge(rows, parts, 1, 1), scratch);
    } finally {
      join(parts);
    }
    const info = (scratch + table) >>> 2;
    let overflow = false;
    for (let t = 0; t < parts; t++) {
      const count = t === 0 ? count0 : s.pool!.result(t - 1);
      ints[info + t * 3] = splitEdge(rows, parts, 1, t);
      ints[info + t * 3 + 1] = count;
      ints[info + t * 3 + 2] = t === 0 ? scratch : workerScratch[t - 1]!;
      // Part 0's staging place holds maxNonZeros pairs, the others' less: only theirs can overflow short of the limit.
      if (count < 0 && t > 0 && parts > 2) overflow = true;
    }
    const nnz = s.k.sparsifyJoin(rows, cols, x, maxNonZeros, out, parts, scratch + table);
    if (nnz < 0) return overflow ? s.k.sparsify(rows, cols, x, maxNonZeros, out) : -1;
    for (let t = 1; t < parts; t++) {
      job[0] = out; job[1] = splitEdge(rows, parts, 1, t); job[2] = splitEdge(rows, parts, 1, t + 1); job[3] = workerScratch[t - 1]!;
      s.pool!.call(t - 1, K.sparsifyScatter, job, 4);
    }
    try {
      s.k.sparsifyScatter(out, 0, splitEdge(rows, parts, 1, 1), scratch);
    } finally {
      join(parts);
    }
    return nnz;
  };

  return { gemm, gemmSparse, optimizerStep, sparsify, activation, activationGrad, multiply, dropout, gatherRows, anyNonFinite };
}

/** Where part t of `parts` starts when splitting `total` optimizer elements into chunks of whole `unit`s (part `parts` ends at total). */
function splitEdge(total: number, parts: number, unit: number, t: number): number {
  return t === parts ? total : Math.floor((total * t) / parts / unit) * unit;
}

/** Fixed cost of one row of C in gemmSparse, in non-zeros' worth of work (its stores, the KC blocks). */
const SPARSE_ROW_COST = 4;

/**
 * Where part t of `parts` starts when splitting the m rows of a gemmSparse product so each part
 * gets about the same work; starts[i] (int32 index `starts` + i of `ints`) is row i's first entry.
 */
function sparseEdge(ints: Int32Array, starts: number, m: number, nnz: number, parts: number, t: number): number {
  if (t >= parts) return m;
  const target = ((nnz + m * SPARSE_ROW_COST) * t) / parts;
  let lo = 0, hi = m;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ints[starts + mid]! + mid * SPARSE_ROW_COST < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}

/** The byte offset of element i of the buffer at `base`, or 0 (no buffer) when base is 0. */
function offsetAt(base: number, i: number): number {
  return base ? base + i * 4 : 0;
}
