/**
 * Losses with TensorFlow.js semantics, returning the mean loss over the rows and, when grad ≠ 0,
 * writing d(mean loss)/d(pred) into grad[rows×cols] (d/d(logits) for the fused kinds).
 * ε = 1e-7 as in tf.backend().epsilon(); clip(·) below means clamping to [CLIP_LOW, CLIP_HIGH].
 * Values accumulate in f64.
 */
import { classIdError, isClassId } from '../class-ids.js';
import { Loss, type LossCode } from '../contract.js';

export const EPSILON = 1e-7;
/**
 * The clip bounds ε and 1 − ε as float32 values, as TensorFlow.js computes them. 1 − 1e-7 is not
 * representable in f32 (it rounds to 1 − 1.19e-7), and the f32 bound is what both backends use.
 */
export const CLIP_LOW = Math.fround(EPSILON);
export const CLIP_HIGH = Math.fround(1 - EPSILON);

function clip(p: number): number {
  // Math.min/max (same result, NaN included) keep the value an unboxed double in optimised code;
  // a ternary that may return the module-level constant made V8 box every result.
  return Math.max(CLIP_LOW, Math.min(CLIP_HIGH, p));
}

/**
 * With N = rows·cols, p = pred, y = target:
 * - meanSquaredError:  L = Σ(p − y)²/N;  ∂L/∂p = 2(p − y)/N
 * - meanAbsoluteError: L = Σ|p − y|/N;   ∂L/∂p = sign(p − y)/N (0 where p = y)
 * - binaryCrossentropy: q = clip(p, ε, 1−ε); L = −Σ(y·ln q + (1−y)·ln(1−q))/N;
 *     ∂L/∂p = (q − y)/(q(1 − q))/N  (the clipped q is used, so saturated outputs still get a push)
 * - binaryCrossentropyFusedSigmoid: L as above; ∂L/∂z = (p − y)/N for z the sigmoid's logit
 * - categoricalCrossentropy: per row s = Σ_j p_j, q_j = clip(p_j/s, ε, 1−ε), ℓ = −Σ_j y_j ln q_j;
 *     L = Σ_rows ℓ / rows. Differentiating through the normalisation (d q_j/d p_k = δ_jk/s − p_j/s²):
 *     ∂ℓ/∂p_k = −y_k/p_k + Σ_j y_j / s; written as (Σ_j y_j − y_k/q_k)/s so the clipped q_k bounds it.
 *     ∂L/∂p = that / rows.
 * - categoricalCrossentropyFusedSoftmax: L as above; ∂L/∂z = (p − y)/rows (z = softmax logits)
 * - sparseCategoricalCrossentropy: y = one-hot of the class id c stored as f32 per row of target;
 *     exactly the categorical form: ∂L/∂p_k = (1 − [k = c]/q_c)/(s·rows)
 * - sparseCategoricalCrossentropyFusedSoftmax: ∂L/∂z = (p − onehot(c))/rows
 * Class ids outside [0, cols) throw a RangeError.
 *
 * Weighted (weights ≠ 0: one f32 weight w_r per row): every term and gradient of row r is
 * multiplied by w_r, so L = Σ_r w_r·ℓ_r / rows (Keras's sample_weight with 'sum_over_batch_size',
 * TensorFlow.js's classWeight) — the denominators stay rows (or rows·cols), not Σ w_r.
 */
export function loss(
  f: Float32Array, kind: LossCode, rows: number, cols: number, pred: number, target: number, grad: number, weights = 0,
): number {
  const count = rows * cols;
  if (count === 0) return 0;
  const invN = 1 / count;
  const invRows = 1 / rows;
  let total = 0;
  switch (kind) {
    case Loss.meanSquaredError:
      for (let i = 0; i < count; i++) {
        const w = weights === 0 ? 1 : f[weights + Math.floor(i / cols)]!;
        const d = f[pred + i]! - f[target + i]!;
        total += d * d * w;
        if (grad !== 0) f[grad + i] = 2 * d * invN * w;
      }
      return total * invN;
    case Loss.meanAbsoluteError:
      for (let i = 0; i < count; i++) {
        const w = weights === 0 ? 1 : f[weights + Math.floor(i / cols)]!;
        const d = f[pred + i]! - f[target + i]!;
        total += Math.abs(d) * w;
        if (grad !== 0) f[grad + i] = (d > 0 ? 1 : d < 0 ? -1 : 0) * invN * w;
      }
      return total * invN;
    case Loss.binaryCrossentropy:
    case Loss.binaryCrossentropyFusedSigmoid: {
      const fused = kind === Loss.binaryCrossentropyFusedSigmoid;
      for (let i = 0; i < count; i++) {
        const w = weights === 0 ? 1 : f[weights + Math.floor(i / cols)]!;
        const p = f[pred + i]!;
        const y = f[target + i]!;
        const q = clip(p);
        total -= (y * Math.log(q) + (1 - y) * Math.log(1 - q)) * w;
        if (grad !== 0) f[grad + i] = (fused ? p - y : (q - y) / (q * (1 - q))) * invN * w;
      }
      return total * invN;
    }
    case Loss.categoricalCrossentropy:
    case Loss.categoricalCrossentropyFusedSoftmax: {
      const fused = kind === Loss.categoricalCrossentropyFusedSoftmax;
      for (let r = 0; r < rows; r++) {
        const pr = pred + r * cols;
        const yr = target + r * cols;
        const w = weights === 0 ? 1 : f[weights + r]!;
        let s = 0, ySum = 0;
        for (let j = 0; j < cols; j++) { s += f[pr + j]!; ySum += f[yr + j]!; }
        for (let j = 0; j < cols; j++) {
          const y = f[yr + j]!;
          const q = clip(f[pr + j]! / s);
          total -= y * Math.log(q) * w;
          if (grad !== 0) f[grad + r * cols + j] = (fused ? f[pr + j]! - y : (ySum - y / q) / s) * invRows * w;
        }
      }
      return total * invRows;
    }
    case Loss.sparseCategoricalCrossentropy:
    case Loss.sparseCategoricalCrossentropyFusedSoftmax: {
      const fused = kind === Loss.sparseCategoricalCrossentropyFusedSoftmax;
      for (let r = 0; r < rows; r++) {
        const pr = pred + r * cols;
        const c = f[target + r]!;
        if (!isClassId(c, cols)) throw classIdError(c, r, cols);
        let s = 0;
        for (let j = 0; j < cols; j++) s += f[pr + j]!;
        const q = clip(f[pr + c]! / s);
        const w = weights === 0 ? 1 : f[weights + r]!;
        total -= Math.log(q) * w;
        if (grad !== 0) {
          const g = grad + r * cols;
          const scale = invRows * w;
          if (fused) {
            for (let j = 0; j < cols; j++) f[g + j] = f[pr + j]! * scale;
            f[g + c] = (f[pr + c]! - 1) * scale;
          } else {
            const other = scale / s;
            // A loop, not f.fill: passing a double to a builtin boxes it (a training step must not allocate).
            for (let j = 0; j < cols; j++) f[g + j] = other;
            f[g + c] = (1 - 1 / q) * other;
          }
        }
      }
      return total * invRows;
    }
    default:
      throw new Error(`loss: unknown loss code ${String(kind)}`);
  }
}
