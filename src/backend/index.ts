/**
 * Backend selection: `nn.ready()`, `nn.setBackend()`, `nn.backendInfo()`.
 */
import { checkOptionKeys } from '../util/options.js';
import type { Backend } from './contract.js';
import { createJsBackend } from './js/index.js';

export type BackendName = 'wasm' | 'js';
export interface BackendOptions {
  /**
   * Threads for the wasm backend, including the calling one (1 = single-threaded). Default: the
   * number of cores up to 4 where memory can be shared with workers (Node; cross-origin isolated
   * pages), else 1 — `backendInfo().reason` then says why. Results do not depend on it.
   */
  threads?: number;
  /** wasm only: force the 'simd' or 'relaxed' build instead of detecting. */
  build?: 'simd' | 'relaxed';
  /**
   * wasm with threads only: the smallest gemm (m·n·k multiply-adds), optimizer step or
   * elementwise pass (elements) split across threads. Default: the measured break-even sizes;
   * 0 splits every call (tests).
   */
  minParallelWork?: number;
}
export interface BackendInfo {
  name: BackendName;
  simd: boolean;
  relaxedSimd: boolean;
  threads: number;
  /** Why a requested feature (e.g. threads) is not in use, when it is not. */
  reason?: string;
}

let current: Backend | undefined;
let pending: Promise<Backend> | undefined;
let fallbackWarned = false;

/** Create a fresh backend instance (each has its own arena). Used by models and tests. */
export async function createBackend(name: BackendName, options: BackendOptions = {}): Promise<Backend> {
  if (name === 'js') return createJsBackend();
  if (name === 'wasm') return (await import('./wasm/index.js')).createWasmBackend(options);
  throw new Error(`Unknown backend '${String(name)}': expected 'wasm' or 'js'`);
}

/** Make `name` the backend for models created from now on. */
export async function setBackend(name: BackendName, options: BackendOptions = {}): Promise<void> {
  checkOptionKeys(options, ['threads', 'build', 'minParallelWork'] satisfies (keyof BackendOptions)[], 'setBackend');
  const next = createBackend(name, options);
  pending = next;
  current = await next;
}

/**
 * Wait until a backend is ready: the one set with `setBackend`, else wasm if it loads, else js —
 * then `backendInfo().reason` says why wasm was not used, and the console gets one warning.
 */
export async function ready(): Promise<BackendInfo> {
  if (!current) {
    if (!pending) {
      pending = createBackend('wasm').catch((e: unknown) => {
        const reason = `wasm: the wasm backend could not be loaded (${e instanceof Error ? e.message : String(e)}), so the js backend is in use`;
        // Once per process: a page that calls ready() per model should not flood the console.
        if (!fallbackWarned) {
          fallbackWarned = true;
          console.warn(`wasm-mlp: ${reason}`);
        }
        return createJsBackend({ reason });
      });
    }
    current = await pending;
  }
  return backendInfo();
}

/** The active backend; throws when `ready()`/`setBackend()` has not finished. */
export function getBackend(): Backend {
  if (!current) throw new Error('No backend is ready: call `await nn.ready()` (or `await nn.setBackend(...)`) first');
  return current;
}

export function backendInfo(): BackendInfo {
  const b = getBackend();
  const info: BackendInfo = { name: b.name, simd: b.simd, relaxedSimd: b.relaxedSimd, threads: b.threads };
  if (b.reason) info.reason = b.reason;
  return info;
}
