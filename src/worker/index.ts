/**
 * Training off the main thread: `nn.worker.createWorkerModel(worker)` on the page,
 * `nn.worker.serveWorker()` in the worker script. See docs/browser.md.
 */
export { createWorkerModel, WorkerModel, type WorkerModelFitArgs, type WorkerModelFitDatasetArgs } from './client.js';
export { serveWorker, modelFromSpec } from './serve.js';
export type { MessageEndpoint } from './endpoint.js';
export type { LayerSpec, ModelSpec, OptimizerSpec, WorkerFitArgs, WorkerFitDatasetArgs } from './protocol.js';
