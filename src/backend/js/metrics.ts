/** Metrics: argmax per row and the accuracy counts (see Accuracy in the contract). */
import { Accuracy, type AccuracyCode } from '../contract.js';

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
    default:
      throw new Error(`accuracyCount: unknown accuracy kind ${String(kind)}`);
  }
}
