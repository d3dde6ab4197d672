/**
 * The browser build's stand-in for spawn-node.ts (see scripts/build-ts.mjs): it never imports
 * node:worker_threads. Reached only when the browser build runs under Node (a test runner that
 * resolves the `browser` condition, say); the wasm backend then runs on one thread.
 */
import type { nodeThreads as nodeNodeThreads } from './spawn-node.js';

export const nodeThreads: typeof nodeNodeThreads = async () => ({
  spawn: () => {
    throw new Error('threads: the browser build of wasm-mlp cannot start worker_threads; import the Node build');
  },
  cores: 1,
});
