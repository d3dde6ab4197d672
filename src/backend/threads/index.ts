/**
 * Whether this platform can run the wasm backend on several threads, and with what. Node: always
 * (worker_threads). Browsers: only in a cross-origin isolated page or worker, the condition for
 * sharing a WebAssembly.Memory with Web Workers. Anywhere else: one thread, with the reason.
 */
import { nodePlatform } from '../../platform.js';
import type { Spawner } from './pool.js';

export { Pool, controlBytes, K, MAX_ARGS, WORKER_KERNELS, type Spawner, type WorkerHandle } from './pool.js';

/** Default thread count cap: MLP layers stop scaling well beyond a few cores at batch 64-256. */
const DEFAULT_MAX = 4;

export interface ThreadPlan {
  /** Threads to use, including the calling thread. */
  threads: number;
  /** Set when fewer threads than requested (or than the default would give) can be used. */
  reason?: string;
  spawn?: Spawner;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { document?: unknown }).document === 'undefined';
}

/**
 * Decides the thread count: `requested` (an integer ≥ 1), or by default the number of cores up
 * to 4. Throws on a bad request; returns threads: 1 plus a reason when the platform cannot share
 * memory with workers.
 */
export async function planThreads(requested: number | undefined): Promise<ThreadPlan> {
  if (requested !== undefined && !(Number.isInteger(requested) && requested >= 1 && requested <= 256)) {
    throw new RangeError(`threads must be an integer from 1 to 256, got ${String(requested)}`);
  }
  if (requested === 1) return { threads: 1 };
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; navigator?: { hardwareConcurrency?: number } };
  let spawn: Spawner;
  let cores: number;
  const node = isNode() ? nodePlatform() : undefined;
  if (node) {
    ({ spawn, cores } = await node.threads());
  } else if (isNode()) {
    return { threads: 1, reason: 'threads: this is the browser build of wasm-mlp, which cannot start worker_threads; import the Node build (the package\'s "node" export condition)' };
  } else if (typeof g.Worker !== 'function') {
    return { threads: 1, reason: 'threads: this environment has no Web Workers, so the wasm backend runs on one thread' };
  } else if (g.crossOriginIsolated !== true) {
    return {
      threads: 1,
      reason:
        'threads: the page is not cross-origin isolated, so it cannot share memory with workers; serve it with ' +
        '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" (see docs/threads.md)',
    };
  } else {
    spawn = (await import('./spawn-browser.js')).browserSpawn;
    cores = g.navigator?.hardwareConcurrency ?? 1;
  }
  const threads = requested ?? Math.max(1, Math.min(DEFAULT_MAX, cores));
  return threads > 1 ? { threads, spawn } : { threads: 1 };
}
