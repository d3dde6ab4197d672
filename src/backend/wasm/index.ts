/**
 * The `wasm` backend: AssemblyScript kernels (assembly/) compiled to SIMD WebAssembly, over one
 * WebAssembly.Memory that this file owns and grows. Every kernel method is a direct call into
 * the module's exports with byte offsets: no allocation and no copies per call.
 *
 * With threads > 1 the memory is shared and a pool of workers (src/backend/threads) runs the
 * same module on it: large gemm calls are split into blocks of rows (or of columns when m ≤ 3)
 * and large optimizer passes into ranges. Every element is computed by the same instruction
 * sequence whichever thread runs it, so results are bit-identical to one thread.
 */
import { Arena, ARENA_MAX_BYTES } from '../arena.js';
import { checkClassIds } from '../class-ids.js';
import { formatBytes } from '../../util/format.js';
import type { Backend, OptimizerParams } from '../contract.js';
import { Layout, Loss } from '../contract.js';
import { controlBytes, planThreads, Pool } from '../threads/index.js';
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
   * Smallest gemm (m·n·k multiply-adds) split across threads; smaller calls stay on the calling
   * thread, where a split would cost more in hand-off than it saves. Tests set 0 to split everything.
   */
  minParallelWork?: number;
}

/** m·n·k below which gemm stays on one thread (≈ 3 µs of work; the 128→10 layer at batch 64 is above: 1.35× on 2 threads, bench/threads.mjs). */
const MIN_PARALLEL_GEMM = 1 << 16;
/** Parameters below which an optimizer step stays on one thread. */
const MIN_PARALLEL_OPTIMIZER = 1 << 15;

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

/**
 * The bytes of one build. The generated modules hold them deflate-compressed (zlib format) as
 * base64 (scripts/build-wasm.mjs); the global DecompressionStream inflates them — Node ≥ 18, Deno,
 * Bun and every browser with WebAssembly SIMD have it.
 */
