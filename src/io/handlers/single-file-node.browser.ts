/**
 * file:// for .keras/.onnx in a browser build: replaces single-file-node.ts (see
 * scripts/build-ts.mjs), so no bundler meets node:fs. Same exports, clear errors.
 */
import type { pathOf as nodePathOf, readFileLimited as nodeRead, writeFileAtomic as nodeWrite } from './single-file-node.js';

const unsupported = (url: string): Error =>
  new Error(
    `'${url}' is a file:// URL, which works only in Node (this is the browser build of wasm-mlp); ` +
      "in a browser save .keras/.onnx files with 'downloads://' and load .keras files from 'http(s)://' or a File/Blob",
  );

export const pathOf: typeof nodePathOf = (url) => {
  throw unsupported(url);
};
export const writeFileAtomic: typeof nodeWrite = async (url) => {
  throw unsupported(url);
};
export const readFileLimited: typeof nodeRead = async (url) => {
  throw unsupported(url);
};
