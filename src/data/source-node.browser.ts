/** The browser entry's stand-in for ./source-node.ts (scripts/build-ts.mjs): there are no file paths in a browser. */
import type { OpenedSource } from './source-types.js';

export async function openFile(path: string, what: string): Promise<OpenedSource> {
  throw new Error(`${what}: "${path}" looks like a file path, which needs Node; in a browser pass a URL, a File/Blob or a ReadableStream`);
}
