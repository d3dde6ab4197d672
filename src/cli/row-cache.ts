/**
 * The encoded rows of a streamed CSV, cached on disk: the first training pass parses the file and
 * writes each row as it was encoded (features then targets, float32); later passes (epochs,
 * validation, the final scores) read the rows back instead of parsing the text again. Parsing is
 * the slow part of streaming (csv-parse runs at a few MB/s a core); reading float32 rows is not.
 * The rows are the same floats the parser encoded, so training on them is training on the file.
 */
import { closeSync, openSync, readSync, statSync, statfsSync, writeSync } from 'node:fs';
import { RowBatcher, passRng, type RawBatch, type RowWriter } from '../data/batcher.js';

/** Rows written or read per system call. */
export const CHUNK_ROWS = 4096;

export class RowCacheWriter {
  private readonly fd: number;
  private readonly buf: Float32Array;
  private readonly rowFloats: number;
  private n = 0;
  rows = 0;

  constructor(readonly path: string, private readonly width: number, yCols: number) {
    this.rowFloats = width + yCols;
    this.fd = openSync(path, 'w');
    this.buf = new Float32Array(CHUNK_ROWS * this.rowFloats);
  }

  /** Append one row, written by `write` (features, then the targets right after them). */
  appendRow(write: (x: Float32Array, xo: number, y: Float32Array, yo: number) => void): void {
    const at = this.n * this.rowFloats;
    write(this.buf, at, this.buf, at + this.width);
    this.rows++;
    if (++this.n === CHUNK_ROWS) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    const bytes = this.n * this.rowFloats * 4;
    for (let done = 0; done < bytes;) done += writeSync(this.fd, this.buf, done, bytes - done);
    this.n = 0;
  }
}

/** The cached rows in file order, a chunk at a time (the same buffer each time: copy what you keep). */
export function* readRowCache(path: string, rowFloats: number): Generator<{ rows: Float32Array; count: number; bytesRead: number }> {
  const fd = openSync(path, 'r');
  const buf = new Float32Array(CHUNK_ROWS * rowFloats);
  const bytes = new Uint8Array(buf.buffer);
  let total = 0;
  try {
    for (;;) {
      let got = 0;
      // A read may return less than asked: read on until the buffer is full or the file ends.
      for (let r = 1; got < bytes.length && r > 0; got += r) r = readSync(fd, bytes, got, bytes.length - got, null);
      if (got % (rowFloats * 4) !== 0) throw new Error(`the row cache ${path} is damaged: ${total + got} bytes is not a whole number of ${rowFloats * 4}-byte rows`);
      total += got;
      if (got > 0) yield { rows: buf, count: got / (rowFloats * 4), bytesRead: total };
      if (got < bytes.length) return;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A pass over cached rows: batches through a shuffle buffer, as nn.data.csv would make them from
 * the same rows (RowBatcher, the same seed and pass). Synchronous reads: they are fast next to a
 * training step, so this runs in the training thread (no worker to start per pass).
 */
export function* cachedBatches(path: string, width: number, yCols: number, o: { batchSize: number; shuffleBufferSize: number; seed: number; pass: number }, progress: { bytes: number; totalBytes: number | undefined }): Generator<RawBatch> {
  const rowFloats = width + yCols;
  const batcher = new RowBatcher(width, yCols, o.batchSize, o.shuffleBufferSize, passRng(o.seed, o.pass));
  progress.bytes = 0;
  progress.totalBytes = statSync(path).size;
  let chunk: Float32Array = new Float32Array(0), i = 0;
  const copy: RowWriter = (x, xo, y, yo) => {
    const at = i * rowFloats;
    x.set(chunk.subarray(at, at + width), xo);
    y.set(chunk.subarray(at + width, at + rowFloats), yo);
  };
  for (const c of readRowCache(path, rowFloats)) {
    chunk = c.rows;
    progress.bytes = c.bytesRead;
    for (i = 0; i < c.count; i++) {
      const b = batcher.add(copy);
      if (b) yield b;
    }
  }
  yield* batcher.drain();
}

/** Free bytes on the file system holding `dir` (Infinity when it cannot be told). */
export function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return Infinity;
  }
}
