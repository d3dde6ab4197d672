/**
 * The `wasm` backend: AssemblyScript kernels (assembly/) compiled to SIMD WebAssembly, over one
 * WebAssembly.Memory that this file owns and grows. Every kernel method is a direct call into
 * the module's exports with byte offsets: no allocation and no copies per call.
 *
 * With threads > 1 the memory is shared and a pool of workers (src/backend/threads) runs the
 * same module on it: large gemm calls are split into blocks of rows (or of columns when m ≤ 3),
 * sparse products into ranges of rows, sparsify into three steps over ranges of rows, and large
 * optimizer passes, elementwise kernels (activations, dropout, multiply) and batch gathers into
 * ranges. Every element is computed by the same instruction sequence whichever thread runs it,
 * so results are bit-identical to one thread.
 */
import { Arena, ARENA_MAX_BYTES } from '../arena.js';
import { checkClassIds } from '../class-ids.js';
import { formatBytes } from '../../util/format.js';
import type { Backend, OptimizerParams } from '../contract.js';
import { Layout, Loss } from '../contract.js';
import { controlBytes, K, MAX_ARGS, planThreads, Pool } from '../threads/index.js';
import { hasRelaxedSimd, hasSimd } from './features.js';
import type { Kernels } from './kernels.generated.js';
import { withSharedMemoryImport } from './shared-memory.js';

export type WasmBuild = 'simd' | 'relaxed';
export interface WasmBackendOptions {
  /** Force a build; by default 'relaxed' where the engine validates relaxed SIMD, else 'simd'. */
  build?: WasmBuild;
  /**
   * Threads including the calling one. Default: the number of cores, at most 4, where the
   * platform can share memory with workers (Node; cross-origin isolated browser pages), else 1.
   */
  threads?: number;
  /**
   * Smallest gemm (m·n·k multiply-adds), optimizer step or elementwise pass (elements) split
   * across threads; smaller calls stay on the calling thread, where a split would cost more in
   * hand-off than it saves. Tests set 0 to split everything.
   */
  minParallelWork?: number;
}

/** m·n·k below which gemm stays on one thread (≈ 3 µs of work; the 128→10 layer at batch 64 is above: 1.35× on 2 threads, bench/threads.mjs). */
const MIN_PARALLEL_GEMM = 1 << 16;
/** Parameters below which an optimizer step stays on one thread. */
const MIN_PARALLEL_OPTIMIZER = 1 << 15;
/** Elements below which an elementwise kernel, a batch gather or sparsify stays on one thread (64 KB: a few µs). */
const MIN_PARALLEL_ELEMENTS = 1 << 14;

const PAGE = 65536;
/** A 32-bit memory tops out at 65536 pages = 4 GiB. */
const MAX_PAGES = ARENA_MAX_BYTES / PAGE;
const INITIAL_PAGES = 32;

/** Decode base64 without Buffer, so the same code runs in Node and browsers. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Picks the build to load, or throws when this engine cannot run the wasm backend. */
export function chooseBuild(requested?: WasmBuild): WasmBuild {
  if (!hasSimd()) {
    throw new Error('The wasm backend needs WebAssembly SIMD, which this engine lacks: use the js backend (setBackend("js")).');
  }
  if (requested === 'relaxed' && !hasRelaxedSimd()) {
    throw new Error(
      'The relaxed-SIMD wasm build is not supported by this engine (Node 20 needs --experimental-wasm-relaxed-simd): ' +
        "use build: 'simd' or leave `build` unset to detect it.",
    );
  }
  return requested ?? (hasRelaxedSimd() ? 'relaxed' : 'simd');
}

const modules = new Map<string, Promise<WebAssembly.Module>>();

