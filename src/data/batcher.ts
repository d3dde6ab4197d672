/**
 * Rows into batches, through an optional shuffle buffer (as tf.data's shuffle): nn.data.csv's
 * rows, and the CLI's cached rows, go through the same code, so the same rows, seed and pass
 * give the same batches whichever way they were read.
 */
import { Rng } from '../util/random.js';

/** A full batch: `rows` rows of features [rows, width] and targets [rows, yCols] (fresh arrays, transferable). */
export interface RawBatch {
  x: Float32Array;
  y: Float32Array;
  rows: number;
}

/** Writes one row's features at x[xo…] and its targets at y[yo…]. */
export type RowWriter = (x: Float32Array, xo: number, y: Float32Array, yo: number) => void;

/** The shuffle stream of a pass: each pass differs, the same seed and pass replay it. */
export function passRng(seed: number, pass: number): Rng {
  return new Rng((seed + Math.imul(pass, 0x9e3779b9)) >>> 0);
}

export class RowBatcher {
  private readonly bufX: Float32Array;
  private readonly bufY: Float32Array;
  private held = 0;
  private xs: Float32Array;
  private ys: Float32Array;
  private n = 0;

  constructor(private readonly width: number, private readonly yCols: number, private readonly batchSize: number, private readonly shuffleBufferSize: number, private readonly rng: Rng) {
    this.bufX = new Float32Array(Math.max(shuffleBufferSize, 1) * width);
    this.bufY = new Float32Array(Math.max(shuffleBufferSize, 1) * yCols);
    this.xs = new Float32Array(batchSize * width);
    this.ys = new Float32Array(batchSize * yCols);
  }

  /** Add a row (written by `write`); returns a batch when one is full. */
  add(write: RowWriter): RawBatch | undefined {
    const { width, yCols } = this;
    const S = this.shuffleBufferSize;
    if (S === 0) {
      write(this.xs, this.n * width, this.ys, this.n * yCols);
      this.n++;
    } else if (this.held < S) {
      write(this.bufX, this.held * width, this.bufY, this.held * yCols);
      this.held++;
      return undefined;
    } else {
      // The buffer is full: emit a random held row, and the new row takes its place.
      const k = this.rng.nextU32() % S;
      this.take(k);
      write(this.bufX, k * width, this.bufY, k * yCols);
    }
    return this.n === this.batchSize ? this.emit(this.batchSize) : undefined;
  }

  /** After the last row: the held rows in random order, then the last (shorter) batch. */
  *drain(): Generator<RawBatch> {
    const { width, yCols, bufX, bufY } = this;
    while (this.held > 0) {
      const k = this.rng.nextU32() % this.held;
      this.take(k);
      const last = --this.held;
      if (k !== last) {
        bufX.copyWithin(k * width, last * width, (last + 1) * width);
        bufY.copyWithin(k * yCols, last * yCols, (last + 1) * yCols);
      }
      if (this.n === this.batchSize) yield this.emit(this.batchSize);
    }
    if (this.n > 0) yield this.emit(this.n);
  }

  private take(i: number): void {
    const { width, yCols } = this;
    this.xs.set(this.bufX.subarray(i * width, (i + 1) * width), this.n * width);
    this.ys.set(this.bufY.subarray(i * yCols, (i + 1) * yCols), this.n * yCols);
    this.n++;
  }

  private emit(rows: number): RawBatch {
    const full = rows === this.batchSize;
    const b = { x: full ? this.xs : this.xs.slice(0, rows * this.width), y: full ? this.ys : this.ys.slice(0, rows * this.yCols), rows };
    this.xs = new Float32Array(this.batchSize * this.width);
    this.ys = new Float32Array(this.batchSize * this.yCols);
    this.n = 0;
    return b;
  }
}
