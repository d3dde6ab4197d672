/**
 * file:// in a browser build: the browser entry (dist/browser, see scripts/build-ts.mjs) gets this
 * module in place of file-node.ts, so no bundler ever meets node:fs. Same exports, clear errors.
 */
import type { loadFile as nodeLoadFile, saveFile as nodeSaveFile } from './file-node.js';

const unsupported = (what: string, url: string): Error =>
  new Error(
    `${what}: '${url}' is a file:// URL, which works only in Node (this is the browser build of wasm-mlp); ` +
      "in a browser use 'indexeddb://', 'localstorage://', 'downloads://' (save) or 'http(s)://' (load)",
  );

export const saveFile: typeof nodeSaveFile = async (url) => {
  throw unsupported('save', url);
};

export const loadFile: typeof nodeLoadFile = async (url) => {
  throw unsupported('loadModel', url);
};