/** The compiled module of one build (compiled once per process); `shared` = the build importing a shared memory. */
export function compileKernels(build: WasmBuild, shared = false): Promise<WebAssembly.Module> {
  const key = shared ? `${build}-threads` : build;
  let module = modules.get(key);
  if (!module) {
    // Separate dynamic imports so a bundler splits them and a browser fetches only the one it uses.
    // The shared-memory build is the plain one with its memory import rewritten (./shared-memory.ts).
    const source = build === 'relaxed' ? import('./relaxed.generated.js') : import('./simd.generated.js');
    module = source.then((m) => {
      const bytes = decodeBase64(m.default);
      return WebAssembly.compile(shared ? withSharedMemoryImport(bytes) : bytes);
    });
    module.catch(() => modules.delete(key));
    modules.set(key, module);
  }
  return module;
}

/** Instantiate one build of the kernels over `memory` (also used by tests and benchmarks). */
export async function loadKernels(build: WasmBuild, memory: WebAssembly.Memory): Promise<Kernels> {
  const module = await compileKernels(build, isShared(memory));
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
  return instance.exports as unknown as Kernels;
}

const abort = (): never => {
  throw new Error('wasm-mlp kernel aborted');
};

function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
}

/** A shared memory and its maximum in pages, or undefined when the engine refuses one. */
function sharedMemory(): { memory: WebAssembly.Memory; maximum: number } | undefined {
  // 32-bit engines may not reserve 4 GiB up front: retry with a smaller maximum.
  for (const maximum of [MAX_PAGES, 16384, 4096]) {
    try {
      return { memory: new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared: true }), maximum };
    } catch { /* try smaller */ }
  }
  return undefined;
}

