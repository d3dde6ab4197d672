/**
 * Where CSV bytes come from: a file path (Node, ./source-node.ts), a URL (fetch), a File/Blob,
 * a web ReadableStream, or any (async) iterable of Uint8Array/string chunks (a Node Readable).
 * Every source becomes an async iterable of chunks plus a byte count for progress.
 */
import { nodePlatform } from '../platform.js';
import { describe } from '../tensor.js';

import type { ByteProgress, CsvSource, OpenedSource } from './source-types.js';

export type { ByteProgress, CsvSource, OpenedSource };

/** Whether `source` can be opened again for a second pass (a stream or iterator cannot). */
export function reopenable(source: CsvSource): boolean {
  return typeof source === 'string' || source instanceof URL || (typeof Blob !== 'undefined' && source instanceof Blob) ||
    (Array.isArray(source));
}

export function checkSource(source: unknown, what: string): asserts source is CsvSource {
  const o = source as Record<PropertyKey, unknown> | null;
  const ok = typeof source === 'string' || source instanceof URL ||
    (o !== null && typeof o === 'object' && (typeof o.getReader === 'function' || typeof o.stream === 'function' ||
      typeof o[Symbol.asyncIterator] === 'function' || typeof o[Symbol.iterator] === 'function'));
  if (!ok) throw new Error(`${what}: expected a file path, a URL, a File/Blob, a ReadableStream or an iterable of chunks, got ${describe(source)}`);
  if (source === '') throw new Error(`${what}: the file path is empty`);
}

export async function openSource(source: CsvSource, what: string): Promise<OpenedSource> {
  if (typeof source === 'string' && !/^(https?|blob|data):/i.test(source)) {
    const node = nodePlatform();
    if (!node) throw new Error(`${what}: "${source}" looks like a file path, which needs Node; in a browser pass a URL, a File/Blob or a ReadableStream`);
    const { openFile } = await import('./source-node.js');
    return openFile(node, source, what);
  }
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(source);
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new Error(`${what}: could not fetch ${url}: ${(e as Error).message}`);
    }
    if (!res.ok || !res.body) throw new Error(`${what}: fetching ${url} failed: HTTP ${res.status} ${res.statusText}`);
    const length = Number(res.headers.get('content-length'));
    const encoded = res.headers.get('content-encoding');
    return { chunks: streamChunks(res.body), totalBytes: length > 0 && !encoded ? length : undefined, name: url };
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const name = (source as File).name ? `file "${(source as File).name}"` : 'the Blob';
    return { chunks: streamChunks(source.stream()), totalBytes: source.size, name };
  }
  const o = source as unknown as Record<PropertyKey, unknown>;
  if (typeof o.getReader === 'function') {
    const stream = source as ReadableStream<Uint8Array>;
    if (stream.locked) throw new Error(`${what}: the ReadableStream is locked (already being read); pass a fresh stream`);
    return { chunks: streamChunks(stream), totalBytes: undefined, name: 'the stream' };
  }
  if (typeof o[Symbol.asyncIterator] === 'function') return { chunks: source as AsyncIterable<Uint8Array | string>, totalBytes: undefined, name: 'the stream' };
  const it = source as Iterable<Uint8Array | string>;
  return { chunks: (async function* () { yield* it; })(), totalBytes: undefined, name: 'the chunks' };
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Ending early (an error, a stop) cancels the download or file read.
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
