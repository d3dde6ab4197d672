/**
 * Node's file system, worker_threads and csv-parse's Node build, handed to the library
 * (./platform.ts) by the Node entry (./index-node.ts) and, for tests that import src/ directly, by
 * vitest's setup file (test/setup-node.ts). Only -node.ts files import Node built-ins.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { nodeThreads } from './backend/threads/spawn-node.js';
import { registerNodePlatform } from './platform.js';

export function registerNode(): void {
  registerNodePlatform({
    fs: { open, readFile, rename, rm, stat, mkdir },
    createReadStream,
    path: { basename, dirname, join, resolve },
    randomBytes,
    threads: nodeThreads,
    csvParser: () => import('csv-parse'),
  });
}
