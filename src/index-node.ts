/**
 * The Node entry (dist/node/index.js; Bun and Deno take it too): the library (./index.ts, the
 * browser entry's code) with what only Node offers registered first (./platform-node.ts).
 * package.json#sideEffects names this file and the built one, so a bundler targeting Node keeps
 * the call (it would drop a module it thinks pure whose exports are all re-exports).
 */
import { registerNode } from './platform-node.js';

registerNode();

export * from './index.js';
