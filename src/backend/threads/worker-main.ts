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
      /** Job codes besides the kernels (negative). */
      J: { QUIT: number; THROW: number };
      /** Kernel export names: a job OP ≥ 0 calls kernels[OP]. */
      kernels: readonly string[];
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
    const D = new Float64Array(memory.buffer);
    const a = (base + L.ARGS) >>> 1, result = (base + L.RESULT) >>> 1;
    const fns = init.kernels.map((name) => k[name]);
    for (let i = 0; i < fns.length; i++) {
      if (typeof fns[i] !== 'function') {
        send({ error: `the kernels have no export ${init.kernels[i]}` });
        return;
      }
    }
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
        if (op >= 0 && op < fns.length) {
          // Every job passes the same number of arguments; an export ignores those past its own.
          const r = fns[op]!(D[a]!, D[a + 1]!, D[a + 2]!, D[a + 3]!, D[a + 4]!, D[a + 5]!, D[a + 6]!, D[a + 7]!, D[a + 8]!, D[a + 9]!,
            D[a + 10]!, D[a + 11]!, D[a + 12]!, D[a + 13]!, D[a + 14]!, D[a + 15]!, D[a + 16]!, D[a + 17]!, D[a + 18]!, D[a + 19]!);
          D[result] = typeof r === 'number' ? r : 0;
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
