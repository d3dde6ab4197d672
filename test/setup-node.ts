// Tests import src/ directly, as the Node entry (src/index-node.ts) sees it: with Node's file
// system, worker_threads and csv-parse's Node build registered (src/platform.ts).
import { registerNode } from '../src/platform-node.js';

registerNode();
