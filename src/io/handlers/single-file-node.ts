/**
 * file:// for single-file formats (.keras, .onnx) in Node. Imported dynamically only for file://
 * URLs, so browser bundles never pull in node:fs. Writes are atomic (temporary file, flush,
 * rename); reads never take more than the cap, whatever stat says.
 */
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { formatBytes } from '../limits.js';
import { fileIo } from './file-node.js';

export function pathOf(url: string): string {
  return resolve(url.slice('file://'.length));
}

export async function writeFileAtomic(url: string, bytes: Uint8Array): Promise<string> {
  const path = pathOf(url);
  const dir = dirname(path);
  await fileIo.mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
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
  const path = pathOf(url);
  const st = await fileIo.stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`loadModel: cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  if (!st.isFile()) throw new Error(`loadModel: ${path} is not a regular file`);
  if (st.size > maxBytes) throw new Error(`loadModel: ${path} is ${formatBytes(st.size)}, more than the ${formatBytes(maxBytes)} allowed (raise maxWeightBytes with setLoadLimits if you trust this model)`);
  const handle = await open(path, 'r');
  try {
    const buf = new Uint8Array(maxBytes + 1);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, null);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got > maxBytes) throw new Error(`loadModel: ${path} grew past the ${formatBytes(maxBytes)} allowed while it was read`);
    return buf.slice(0, got);
  } finally {
    await handle.close();
  }
}
