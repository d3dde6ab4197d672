// Browsers (DOM lib): a Web Worker, a URL, and serving from the worker scope all type-check.
import * as nn from 'wasm-mlp';

export const a = nn.worker.createWorkerModel(new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' }));
export const b = nn.worker.createWorkerModel(new URL('./train-worker.js', import.meta.url));
nn.worker.serveWorker();
