/**
 * A pool of workers sharing one WebAssembly.Memory with the calling thread. Each worker owns a
 * slot of a control block inside that memory; a job is a few int32/f32 words written into the
 * slot (which kernel export to call, and its arguments as f64s), a bump of its `seq` word and an
 * Atomics.notify — never a postMessage. The caller runs its
 * own share of the work meanwhile, then waits for every `done` word (spinning briefly, then
 * Atomics.wait where the platform allows blocking; a browser's main thread only spins).
 *
 * Environment-specific spawning lives in spawn-node.ts / spawn-browser.ts.
 */
import { workerMain } from './worker-main.js';

/**
 * Slot layout, int32 indices from the slot's start (RESULT and ARGS are f64s: even indices).
 * OP is a kernel's index in WORKER_KERNELS, or a J code (< 0).
 */
const L = { SEQ: 0, DONE: 16, STATUS: 17, OP: 18, RESULT: 20, ARGS: 22, MSG: 64, MSG_LEN: 64 } as const;
/** Slot size in int32s: 512 bytes, so two slots never share a cache line. */
const SLOT = 128;
/** Most arguments a job passes (optimizerStep's 20). */
export const MAX_ARGS = 20;
/** Job codes besides the kernels. */
const J = { QUIT: -1, THROW: -2 } as const;
/** The kernel exports a worker runs, by job number (Pool.call's `kernel`). */
export const WORKER_KERNELS = [
  'gemm', 'gemmSparse', 'optimizerStep', 'gatherRows', 'activation', 'activationGrad', 'multiply', 'dropout', 'sparsifyPart', 'sparsifyScatter', 'anyNonFinite',
] as const;
export type WorkerKernel = (typeof WORKER_KERNELS)[number];
/** Job number of each worker kernel. */
export const K = Object.fromEntries(WORKER_KERNELS.map((name, i) => [name, i])) as { readonly [name in WorkerKernel]: number };
/** How long workers may take to start before the backend gives up on threads. */
const START_TIMEOUT_MS = 15_000;
/**
 * Spins before a blocking wait. An Atomics.load spin costs ~5-17 ns, so this is ~10-35 µs: longer
 * spins (20,000 before) hold a core the other thread may need when the cores are shared; with one
 * CPU-bound process beside it, 2 threads ran at 0.28-0.53× of one thread with 20,000, 0.63-0.90× with 2,000.
 */
const SPINS = 2_000;

/** What a per-environment spawner returns for each worker. */
export interface WorkerHandle {
  post(message: unknown): void;
  /** Resolves with the first message from the worker; rejects on a worker error or exit. */
  firstMessage(): Promise<unknown>;
  terminate(): void;
}
export type Spawner = (source: string) => WorkerHandle;

/** Bytes the control block needs for `workers` workers (16-byte aligned sizes). */
export function controlBytes(workers: number): number {
  return workers * SLOT * 4;
}

/** The source a spawner wraps: `receive` and `send` are defined by its prologue. */
export const WORKER_SOURCE = `(${String(workerMain)})(receive, send);`;

export class Pool {
  private readonly I: Int32Array;
  private readonly D: Float64Array;
  private readonly seq: number[];
  private closed = false;
  /** Atomics.wait is forbidden on a browser's main thread; there the caller spins. */
  private readonly canBlock: boolean;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly control: number,
    private readonly handles: WorkerHandle[],
  ) {
    this.I = new Int32Array(memory.buffer);
    this.D = new Float64Array(memory.buffer);
    this.seq = handles.map(() => 0);
    this.canBlock = !(typeof window === 'object' && typeof document === 'object');
  }

  /**
   * Starts `count` workers on `module` over the shared `memory`; `control` is a byte offset of
   * controlBytes(count) zeroed bytes in it. Rejects (after terminating them) when a worker fails to start.
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, control: number, count: number, spawn: Spawner): Promise<Pool> {
    const handles: WorkerHandle[] = [];
    try {
      for (let i = 0; i < count; i++) handles.push(spawn(WORKER_SOURCE));
      const replies = handles.map((h, i) => {
        const reply = h.firstMessage();
        h.post({ module, memory, base: (control >>> 2) + i * SLOT, L, J, kernels: WORKER_KERNELS, spins: SPINS });
        return reply;
      });
      // A platform that starts workers but never runs them must not hang backend creation.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`workers did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      });
      const all = await Promise.race([Promise.all(replies), timeout]).finally(() => clearTimeout(timer));
      for (const reply of all) {
        const r = reply as { error?: string };
        if (r?.error) throw new Error(`a wasm-mlp worker could not start: ${r.error}`);
      }
    } catch (e) {
      for (const h of handles) h.terminate();
      throw e;
    }
    return new Pool(memory, control, handles);
  }

  get size(): number {
    return this.handles.length;
  }

  private base(w: number): number {
    return (this.control >>> 2) + w * SLOT;
  }

  /**
   * Queues kernel export WORKER_KERNELS[kernel] on worker w with the first `count` values of
   * `args` as its arguments (exactly as the export takes them: byte offsets, counts, flags as
   * 0/1, floats; the export converts each f64 as a direct call would).
   */
  call(w: number, kernel: number, args: ArrayLike<number>, count: number): void {
    const x = (this.base(w) + L.ARGS) >>> 1, D = this.D;
    for (let i = 0; i < count; i++) D[x + i] = args[i]!;
    for (let i = count; i < MAX_ARGS; i++) D[x + i] = 0;
    this.post(w, kernel);
  }

  /** What the last finished job of worker w returned (as an f64; 0 for a void export). */
  result(w: number): number {
    return this.D[(this.base(w) + L.RESULT) >>> 1]!;
  }

  /** For tests: worker w fails its next job. */
  throwOn(w: number): void {
    this.post(w, J.THROW);
  }

  private post(w: number, op: number): void {
    if (this.closed) throw new Error('This wasm backend was disposed: create a new one with createBackend("wasm")');
    const b = this.base(w);
    this.I[b + L.OP] = op;
    this.seq[w] = (this.seq[w]! + 1) | 0;
    Atomics.store(this.I, b + L.SEQ, this.seq[w]!);
    Atomics.notify(this.I, b + L.SEQ);
  }

  /** Waits until workers 0..count-1 finished their jobs; throws if any failed. */
  wait(count: number): void {
    const I = this.I;
    let failure: string | undefined;
    for (let w = 0; w < count; w++) {
      const b = this.base(w), want = this.seq[w]!;
      let spin = 0;
      for (let done = Atomics.load(I, b + L.DONE); done !== want; done = Atomics.load(I, b + L.DONE)) {
        if (++spin > SPINS && this.canBlock) {
          Atomics.wait(I, b + L.DONE, done, 100);
          spin = 0;
        }
      }
      if (I[b + L.STATUS] !== 0 && failure === undefined) {
        const len = I[b + L.MSG]!;
        let text = '';
        for (let i = 0; i < len; i++) text += String.fromCharCode(I[b + L.MSG + 1 + i]!);
        failure = `wasm-mlp worker ${w + 1} failed: ${text}`;
      }
    }
    if (failure !== undefined) throw new Error(failure);
  }

  /** Ends the workers. Idempotent; never waits for them. */
  close(): void {
    if (this.closed) return;
    for (let w = 0; w < this.handles.length; w++) {
      try { this.post(w, J.QUIT); } catch { /* already gone */ }
    }
    this.closed = true;
    for (const h of this.handles) h.terminate();
  }

  /** The shared memory (for tests). */
  get sharedMemory(): WebAssembly.Memory {
    return this.memory;
  }
}
