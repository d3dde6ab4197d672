/**
 * The body of a pool worker. It runs as source text (`String(workerMain)`), so it needs no bundler
 * or loader support, and must therefore reference nothing outside itself.
 *
 * After one init message (the compiled module, the shared memory, where its control slot is) it
 * never returns to its event loop: it waits on its slot's `seq` word (spinning briefly first),
 * runs the job described in the slot by calling its own instance's exports on the shared memory,
 * writes `status` and then `done = seq`, and notifies. It allocates nothing per job. Every error
 * (a trap, a bad job) is caught and reported through the slot, so the caller gets an Error
 * instead of waiting forever.
 */
export function workerMain(receive: (handler: (data: unknown) => void) => void, send: (message: unknown) => void): void {
  receive((data) => {
    const init = data as {
      module: WebAssembly.Module;
      memory: WebAssembly.Memory;
      /** Int32 index of this worker's slot in the shared memory. */
      base: number;
      /** Slot layout: int32 indices relative to `base`. */
      L: { SEQ: number; DONE: number; STATUS: number; OP: number; RESULT: number; ARGS: number; MSG: number; MSG_LEN: number };
      /** Job codes. */
      J: { GEMM: number; OPTIMIZER: number; QUIT: number; THROW: number; SPARSE: number };
      spins: number;
    };
    const { memory, base, L, J, spins } = init;
    let k: Record<string, (...args: number[]) => number>;
    try {
      const abort = (): never => {
        throw new Error('wasm-mlp kernel aborted');
      };
      k = new WebAssembly.Instance(init.module, { env: { memory, abort } }).exports as typeof k;
    } catch (e) {
      send({ error: String((e as Error)?.message ?? e) });
      return;
    }
    // The control block lies below the memory's size at creation and shared buffers never
    // detach, so these views stay valid when the memory grows.
    const I = new Int32Array(memory.buffer);
    const F = new Float32Array(memory.buffer);
    const a = base + L.ARGS;
    // Read before saying ready: the first job may be posted the moment the caller hears it.
    let seen = Atomics.load(I, base + L.SEQ);
    send({ ready: true });
    for (;;) {
      let spin = 0;
      while (Atomics.load(I, base + L.SEQ) === seen) {
        if (++spin > spins) {
          Atomics.wait(I, base + L.SEQ, seen);
          spin = 0;
        }
      }
      seen = Atomics.load(I, base + L.SEQ);
      const op = I[base + L.OP];
      let status = 0;
      try {
        if (op === J.GEMM) {
          k.gemm!(I[a]!, I[a + 1]!, I[a + 2]!, I[a + 3]!, I[a + 4]!, I[a + 5]!, I[a + 6]!, I[a + 7]!, I[a + 8]!, I[a + 9]!, I[a + 10]!, I[a + 11]!, I[a + 12]!);
        } else if (op === J.SPARSE) {
          k.gemmSparse!(I[a]!, I[a + 1]!, I[a + 2]!, I[a + 3]!, I[a + 4]!, I[a + 5]!, I[a + 6]!, I[a + 7]!, I[a + 8]!, I[a + 9]!, I[a + 10]!, I[a + 11]!);
        } else if (op === J.OPTIMIZER) {
          F[base + L.RESULT] = k.optimizerStep!(I[a]!, I[a + 1]!, I[a + 2]!, I[a + 3]!, I[a + 4]!, I[a + 5]!, I[a + 6]!, I[a + 7]!,
            F[a + 8]!, F[a + 9]!, F[a + 10]!, F[a + 11]!, F[a + 12]!, F[a + 13]!, F[a + 14]!, F[a + 15]!,
            F[a + 16]!, F[a + 17]!, F[a + 18]!, F[a + 19]!);
        } else if (op === J.QUIT) {
          Atomics.store(I, base + L.DONE, seen);
          Atomics.notify(I, base + L.DONE);
          return;
        } else if (op === J.THROW) {
          throw new Error('test failure requested by the caller');
        } else {
          throw new Error(`unknown job ${op}`);
        }
      } catch (e) {
        status = 1;
        const text = String((e as Error)?.message ?? e).slice(0, L.MSG_LEN - 1);
        I[base + L.MSG] = text.length;
        for (let i = 0; i < text.length; i++) I[base + L.MSG + 1 + i] = text.charCodeAt(i);
      }
      I[base + L.STATUS] = status;
      Atomics.store(I, base + L.DONE, seen);
      Atomics.notify(I, base + L.DONE);
    }
  });
}
