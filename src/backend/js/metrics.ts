/** Metrics: argmax per row and the accuracy counts (see Accuracy in the contract). */
import { Accuracy, TOP_K, type AccuracyCode } from '../contract.js';

/** Index of the first largest value of x[start .. start+cols). */
function argmax(f: Float32Array, start: number, cols: number): number {
  let best = 0;
  let max = f[start]!;
  for (let j = 1; j < cols; j++) {
    const v = f[start + j]!;
    if (v > max) { max = v; best = j; }
  }
  return best;
}

/** out[r] = argmax_j x[r, j] (first maximum wins) as i32. */
export function argmaxRows(f: Float32Array, ints: Int32Array, rows: number, cols: number, x: number, out: number): void {
  for (let r = 0; r < rows; r++) ints[out + r] = argmax(f, x + r * cols, cols);
}

/**
 * Correct predictions:
 * - binary: per element, (p > 0.5) == (t > 0.5)
 * - categorical: per row, argmax(p) == argmax(t) (first maximum wins)
 * - sparse: per row, argmax(p) == class id t[r] (one f32 per row)
 * - topKCategorical / topKSparse: per row, the target class is in the top TOP_K predictions
 */
export function accuracyCount(f: Float32Array, kind: AccuracyCode, rows: number, cols: number, pred: number, target: number): number {
  let correct = 0;
  switch (kind) {
    case Accuracy.binary:
      for (let i = 0; i < rows * cols; i++) if ((f[pred + i]! > 0.5) === (f[target + i]! > 0.5)) correct++;
      return correct;
    case Accuracy.categorical:
      for (let r = 0; r < rows; r++) if (argmax(f, pred + r * cols, cols) === argmax(f, target + r * cols, cols)) correct++;
      return correct;
    case Accuracy.sparse:
      for (let r = 0; r < rows; r++) if (argmax(f, pred + r * cols, cols) === f[target + r]) correct++;
      return correct;
    case Accuracy.topKCategorical:
      for (let r = 0; r < rows; r++) if (inTopK(f, pred + r * cols, cols, argmax(f, target + r * cols, cols))) correct++;
      return correct;
    case Accuracy.topKSparse:
      for (let r = 0; r < rows; r++) if (inTopK(f, pred + r * cols, cols, f[target + r]!)) correct++;
      return correct;
    default:
      throw new Error(`accuracyCount: unknown accuracy kind ${String(kind)}`);
  }
}

/**
 * Whether class `cls` ranks within the top TOP_K of the row: fewer than TOP_K predictions are
 * strictly larger than its own (ties count as in, as tf.math.in_top_k and Keras 3's in_top_k; a
 * NaN prediction for the class ranks last). A class id outside the row is never in.
 */
function inTopK(f: Float32Array, start: number, cols: number, cls: number): boolean {
  if (!(cls >= 0 && cls < cols) || !Number.isInteger(cls)) return false;
  let p = f[start + cls]!;
  if (p !== p) p = -Infinity;
  let larger = 0;
  for (let j = 0; j < cols; j++) if (f[start + j]! > p) larger++;
  return larger < TOP_K;
}

/**
 * counts[2·bucket + label] += 1 for each of the n (prediction, target) pairs, i32 counts:
 * bucket = clamp(ceil(p·(buckets − 1)) − 1, 0, buckets − 1) computed in float32 (so bucket ≥ t
 * ⇔ p > t/(buckets − 1), Keras's evenly spaced thresholds), label = target > 0.5. A NaN
 * prediction counts in bucket 0.
 */
export function thresholdCounts(f: Float32Array, ints: Int32Array, n: number, pred: number, target: number, buckets: number, counts: number): void {
  const scale = Math.fround(buckets - 1);
  const top = buckets - 1;
  for (let i = 0; i < n; i++) {
    const b = Math.ceil(Math.fround(f[pred + i]! * scale)) - 1;
    const bucket = b > 0 ? (b < top ? b : top) : 0;
    ints[counts + 2 * bucket + (f[target + i]! > 0.5 ? 1 : 0)]!++;
  }
}