/** Create a wasm backend with its own memory. Throws when WebAssembly SIMD is unavailable. */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<Backend> {
  const build = chooseBuild(options.build);
  const plan = await planThreads(options.threads);
  let reason = plan.reason;
  const shared = plan.threads > 1 ? sharedMemory() : undefined;
  if (plan.threads > 1 && !shared) reason = 'threads: this engine cannot create a shared WebAssembly.Memory, so the wasm backend runs on one thread';
  const memory = shared?.memory ?? new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES });
  const maxBytes = (shared?.maximum ?? MAX_PAGES) * PAGE;
  let k = await loadKernels(build, memory);

  // Grow by at least doubling (amortised O(1) per byte); fall back to the exact need near the limit.
  const grow = (minBytes: number): number => {
    const have = memory.buffer.byteLength;
    const want = Math.min(maxBytes, Math.max(minBytes, have * 2));
    try {
      memory.grow(Math.ceil((want - have) / PAGE));
    } catch {
      try {
        memory.grow(Math.ceil((minBytes - have) / PAGE));
      } catch (cause) {
        throw new RangeError(
          `Out of memory: the wasm backend needs ${formatBytes(minBytes, false)} of WebAssembly memory but could not grow ` +
            `beyond ${formatBytes(have, false)}. Use a smaller model or batch size, or dispose() models you no longer need.`,
          { cause },
        );
      }
    }
    return memory.buffer.byteLength;
  };
  const arena = new Arena(k.heapBase(), memory.buffer.byteLength, grow, maxBytes);
  // gemm packs B panels here; reserved once, reused by every call.
  const scratchBytes = k.gemmScratchBytes();
  const scratch = arena.alloc(scratchBytes);

  // Workers: each gets a gemm scratch of its own and a slot of the control block.
  let pool: Pool | undefined;
  const workerScratch: number[] = [];
  let reserved = k.gemmScratchBytes();
  if (isShared(memory) && plan.spawn) {
    const workers = plan.threads - 1;
    const control = arena.alloc(controlBytes(workers));
    reserved += controlBytes(workers);
    new Uint8Array(memory.buffer, control, controlBytes(workers)).fill(0);
    for (let w = 0; w < workers; w++) workerScratch.push(arena.alloc(k.gemmScratchBytes()));
    reserved += workers * k.gemmScratchBytes();
    try {
      pool = await Pool.start(await compileKernels(build, true), memory, control, workers, plan.spawn);
    } catch (e) {
      reason = `threads: ${String((e as Error)?.message ?? e)}; the wasm backend runs on one thread`;
    }
  }
  const threads = pool ? pool.size + 1 : 1;
  const minGemm = options.minParallelWork ?? MIN_PARALLEL_GEMM;
  const minOptimizer = options.minParallelWork ?? MIN_PARALLEL_OPTIMIZER;
  const minElements = options.minParallelWork ?? MIN_PARALLEL_ELEMENTS;
  // A worker job's arguments, filled in place: a training step allocates nothing (no closures or
  // arrays per call; test/alloc-free.test.ts counts heap bytes over many steps).
  const job = new Float64Array(MAX_ARGS);
  /** Parts to split `work` over (at most `most`): 1 without workers or below `min`. */
  const partsFor = (work: number, min: number, most: number): number => (pool && work >= min ? Math.max(1, Math.min(threads, most)) : 1);
  /** After the calling thread's part: waits for the workers of parts 1.. (call in a finally). */
  const join = (parts: number): void => {
    if (parts > 1) pool!.wait(parts - 1);
  };

  /**
   * gemm, split over the pool when it is large enough (a cost decision, made here). How it may
   * be split without changing any result is the kernel's rule (gemmSplitParts/gemmSplitStart in
   * assembly/gemm.ts), asked only for products worth splitting.
   */
  const gemm = (layout: Layout, m: number, n: number, kk: number, a: number, b: number, c: number, accumulate: boolean, bias: number): void => {
    const lda = layout === Layout.TN ? m : kk, ldb = layout === Layout.NT ? kk : n;
    const split = !pool || m * n * kk < minGemm ? 1 : k.gemmSplitParts(m, n, threads);
    const byRows = split > 0;
    const parts = byRows ? split : -split;
    if (parts < 2) {
      k.gemm(layout, m, n, kk, a, lda, b, ldb, c, n, accumulate, bias, scratch);
      return;
    }
    const total = byRows ? m : n;
    for (let t = 1; t < parts; t++) {
      const lo = k.gemmSplitStart(total, parts, t, byRows), size = k.gemmSplitStart(total, parts, t + 1, byRows) - lo;
      job[0] = layout; job[1] = byRows ? size : m; job[2] = byRows ? n : size; job[3] = kk;
      job[4] = byRows ? (layout === Layout.TN ? a + lo * 4 : a + lo * lda * 4) : a; job[5] = lda;
      job[6] = byRows ? b : layout === Layout.NT ? b + lo * ldb * 4 : b + lo * 4; job[7] = ldb;
      job[8] = byRows ? c + lo * n * 4 : c + lo * 4; job[9] = n; job[10] = accumulate ? 1 : 0;
      job[11] = byRows ? bias : offsetAt(bias, lo); job[12] = workerScratch[t - 1]!;
      pool!.call(t - 1, K.gemm, job, 13);
    }
    const size0 = k.gemmSplitStart(total, parts, 1, byRows);
    try {
      if (byRows) k.gemm(layout, size0, n, kk, a, lda, b, ldb, c, n, accumulate, bias, scratch);
      else k.gemm(layout, m, size0, kk, a, lda, b, ldb, c, n, accumulate, bias, scratch);
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
    views();
    const header = sp >>> 2;
    // (The sparse kernels keep a row of n running sums in the gemm scratch.)
    if (layout === Layout.NT || !k.gemmSparseExact(layout, m, n, kk) || n * 4 > scratchBytes) {
      gemm(layout, m, n, kk, ints[header + 3]!, b, c, accumulate, bias);
      return;
    }
    const rows = ints[header]!, cols = ints[header + 1]!, nnz = ints[header + 2]!;
    if (nnz < 0 || (layout === Layout.NN ? rows !== m || cols !== kk : rows !== kk || cols !== m)) {
      throw new Error(`gemmSparse: the sparse block holds ${rows}×${cols} (${nnz} non-zeros), which does not fit a ${layout === Layout.NN ? 'NN' : 'TN'} product of m=${m}, k=${kk}`);
    }
    const parts = pool && nnz * n >= minGemm ? Math.min(threads, m) : 1;
    // Rows of C in ranges of about equal work: their non-zeros plus a row's fixed cost.
    const starts = header + 4 + (layout === Layout.NN ? 0 : rows + 1);
    for (let t = 1; t < parts; t++) {
      job[0] = layout; job[1] = n; job[2] = sp; job[3] = sparseEdge(ints, starts, m, nnz, parts, t); job[4] = sparseEdge(ints, starts, m, nnz, parts, t + 1);
      job[5] = b; job[6] = n; job[7] = c; job[8] = n; job[9] = accumulate ? 1 : 0; job[10] = bias; job[11] = workerScratch[t - 1]!;
      pool!.call(t - 1, K.gemmSparse, job, 12);
    }
    try {
      k.gemmSparse(layout, n, sp, 0, sparseEdge(ints, starts, m, nnz, parts, 1), b, n, c, n, accumulate, bias, scratch);
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
        pool!.call(t - 1, K.optimizerStep, job, 20);
      }
    }
    let bad: number;
    try {
      bad = k.optimizerStep(p.kind, splitEdge(n, parts, 4, 1), wIn, g, sIn, wOut, sOut, slot, p.learningRate, p.momentum, p.rho, p.beta1, p.beta2, p.epsilon, p.weightDecay, p.clipValue,
        p.biasCorrection1, p.biasCorrection2, p.firstMomentWeight, p.gradientWeight);
    } finally {
      join(parts);
    }
    for (let t = 1; t < parts; t++) bad += pool!.result(t - 1);
    return bad;
  };

  // Elementwise kernels in ranges of whole vectors (4 floats), so every element takes the same
  // path (vector or scalar tail) as in one call.
  const activation = (act: number, n: number, x: number, y: number, alpha: number): void => {
    const parts = partsFor(n, minElements, n >> 2);
    for (let t = 1; t < parts; t++) {
      const lo = splitEdge(n, parts, 4, t);
      job[0] = act; job[1] = splitEdge(n, parts, 4, t + 1) - lo; job[2] = offsetAt(x, lo); job[3] = offsetAt(y, lo); job[4] = alpha;
      pool!.call(t - 1, K.activation, job, 5);
    }
    try {
      k.activation(act, splitEdge(n, parts, 4, 1), x, y, alpha);
    } finally {
      join(parts);
    }
  };
  const activationGrad = (act: number, n: number, x: number, y: number, dy: number, dx: number, alpha: number): void => {
    const parts = partsFor(n, minElements, n >> 2);
    for (let t = 1; t < parts; t++) {
      const lo = splitEdge(n, parts, 4, t);
      job[0] = act; job[1] = splitEdge(n, parts, 4, t + 1) - lo; job[2] = offsetAt(x, lo); job[3] = offsetAt(y, lo); job[4] = offsetAt(dy, lo); job[5] = offsetAt(dx, lo); job[6] = alpha;
      pool!.call(t - 1, K.activationGrad, job, 7);
    }
    try {
      k.activationGrad(act, splitEdge(n, parts, 4, 1), x, y, dy, dx, alpha);
    } finally {
      join(parts);
    }
  };
  const multiply = (n: number, a: number, b: number, out: number): void => {
    const parts = partsFor(n, minElements, n >> 2);
    for (let t = 1; t < parts; t++) {
      const lo = splitEdge(n, parts, 4, t);
      job[0] = splitEdge(n, parts, 4, t + 1) - lo; job[1] = offsetAt(a, lo); job[2] = offsetAt(b, lo); job[3] = offsetAt(out, lo);
      pool!.call(t - 1, K.multiply, job, 4);
    }
    try {
      k.multiply(splitEdge(n, parts, 4, 1), a, b, out);
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
      pool!.call(t - 1, K.dropout, job, 7);
    }
    try {
      k.dropout(splitEdge(n, parts, 4, 1), x, y, mask, rate, seed, 0);
    } finally {
      join(parts);
    }
  };
  const gatherRows = (rows: number, cols: number, src: number, idx: number, dst: number): void => {
    const parts = partsFor(rows * cols, minElements, rows);
    for (let t = 1; t < parts; t++) {
      const lo = splitEdge(rows, parts, 1, t);
      job[0] = splitEdge(rows, parts, 1, t + 1) - lo; job[1] = cols; job[2] = src; job[3] = idx + lo * 4; job[4] = dst + lo * cols * 4;
      pool!.call(t - 1, K.gatherRows, job, 5);
    }
    try {
      k.gatherRows(splitEdge(rows, parts, 1, 1), cols, src, idx, dst);
    } finally {
      join(parts);
    }
  };

  const anyNonFinite = (n: number, x: number): boolean => {
    const parts = partsFor(n, minElements, n >> 2);
    for (let t = 1; t < parts; t++) {
      const lo = splitEdge(n, parts, 4, t);
      job[0] = splitEdge(n, parts, 4, t + 1) - lo; job[1] = offsetAt(x, lo);
      pool!.call(t - 1, K.anyNonFinite, job, 2);
    }
    let bad: number;
    try {
      bad = k.anyNonFinite(splitEdge(n, parts, 4, 1), x);
    } finally {
      join(parts);
    }
    for (let t = 1; t < parts; t++) bad += pool!.result(t - 1);
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
    if (parts < 2) return k.sparsify(rows, cols, x, maxNonZeros, out);
    views();
    for (let t = 1; t < parts; t++) {
      job[0] = rows; job[1] = cols; job[2] = x; job[3] = maxNonZeros; job[4] = out; job[5] = t; job[6] = parts;
      job[7] = splitEdge(rows, parts, 1, t); job[8] = splitEdge(rows, parts, 1, t + 1); job[9] = workerScratch[t - 1]!;
      pool!.call(t - 1, K.sparsifyPart, job, 10);
    }
    let count0: number;
    try {
      count0 = k.sparsifyPart(rows, cols, x, maxNonZeros, out, 0, parts, 0, splitEdge(rows, parts, 1, 1), scratch);
    } finally {
      join(parts);
    }
    const info = (scratch + table) >>> 2;
    let overflow = false;
    for (let t = 0; t < parts; t++) {
      const count = t === 0 ? count0 : pool!.result(t - 1);
      ints[info + t * 3] = splitEdge(rows, parts, 1, t);
      ints[info + t * 3 + 1] = count;
      ints[info + t * 3 + 2] = t === 0 ? scratch : workerScratch[t - 1]!;
      // Part 0's staging place holds maxNonZeros pairs, the others' less: only theirs can overflow short of the limit.
      if (count < 0 && t > 0 && parts > 2) overflow = true;
    }
    const nnz = k.sparsifyJoin(rows, cols, x, maxNonZeros, out, parts, scratch + table);
    if (nnz < 0) return overflow ? k.sparsify(rows, cols, x, maxNonZeros, out) : -1;
    for (let t = 1; t < parts; t++) {
      job[0] = out; job[1] = splitEdge(rows, parts, 1, t); job[2] = splitEdge(rows, parts, 1, t + 1); job[3] = workerScratch[t - 1]!;
      pool!.call(t - 1, K.sparsifyScatter, job, 4);
    }
    try {
      k.sparsifyScatter(out, 0, splitEdge(rows, parts, 1, 1), scratch);
    } finally {
      join(parts);
    }
    return nnz;
  };

  let f = new Float32Array(memory.buffer);
  let ints = new Int32Array(memory.buffer);
  let disposed = false;
  const views = (): void => {
    if (disposed) throw new Error('This wasm backend was disposed: create a new one with createBackend("wasm")');
    if (f.buffer !== memory.buffer) {
      f = new Float32Array(memory.buffer);
      ints = new Int32Array(memory.buffer);
    }
  };

  // The kernel returns NaN on a bad class id; find it and say which row (as the js backend does).
  const loss = (kind: number, rows: number, cols: number, pred: number, target: number, grad: number, weights = 0): number => {
    const value = k.loss(kind, rows, cols, pred, target, grad, weights);
    if (value !== value && (kind === Loss.sparseCategoricalCrossentropy || kind === Loss.sparseCategoricalCrossentropyFusedSoftmax)) {
      views();
      checkClassIds(f, rows, cols, target >>> 2);
    }
    return value;
  };

  const backend: Backend = {
    name: 'wasm',
    simd: true,
    relaxedSimd: build === 'relaxed',
    threads,
    ...(reason ? { reason } : {}),

    alloc: (bytes) => { views(); return arena.alloc(bytes); },
    free: (offset) => arena.free(offset),
    f32: () => { views(); return f; },
    i32: () => { views(); return ints; },
    arenaBytes: () => arena.bytesInUse - reserved,

    gemm,
    sparsify,
    gemmSparse,
    columnSums: (rows, cols, x, out, accumulate) => k.columnSums(rows, cols, x, out, accumulate),
    activation,
    activationGrad,
    softmax: (rows, cols, x, y) => k.softmax(rows, cols, x, y),
    softmaxGrad: (rows, cols, y, dy, dx) => k.softmaxGrad(rows, cols, y, dy, dx),
    prelu: (rows, cols, x, alpha, y) => k.prelu(rows, cols, x, alpha, y),
    preluGrad: (rows, cols, x, alpha, dy, dx, dalpha) => k.preluGrad(rows, cols, x, alpha, dy, dx, dalpha),
    loss,
    dropout,
    multiply,
    gaussianNoise: (n, x, y, stddev, seed) => k.gaussianNoise(n, x, y, stddev, seed),
    moments: (axis, rows, cols, x, mean, variance) => k.moments(axis, rows, cols, x, mean, variance),
    normalize: (axis, rows, cols, x, mean, variance, epsilon, gamma, beta, y) => k.normalize(axis, rows, cols, x, mean, variance, epsilon, gamma, beta, y),
    normalizeGrad: (axis, rows, cols, x, mean, variance, epsilon, gamma, dy, dx, dgamma, dbeta) =>
      k.normalizeGrad(axis, rows, cols, x, mean, variance, epsilon, gamma, dy, dx, dgamma, dbeta),
    movingAverage: (n, value, moving, momentum) => k.movingAverage(n, value, moving, momentum),
    regularize: (n, w, g, l1, l2) => k.regularize(n, w, g, l1, l2),
    optimizerStep,
    gatherRows,
    copy: (n, src, dst) => k.copy(n, src, dst),
    fill: (n, x, value) => k.fill(n, x, value),
    scale: (n, x, alpha) => k.scale(n, x, alpha),
    sumSquares: (n, x) => k.sumSquares(n, x),
    anyNonFinite,
    accuracyCount: (kind, rows, cols, pred, target) => k.accuracyCount(kind, rows, cols, pred, target),
    argmaxRows: (rows, cols, x, out) => k.argmaxRows(rows, cols, x, out),
    thresholdCounts: (n, pred, target, buckets, counts) => k.thresholdCounts(n, pred, target, buckets, counts),

    dispose: () => {
      pool?.close();
      pool = undefined;
      disposed = true;
      k = disposedKernels;
      f = new Float32Array(0);
      ints = new Int32Array(0);
    },
  };
  // A backend dropped without dispose() (e.g. replaced by setBackend) stops its workers when collected.
  if (pool) poolFinalizer?.register(backend, pool);
  return backend;
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

const poolFinalizer = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Pool>((pool) => pool.close()) : undefined;

/** Stands in for the exports after dispose(), so a stale call fails loudly instead of scribbling. */
const disposedKernels = new Proxy({} as Kernels, {
  get: () => () => {
    throw new Error('This wasm backend was disposed: create a new one with createBackend("wasm")');
  },
});
