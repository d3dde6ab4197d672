// Node: the documented worker_threads code type-checks, with or without the DOM lib.
import { Worker, parentPort } from 'node:worker_threads';
import * as nn from 'wasm-mlp';

export const wm: nn.worker.WorkerModel = nn.worker.createWorkerModel(new Worker(new URL('./train-worker.mjs', import.meta.url)));
if (parentPort) nn.worker.serveWorker(parentPort);
