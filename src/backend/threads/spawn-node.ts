/**
 * Node: pool workers are worker_threads running the pool's source with `eval`, unref'd so a
 * process never waits for them to exit.
 */
import type { Spawner, WorkerHandle } from './pool.js';

// A dynamic import works whether Node evaluates the source as CommonJS or as a module (it picks
// by the nearest package.json); messages wait in the port until the listener is attached.
const PROLOGUE =
  "import('node:worker_threads').then(({ parentPort }) => {\n" +
  "const receive = (h) => parentPort.once('message', h);\n" +
  'const send = (m) => parentPort.postMessage(m);\n';
const EPILOGUE = '\n});\n';

/** The spawner and the machine's parallelism, or a reason why workers are unavailable. */
export async function nodeThreads(): Promise<{ spawn: Spawner; cores: number }> {
  const { Worker } = await import('node:worker_threads');
  const os = await import('node:os');
  const spawn: Spawner = (source: string): WorkerHandle => {
    const worker = new Worker(PROLOGUE + source + EPILOGUE, { eval: true });
    worker.unref();
    return {
      post: (message) => worker.postMessage(message),
      firstMessage: () =>
        new Promise((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before it started`)));
        }),
      terminate: () => void worker.terminate(),
    };
  };
  return { spawn, cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length };
}
