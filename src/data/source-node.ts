/** The file source of nn.data.csv: a read stream, with the file's size for progress (Node only: src/platform.ts). */
import type { NodePlatform } from '../platform.js';
import type { OpenedSource } from './source-types.js';

export async function openFile(node: NodePlatform, path: string, what: string): Promise<OpenedSource> {
  let size: number;
  try {
    const s = await node.fs.stat(path);
    if (s.isDirectory()) throw new Error(`${what}: ${path} is a directory; expected a .csv file`);
    size = s.size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${what}: file not found: ${path}`);
    throw e;
  }
  // 1 MiB reads: few enough chunks that their overhead is nothing next to parsing.
  return { chunks: node.createReadStream(path, { highWaterMark: 1 << 20 }), totalBytes: size, name: path };
}