export async function wasmBytes(build: WasmBuild): Promise<Uint8Array<ArrayBuffer>> {
  // Separate dynamic imports so a bundler splits them and a browser fetches only the one it uses.
  const { default: deflated } = build === 'relaxed' ? await import('./relaxed.generated.js') : await import('./simd.generated.js');
  if (typeof DecompressionStream !== 'function') {
    throw new Error('The wasm backend needs DecompressionStream (to inflate its embedded module), which this engine lacks: use the js backend (setBackend("js")).');
  }
  const inflated = new Blob([decodeBase64(deflated)]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(inflated).arrayBuffer());
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
    // The shared-memory build is the plain one with its memory import rewritten (./shared-memory.ts).
    module = wasmBytes(build).then((bytes) => WebAssembly.compile(shared ? withSharedMemoryImport(bytes) : bytes));
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
      if (byRows) {
        pool!.gemm(t - 1, layout, size, n, kk, layout === Layout.TN ? a + lo * 4 : a + lo * lda * 4, lda, b, ldb, c + lo * n * 4, n, accumulate, bias, workerScratch[t - 1]!);
      } else {
        pool!.gemm(t - 1, layout, m, size, kk, a, lda, layout === Layout.NT ? b + lo * ldb * 4 : b + lo * 4, ldb, c + lo * 4, n, accumulate, bias ? bias + lo * 4 : 0, workerScratch[t - 1]!);
      }
    }
    const size0 = k.gemmSplitStart(total, parts, 1, byRows);
    try {
      if (byRows) k.gemm(layout, size0, n, kk, a, lda, b, ldb, c, n, accumulate, bias, scratch);
      else k.gemm(layout, m, size0, kk, a, lda, b, ldb, c, n, accumulate, bias, scratch);
    } finally {
      pool!.wait(parts - 1);
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
      pool!.gemmSparse(t - 1, layout, n, sp, sparseEdge(ints, starts, m, nnz, parts, t), sparseEdge(ints, starts, m, nnz, parts, t + 1), b, n, c, n, accumulate, bias, workerScratch[t - 1]!);
    }
    try {
      k.gemmSparse(layout, n, sp, 0, sparseEdge(ints, starts, m, nnz, parts, 1), b, n, c, n, accumulate, bias, scratch);
    } finally {
      if (parts > 1) pool!.wait(parts - 1);
    }
  };

  /**
   * optimizerStep, split into ranges over the pool when large enough. Each range keeps the whole
   * buffer's slot distance (slotFloats·4 bytes); the finiteness flags of the ranges are summed.
   */
  // The 12 floats a worker's optimizer job takes, filled in place: a training step allocates nothing
  // (no closures or arrays per call; test/alloc-free.test.ts counts heap bytes over many steps).
  const jobFloats = new Float64Array(12);
  const optimizerStep = (n: number, wIn: number, g: number, sIn: number, wOut: number, sOut: number, p: OptimizerParams, slotFloats = n): number => {
    const parts = pool && n >= minOptimizer ? Math.max(1, Math.min(threads, n >> 2)) : 1;
    const slot = slotFloats * 4;
    if (parts > 1) {
      // The named hyperparameters in the kernel's argument order (optimizerParamNames).
      const f = jobFloats;
      f[0] = p.learningRate; f[1] = p.momentum; f[2] = p.rho; f[3] = p.beta1; f[4] = p.beta2; f[5] = p.epsilon;
      f[6] = p.weightDecay; f[7] = p.clipValue; f[8] = p.biasCorrection1; f[9] = p.biasCorrection2; f[10] = p.firstMomentWeight; f[11] = p.gradientWeight;
      for (let t = 1; t < parts; t++) {
        const lo = splitEdge(n, parts, 4, t);
        pool!.optimizerStep(t - 1, p.kind, splitEdge(n, parts, 4, t + 1) - lo, offsetAt(wIn, lo), offsetAt(g, lo), offsetAt(sIn, lo), offsetAt(wOut, lo), offsetAt(sOut, lo), slot, f);
      }
    }
    let bad: number;
    try {
      bad = k.optimizerStep(p.kind, splitEdge(n, parts, 4, 1), wIn, g, sIn, wOut, sOut, slot, p.learningRate, p.momentum, p.rho, p.beta1, p.beta2, p.epsilon, p.weightDecay, p.clipValue,
        p.biasCorrection1, p.biasCorrection2, p.firstMomentWeight, p.gradientWeight);
    } finally {
      if (parts > 1) pool!.wait(parts - 1);
    }
    for (let t = 1; t < parts; t++) bad += pool!.result(t - 1);
    return bad;
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
    sparsify: (rows, cols, x, maxNonZeros, out) => k.sparsify(rows, cols, x, maxNonZeros, out),
    gemmSparse,
    columnSums: (rows, cols, x, out, accumulate) => k.columnSums(rows, cols, x, out, accumulate),
    activation: (act, n, x, y, alpha) => k.activation(act, n, x, y, alpha),
    activationGrad: (act, n, x, y, dy, dx, alpha) => k.activationGrad(act, n, x, y, dy, dx, alpha),
    softmax: (rows, cols, x, y) => k.softmax(rows, cols, x, y),
    softmaxGrad: (rows, cols, y, dy, dx) => k.softmaxGrad(rows, cols, y, dy, dx),
    prelu: (rows, cols, x, alpha, y) => k.prelu(rows, cols, x, alpha, y),
    preluGrad: (rows, cols, x, alpha, dy, dx, dalpha) => k.preluGrad(rows, cols, x, alpha, dy, dx, dalpha),
    loss,
    dropout: (n, x, y, mask, rate, seed) => k.dropout(n, x, y, mask, rate, seed),
    multiply: (n, a, b, out) => k.multiply(n, a, b, out),
    gaussianNoise: (n, x, y, stddev, seed) => k.gaussianNoise(n, x, y, stddev, seed),
    moments: (axis, rows, cols, x, mean, variance) => k.moments(axis, rows, cols, x, mean, variance),
    normalize: (axis, rows, cols, x, mean, variance, epsilon, gamma, beta, y) => k.normalize(axis, rows, cols, x, mean, variance, epsilon, gamma, beta, y),
    normalizeGrad: (axis, rows, cols, x, mean, variance, epsilon, gamma, dy, dx, dgamma, dbeta) =>
      k.normalizeGrad(axis, rows, cols, x, mean, variance, epsilon, gamma, dy, dx, dgamma, dbeta),
    movingAverage: (n, value, moving, momentum) => k.movingAverage(n, value, moving, momentum),
    regularize: (n, w, g, l1, l2) => k.regularize(n, w, g, l1, l2),
    optimizerStep,
    gatherRows: (rows, cols, src, idx, dst) => k.gatherRows(rows, cols, src, idx, dst),
    copy: (n, src, dst) => k.copy(n, src, dst),
    fill: (n, x, value) => k.fill(n, x, value),
    scale: (n, x, alpha) => k.scale(n, x, alpha),
    sumSquares: (n, x) => k.sumSquares(n, x),
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
