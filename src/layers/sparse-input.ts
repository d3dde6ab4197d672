/**
 * A layer's sparse input: each pass first tries to compress the input batch into lists of its
 * non-zeros (Backend.sparsify), and when that fits, the layer runs its products over them
 * (Backend.gemmSparse: gemm's exact result). The input batch of a bag-of-words or MNIST model
 * is mostly zeros; so is a hidden layer's input after ReLU and dropout.
 */
import { sparseBlockBytes, type Backend } from '../backend/contract.js';

/**
 * Densest batch (share of non-zeros) compressed. Plain SIMD, one core, sparsify + NN + TN products
 * against dense NN + TN (µs): 64×784 → 256 at 30 % 1,000 vs 1,560, at 40 % 1,260 vs 1,560;
 * 64×256 → 128 (a hidden layer after ReLU and dropout) at 40 % 200 vs 250. They meet near 45 %.
 */
export const MAX_SPARSE_DENSITY = 0.4;
/** After a batch too dense to compress, this many passes go dense before the next attempt. */
const RETRY_AFTER = 32;
/** Products (rows·in·units multiply-adds) below this stay dense: a tiny net's step is a few µs. */
const MIN_WORK = 1 << 16;
/**
 * Layers this narrow stay dense: their dense kernels are cheap already, and the wasm NN product
 * sums in another order there (its dot path), so gemmSparse would run it dense anyway.
 */
const MAX_NARROW_UNITS = 12;

export class SparseInput {
  private block = 0;
  private capacity = 0;
  private cols = 0;
  private skip = 0;

  /** Whether a layer of `units` outputs ever runs sparse (else it needs no block). */
  static applies(units: number): boolean {
    return units > MAX_NARROW_UNITS;
  }

  /** Bytes (as floats, for Layer.own) a block for `rows` rows of `cols` features takes. */
  static floats(rows: number, cols: number): number {
    return Math.ceil(sparseBlockBytes(rows, cols, maxNonZeros(rows, cols)) / 4);
  }

  /** Use the block at `block` (SparseInput.floats(rows, cols) floats) for batches of up to `rows` rows. */
  attach(block: number, rows: number, cols: number): void {
    this.block = block;
    this.capacity = rows;
    this.cols = cols;
  }

  /**
   * The sparse block of the `rows`-row batch at x, or 0: when the product is small or narrow
   * (`units` outputs), the batch more than MAX_SPARSE_DENSITY non-zero, or a recent batch was.
   */
  compress(b: Backend, x: number, rows: number, units: number): number {
    if (!this.block || rows > this.capacity || !SparseInput.applies(units) || rows * this.cols * units < MIN_WORK) return 0;
    if (this.skip > 0) {
      this.skip--;
      return 0;
    }
    if (b.sparsify(rows, this.cols, x, maxNonZeros(rows, this.cols), this.block) >= 0) return this.block;
    this.skip = RETRY_AFTER;
    return 0;
  }
}

function maxNonZeros(rows: number, cols: number): number {
  return Math.floor(rows * cols * MAX_SPARSE_DENSITY);
}
