/**
 * The Node entry (dist/node/index.js; Bun and Deno take it too): the library (./index.ts, the
 * browser entry's code) with what only Node offers registered first (./platform-node.ts).
 * package.json#sideEffects names the built file, so a bundler targeting Node keeps the call.
 */
import { registerNode } from './platform-node.js';

registerNode();

export * from './index.js';
