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
import { controlBytes, planThreads, Pool } from '../threads/index.js';
import { hasRelaxedSimd, hasSimd } from './features.js';
import type { Kernels } from './kernels.generated.js';
import { withSharedMemoryImport } from './shared-memory.js';
import { MIN_PARALLEL_ELEMENTS, MIN_PARALLEL_GEMM, MIN_PARALLEL_OPTIMIZER, splitKernels, type SplitState } from './split.js';

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
  const state: SplitState = {
    k, pool, threads, scratch, scratchBytes, workerScratch,
    minGemm: options.minParallelWork ?? MIN_PARALLEL_GEMM,
    minOptimizer: options.minParallelWork ?? MIN_PARALLEL_OPTIMIZER,
    minElements: options.minParallelWork ?? MIN_PARALLEL_ELEMENTS,
    ints: () => { views(); return ints; },
  };
  const split = splitKernels(state);
  const { gemm, gemmSparse, optimizerStep, sparsify, activation, activationGrad, multiply, dropout, gatherRows, anyNonFinite } = split;
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
      pool = state.pool = undefined;
      disposed = true;
      k = state.k = disposedKernels;
      f = new Float32Array(0);
      ints = new Int32Array(0);
    },
  };
  // A backend dropped without dispose() (e.g. replaced by setBackend) stops its workers when collected.
  if (pool) poolFinalizer?.register(backend, pool);
  return backend;
}


const poolFinalizer = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Pool>((pool) => pool.close()) : undefined;

/** Stands in for the exports after dispose(), so a stale call fails loudly instead of scribbling. */
const disposedKernels = new Proxy({} as Kernels, {
  get: () => () => {
    throw new Error('This wasm backend was disposed: create a new one with createBackend("wasm")');
  },
});
