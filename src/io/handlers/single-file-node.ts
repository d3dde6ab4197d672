/**
 * file:// for single-file formats (.keras, .onnx) in Node, through the file system the Node entry
 * registers (src/platform.ts; under the browser entry, a clear error). Writes are atomic
 * (temporary file, flush, rename); reads never take more than the cap, whatever stat says.
 */
import type { NodePlatform } from '../../platform.js';
import { formatBytes } from '../limits.js';
import { fileIo, nodeFor, readAtMost } from './file-node.js';

const BROWSER_INSTEAD = "save .keras/.onnx files with 'downloads://' and load .keras files from 'http(s)://' or a File/Blob";

function pathOf(url: string, node: NodePlatform): string {
  return node.path.resolve(url.slice('file://'.length));
}

export async function writeFileAtomic(url: string, bytes: Uint8Array): Promise<string> {
  const node = nodeFor('save', url, BROWSER_INSTEAD);
  const { basename, dirname, join } = node.path;
  const path = pathOf(url, node);
  const dir = dirname(path);
  await fileIo.mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${node.randomBytes(4).toString('hex')}.tmp`);
  try {
    await fileIo.writeDurable(tmp, bytes);
    await fileIo.rename(tmp, path);
  } catch (e) {
    await fileIo.rm(tmp, { force: true }).catch(() => {});
    throw new Error(`save: writing ${path} failed (${(e as Error).message}); the file previously there, if any, is unchanged`);
  }
  return path;
}

export async function readFileLimited(url: string, maxBytes: number): Promise<Uint8Array> {
  const path = pathOf(url, nodeFor('loadModel', url, BROWSER_INSTEAD));
  const st = await fileIo.stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`loadModel: cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  if (!st.isFile()) throw new Error(`loadModel: ${path} is not a regular file`);
  if (st.size > maxBytes) throw new Error(`loadModel: ${path} is ${formatBytes(st.size)}, more than the ${formatBytes(maxBytes)} allowed (raise maxWeightBytes with setLoadLimits if you trust this model)`);
  // Memory for the file's size, not the cap: a file that grows while it is read is refused.
  const bytes = await readAtMost(path, st.size);
  if (bytes.length > st.size) throw new Error(`loadModel: ${path} grew while it was read`);
  return bytes;
}
