/**
 * Browsers: pool workers are Web Workers started from a Blob URL of the pool's source, so no
 * separate worker file has to be served. Sharing memory with them needs a cross-origin isolated
 * page (COOP/COEP headers, see docs/threads.md).
 */
import type { Spawner, WorkerHandle } from './pool.js';

const PROLOGUE =
  'const receive = (h) => { self.onmessage = (e) => { self.onmessage = null; h(e.data); }; };\n' +
  'const send = (m) => self.postMessage(m);\n';

let url: string | undefined;

export const browserSpawn: Spawner = (source: string): WorkerHandle => {
  url ??= URL.createObjectURL(new Blob([PROLOGUE + source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  return {
    post: (message) => worker.postMessage(message),
    firstMessage: () =>
      new Promise((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message || 'worker failed to start'));
      }),
    terminate: () => worker.terminate(),
  };
};
