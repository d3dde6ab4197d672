// The training worker: the whole library runs here, the page talks to it through nn.worker.createWorkerModel.
import * as nn from '/dist/browser/wasm-mlp.js';
nn.worker.serveWorker();
