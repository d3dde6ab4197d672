/**
 * A pool of workers sharing one WebAssembly.Memory with the calling thread. Each worker owns a
 * slot of a control block inside that memory; a job is a few int32/f32 words written into the
 * slot, a bump of its `seq` word and an Atomics.notify — never a postMessage. The caller runs its
 * own share of the work meanwhile, then waits for every `done` word (spinning briefly, then
 * Atomics.wait where the platform allows blocking; a browser's main thread only spins).
 *
 * Environment-specific spawning lives in spawn-node.ts / spawn-browser.ts.
 */
import { workerMain } from './worker-main.js';

/** Slot layout, int32 indices from the slot's start. */
const L = { SEQ: 0, DONE: 16, STATUS: 17, OP: 18, RESULT: 19, ARGS: 20, MSG: 48, MSG_LEN: 72 } as const;
/** Slot size in int32s: 512 bytes, so two slots never share a cache line. */
const SLOT = 128;
/** Job codes. */
const J = { GEMM: 1, OPTIMIZER: 2, QUIT: 3, THROW: 4, SPARSE: 5 } as const;
/** How long workers may take to start before the backend gives up on threads. */
const START_TIMEOUT_MS = 15_000;
/** Spins before a blocking wait: ~10-30 µs, about one kernel call of work. */
const SPINS = 20_000;

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
  private readonly F: Float32Array;
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
    this.F = new Float32Array(memory.buffer);
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
        h.post({ module, memory, base: (control >>> 2) + i * SLOT, L, J, spins: SPINS });
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

  /** Queues gemm on worker w (arguments exactly as the kernel export takes them). */
  gemm(w: number, layout: number, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: boolean, bias: number, scratch: number): void {
    const x = this.base(w) + L.ARGS, I = this.I;
    I[x] = layout; I[x + 1] = m; I[x + 2] = n; I[x + 3] = k; I[x + 4] = a; I[x + 5] = lda; I[x + 6] = b;
    I[x + 7] = ldb; I[x + 8] = c; I[x + 9] = ldc; I[x + 10] = accumulate ? 1 : 0; I[x + 11] = bias; I[x + 12] = scratch;
    this.post(w, J.GEMM);
  }

  /** Queues gemmSparse on worker w (arguments exactly as the kernel export takes them). */
  gemmSparse(w: number, layout: number, n: number, sp: number, from: number, to: number, b: number, ldb: number, c: number, ldc: number, accumulate: boolean, bias: number, scratch: number): void {
    const x = this.base(w) + L.ARGS, I = this.I;
    I[x] = layout; I[x + 1] = n; I[x + 2] = sp; I[x + 3] = from; I[x + 4] = to; I[x + 5] = b;
    I[x + 6] = ldb; I[x + 7] = c; I[x + 8] = ldc; I[x + 9] = accumulate ? 1 : 0; I[x + 10] = bias; I[x + 11] = scratch;
    this.post(w, J.SPARSE);
  }

  /** Queues optimizerStep on worker w (arguments as the kernel export takes them; `f` = its 12 floats). */
  optimizerStep(w: number, kind: number, n: number, wIn: number, g: number, sIn: number, wOut: number, sOut: number, slotBytes: number, f: ArrayLike<number>): void {
    const x = this.base(w) + L.ARGS, I = this.I;
    I[x] = kind; I[x + 1] = n; I[x + 2] = wIn; I[x + 3] = g; I[x + 4] = sIn; I[x + 5] = wOut; I[x + 6] = sOut; I[x + 7] = slotBytes;
    for (let i = 0; i < 12; i++) this.F[x + 8 + i] = f[i]!;
    this.post(w, J.OPTIMIZER);
  }

  /** The f32 a finished job of worker w returned (optimizerStep's finiteness flag). */
  result(w: number): number {
    return this.F[this.base(w) + L.RESULT]!;
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
