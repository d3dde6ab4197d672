/**
 * What only Node (and Bun and Deno, which run the Node entry) can do — files on disk, worker_threads,
 * csv-parse's Node build — reaches the library through this one module. The Node entry
 * (src/index-node.ts, dist/node/index.js) registers it on import; the browser entry (src/index.ts,
 * dist/browser/wasm-mlp.js) never does, so no Node built-in is reachable from the browser graph and
 * the callers say what to use in a browser instead. Both entries share one copy of the library:
 * the Node entry is this registration plus the browser entry's code (scripts/build-ts.mjs).
 */
import type { createReadStream } from 'node:fs';
import type * as fsPromises from 'node:fs/promises';
import type * as nodePath from 'node:path';
import type { randomBytes } from 'node:crypto';
import type { Spawner } from './backend/threads/pool.js';

export interface NodePlatform {
  /** node:fs/promises: the file:// handlers (src/io/handlers/*-node.ts) and nn.data.csv's file paths. */
  fs: Pick<typeof fsPromises, 'open' | 'readFile' | 'rename' | 'rm' | 'stat' | 'mkdir'>;
  createReadStream: typeof createReadStream;
  path: Pick<typeof nodePath, 'basename' | 'dirname' | 'join' | 'resolve'>;
  randomBytes: typeof randomBytes;
  /** The worker_threads spawner of the kernel pool, and the machine's parallelism (src/backend/threads/spawn-node.ts). */
  threads(): Promise<{ spawn: Spawner; cores: number }>;
  /** csv-parse's Node build (a stream.Transform; about twice as fast in Node as its browser build). */
  csvParser(): Promise<{ parse(options: object): unknown }>;
}

let registered: NodePlatform | undefined;

/** Called once by the Node entry, before any of the library runs. */
export function registerNodePlatform(platform: NodePlatform): void {
  registered = platform;
}

/** The Node platform, or undefined under the browser entry. */
export function nodePlatform(): NodePlatform | undefined {
  return registered;
}
