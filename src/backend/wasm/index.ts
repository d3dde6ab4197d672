/**
 * The `wasm` backend: AssemblyScript kernels (assembly/) compiled to SIMD WebAssembly, over one
 * WebAssembly.Memory that this file owns and grows. Every kernel method is a direct call into
 * the module's exports with byte offsets: no allocation and no copies per call.
 */
import { Arena, formatBytes } from '../arena.js';
import type { Backend, OptimizerParams } from '../contract.js';
import { Loss } from '../contract.js';
import { hasRelaxedSimd, hasSimd } from './features.js';
import type { Kernels } from './kernels.generated.js';

export type WasmBuild = 'simd' | 'relaxed';
export interface WasmBackendOptions {
  /** Force a build; by default 'relaxed' where the engine validates relaxed SIMD, else 'simd'. */
  build?: WasmBuild;
  /** Worker threads; not implemented yet, the backend reports threads: 1. */
  threads?: number;
}

const PAGE = 65536;
/** A 32-bit memory tops out at 65536 pages = 4 GiB. */
const MAX_PAGES = 65536;
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

/** Instantiate one build of the kernels over `memory` (also used by tests and benchmarks). */
export async function loadKernels(build: WasmBuild, memory: WebAssembly.Memory): Promise<Kernels> {
  // Separate dynamic imports so a bundler splits them and a browser fetches only the one it uses.
  const base64 = build === 'relaxed' ? (await import('./relaxed.generated.js')).default : (await import('./simd.generated.js')).default;
  const abort = (): never => {
    throw new Error('wasm-mlp kernel aborted');
  };
  const module = await WebAssembly.compile(decodeBase64(base64));
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
  return instance.exports as unknown as Kernels;
}

/** Create a wasm backend with its own memory. Throws when WebAssembly SIMD is unavailable. */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<Backend> {
  const build = chooseBuild(options.build);
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES });
  let k = await loadKernels(build, memory);

  // Grow by at least doubling (amortised O(1) per byte); fall back to the exact need near the limit.
  const grow = (minBytes: number): number => {
    const have = memory.buffer.byteLength;
    const want = Math.min(MAX_PAGES * PAGE, Math.max(minBytes, have * 2));
    try {
      memory.grow(Math.ceil((want - have) / PAGE));
    } catch {
      try {
        memory.grow(Math.ceil((minBytes - have) / PAGE));
      } catch (cause) {
        throw new RangeError(
          `Out of memory: the wasm backend needs ${formatBytes(minBytes)} of WebAssembly memory but could not grow ` +
            `beyond ${formatBytes(have)}. Use a smaller model or batch size, or dispose() models you no longer need.`,
          { cause },
        );
      }
    }
    return memory.buffer.byteLength;
  };
  const arena = new Arena(k.heapBase(), memory.buffer.byteLength, grow, MAX_PAGES * PAGE);
  // gemm packs B panels here; reserved once, reused by every call.
  const scratch = arena.alloc(k.gemmScratchBytes());

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

  const loss = (kind: number, rows: number, cols: number, pred: number, target: number, grad: number): number => {
    const value = k.loss(kind, rows, cols, pred, target, grad);
    if (value !== value && (kind === Loss.sparseCategoricalCrossentropy || kind === Loss.sparseCategoricalCrossentropyFusedSoftmax)) {
      checkClassIds(rows, cols, target);
    }
    return value;
  };
  // The kernel returns NaN on a bad class id; find it and say which row (as the js backend does).
  const checkClassIds = (rows: number, cols: number, target: number): void => {
    views();
    for (let r = 0; r < rows; r++) {
      const c = f[(target >>> 2) + r]!;
      if (!(c >= 0 && c < cols && Number.isInteger(c))) {
        throw new RangeError(`loss: class id ${c} in row ${r} is not an integer in [0, ${cols})`);
      }
    }
  };

  return {
    name: 'wasm',
    simd: true,
    relaxedSimd: build === 'relaxed',
    threads: 1,

    alloc: (bytes) => { views(); return arena.alloc(bytes); },
    free: (offset) => arena.free(offset),
    f32: () => { views(); return f; },
    i32: () => { views(); return ints; },
    arenaBytes: () => arena.bytesInUse - k.gemmScratchBytes(),

    gemm: (layout, m, n, kk, a, b, c, accumulate, bias) =>
      k.gemm(layout, m, n, kk, a, layout === 1 ? m : kk, b, layout === 2 ? kk : n, c, n, accumulate, bias, scratch),
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
    regularize: (n, w, g, l1, l2) => k.regularize(n, w, g, l1, l2),
    optimizerStep: (n, w, g, s1, s2, s3, p: OptimizerParams) =>
      k.optimizerStep(p.kind, n, w, g, s1, s2, s3, p.lr, p.p1, p.p2, p.p3, p.p4, p.eps, p.weightDecay, p.clipValue),
    gatherRows: (rows, cols, src, idx, dst) => k.gatherRows(rows, cols, src, idx, dst),
    scale: (n, x, alpha) => k.scale(n, x, alpha),
    sumSquares: (n, x) => k.sumSquares(n, x),
    accuracyCount: (kind, rows, cols, pred, target) => k.accuracyCount(kind, rows, cols, pred, target),
    argmaxRows: (rows, cols, x, out) => k.argmaxRows(rows, cols, x, out),

    dispose: () => {
      disposed = true;
      k = disposedKernels;
      f = new Float32Array(0);
      ints = new Int32Array(0);
    },
  };
}

/** Stands in for the exports after dispose(), so a stale call fails loudly instead of scribbling. */
const disposedKernels = new Proxy({} as Kernels, {
  get: () => () => {
    throw new Error('This wasm backend was disposed: create a new one with createBackend("wasm")');
  },
});
