/** The Node file source of nn.data.csv: a read stream, with the file's size for progress. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { OpenedSource } from './source-types.js';

export async function openFile(path: string, what: string): Promise<OpenedSource> {
  let size: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new Error(`${what}: ${path} is a directory; expected a .csv file`);
    size = s.size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${what}: file not found: ${path}`);
    throw e;
  }
  // 1 MiB reads: few enough chunks that their overhead is nothing next to parsing.
  return { chunks: createReadStream(path, { highWaterMark: 1 << 20 }), totalBytes: size, name: path };
}
