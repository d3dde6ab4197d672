// The worker side of the recipe in docs/browser.md: two lines.
import * as nn from 'wasm-mlp';
nn.worker.serveWorker();
