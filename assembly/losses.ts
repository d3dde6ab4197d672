// Losses (mean over samples, TensorFlow.js semantics, epsilon 1e-7) with their gradients.
// Per-element terms are f32; sums are accumulated in f64.
import { Loss } from './codes';
import { logV, lane0 } from './math';
import { hsum } from './softmax';
import { scale } from './elementwise';

const EPS: f32 = 1e-7;
const ONE_MINUS_EPS: f32 = 1 - EPS;

/** acc (f64x2) += the four f32 lanes of v. */
@inline function accumulate64(acc: v128, v: v128): v128 {
  acc = f64x2.add(acc, f64x2.promote_low_f32x4(v));
  return f64x2.add(acc, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
}

@inline function total64(acc: v128): f64 {
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

@inline function clipProb(p: v128): v128 {
  return f32x4.min(f32x4.max(p, f32x4.splat(EPS)), f32x4.splat(ONE_MINUS_EPS));
}

/** Per-element loss term and gradient (times 1/N) for the elementwise kinds. */
@inline function elementTerm(kind: i32, p: v128, y: v128): v128 {
  const one = f32x4.splat(1);
  switch (kind) {
    case Loss.meanSquaredError: { const d = f32x4.sub(p, y); return f32x4.mul(d, d); }
    case Loss.meanAbsoluteError: return f32x4.abs(f32x4.sub(p, y));
    default: { // binary cross-entropy on clipped probabilities
      const pc = clipProb(p);
      const t = f32x4.add(f32x4.mul(y, logV(pc)), f32x4.mul(f32x4.sub(one, y), logV(f32x4.sub(one, pc))));
      return f32x4.neg(t);
    }
  }
}

@inline function elementGrad(kind: i32, p: v128, y: v128, invN: v128): v128 {
  const one = f32x4.splat(1);
  const d = f32x4.sub(p, y);
  switch (kind) {
    case Loss.meanSquaredError: return f32x4.mul(f32x4.add(d, d), invN);
    case Loss.meanAbsoluteError: {
      const zero = f32x4.splat(0);
      const sign = f32x4.sub(v128.and(f32x4.gt(d, zero), one), v128.and(f32x4.lt(d, zero), one));
      return f32x4.mul(sign, invN);
    }
    case Loss.binaryCrossentropy: { // (q − y)/(q(1 − q)) with the clipped q: saturated outputs still get a push
      const q = clipProb(p);
      return f32x4.mul(f32x4.div(f32x4.sub(q, y), f32x4.mul(q, f32x4.sub(one, q))), invN);
    }
    default: return f32x4.mul(d, invN); // fused sigmoid: d/dlogit = p − y
  }
}

@inline function elementLoss(kind: i32, n: i32, pred: usize, target: usize, grad: usize): f64 {
  const end = <usize>n << 2;
  const invN = f32x4.splat(<f32>(1.0 / <f64>n));
  let acc = f64x2.splat(0);
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const p = v128.load(pred + i), y = v128.load(target + i);
    acc = accumulate64(acc, elementTerm(kind, p, y));
    if (grad) v128.store(grad + i, elementGrad(kind, p, y, invN));
  }
  let sum = total64(acc);
  for (; i < end; i += 4) {
    const p = f32x4.splat(load<f32>(pred + i)), y = f32x4.splat(load<f32>(target + i));
    sum += <f64>lane0(elementTerm(kind, p, y));
    if (grad) store<f32>(grad + i, lane0(elementGrad(kind, p, y, invN)));
  }
  return sum / <f64>n;
}

@inline function rowSum(row: usize, rowBytes: usize): f32 {
  let acc = f32x4.splat(0);
  let s: f32 = 0;
  let j: usize = 0;
  for (; j + 16 <= rowBytes; j += 16) acc = f32x4.add(acc, v128.load(row + j));
  for (; j < rowBytes; j += 4) s += load<f32>(row + j);
  return s + hsum(acc);
}

/**
 * Categorical cross-entropy on one-hot (or soft) targets. Each row is divided by its sum s and
 * clipped to [eps, 1−eps] (TF.js): q = clip(p/s). Non-fused gradient, through the normalisation:
 * ∂/∂p_j = (Σ_i y_i − y_j/q_j)/(s·rows), using the clipped q (as the JS backend). Fused: (p − y)/rows.
 */
@inline function categoricalLoss(fused: bool, rows: i32, cols: i32, pred: usize, target: usize, grad: usize): f64 {
  const rowBytes = <usize>cols << 2;
  const invRows: f32 = <f32>(1.0 / <f64>rows);
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const pr = pred + <usize>r * rowBytes, yr = target + <usize>r * rowBytes;
    const s = rowSum(pr, rowBytes);
    const s4 = f32x4.splat(s);
    let acc = f64x2.splat(0);
    let yuAcc = f32x4.splat(0);
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const q = f32x4.div(v128.load(pr + j), s4), y = v128.load(yr + j);
      acc = accumulate64(acc, f32x4.mul(y, logV(clipProb(q))));
      yuAcc = f32x4.add(yuAcc, y);
    }
    let rowLoss = total64(acc);
    let yu: f32 = hsum(yuAcc);
    for (; j < rowBytes; j += 4) {
      const q = f32x4.splat(load<f32>(pr + j) / s), y = f32x4.splat(load<f32>(yr + j));
      rowLoss += <f64>lane0(f32x4.mul(y, logV(clipProb(q))));
      yu += load<f32>(yr + j);
    }
    total -= rowLoss;
    if (!grad) continue;
    const gr = grad + <usize>r * rowBytes;
    const inv4 = f32x4.splat(invRows);
    if (fused) {
      for (j = 0; j + 16 <= rowBytes; j += 16) {
        v128.store(gr + j, f32x4.mul(f32x4.sub(v128.load(pr + j), v128.load(yr + j)), inv4));
      }
      for (; j < rowBytes; j += 4) store<f32>(gr + j, (load<f32>(pr + j) - load<f32>(yr + j)) * invRows);
    } else {
      const scale4 = f32x4.splat(invRows / s);
      const yu4 = f32x4.splat(yu);
      for (j = 0; j + 16 <= rowBytes; j += 16) {
        const q = clipProb(f32x4.div(v128.load(pr + j), s4)), y = v128.load(yr + j);
        const own = f32x4.div(y, q);
        v128.store(gr + j, f32x4.mul(f32x4.sub(yu4, own), scale4));
      }
      for (; j < rowBytes; j += 4) {
        const q = clipProb(f32x4.splat(load<f32>(pr + j) / s)), y = f32x4.splat(load<f32>(yr + j));
        const own = f32x4.div(y, q);
        store<f32>(gr + j, lane0(f32x4.mul(f32x4.sub(yu4, own), scale4)));
      }
    }
  }
  return total / <f64>rows;
}

/**
 * Sparse categorical cross-entropy: one class id c (f32) per row, the categorical form with
 * y = onehot(c): ∂/∂p_j = (1 − [j = c]/q_c)/(s·rows). Returns NaN at once when a class id is not
 * an integer in [0, cols), so the caller can report the row.
 */
@inline function sparseLoss(fused: bool, rows: i32, cols: i32, pred: usize, target: usize, grad: usize): f64 {
  const rowBytes = <usize>cols << 2;
  const invRows: f32 = <f32>(1.0 / <f64>rows);
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const pr = pred + <usize>r * rowBytes;
    const cf = load<f32>(target + (<usize>r << 2));
    if (!(cf >= 0 && cf < <f32>cols && cf == floor(cf))) return NaN;
    const co = <usize><i32>cf << 2;
    const s = rowSum(pr, rowBytes);
    const q = lane0(clipProb(f32x4.splat(load<f32>(pr + co) / s)));
    total -= <f64>lane0(logV(f32x4.splat(q)));
    if (!grad) continue;
    const gr = grad + <usize>r * rowBytes;
    let j: usize = 0;
    if (fused) {
      const inv4 = f32x4.splat(invRows);
      for (; j + 16 <= rowBytes; j += 16) v128.store(gr + j, f32x4.mul(v128.load(pr + j), inv4));
      for (; j < rowBytes; j += 4) store<f32>(gr + j, load<f32>(pr + j) * invRows);
      store<f32>(gr + co, (load<f32>(pr + co) - 1) * invRows);
    } else {
      const other: f32 = invRows / s;
      const o4 = f32x4.splat(other);
      for (; j + 16 <= rowBytes; j += 16) v128.store(gr + j, o4);
      for (; j < rowBytes; j += 4) store<f32>(gr + j, other);
      store<f32>(gr + co, (1 - 1 / q) * other);
    }
  }
  return total / <f64>rows;
}

/**
 * Weighted (one f32 weight w_r per row): each row alone through the unweighted kernel — its loss
 * ℓ_r and gradient dℓ_r — then Σ w_r·ℓ_r / rows and the gradient row times w_r / rows. Reusing
 * the kernel keeps one copy of every loss formula (the module stays small); NaN (a bad class id)
 * is returned at once, as the unweighted kernel does.
 */
function weightedLoss(kind: i32, rows: i32, cols: i32, pred: usize, target: usize, grad: usize, weights: usize): f64 {
  const rowBytes = <usize>cols << 2;
  const sparse = kind == Loss.sparseCategoricalCrossentropy || kind == Loss.sparseCategoricalCrossentropyFusedSoftmax;
  const targetBytes: usize = sparse ? 4 : rowBytes;
  const invRows: f64 = 1.0 / <f64>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const w = <f64>load<f32>(weights + (<usize>r << 2));
    const g: usize = grad ? grad + <usize>r * rowBytes : 0;
    const l = loss(kind, 1, cols, pred + <usize>r * rowBytes, target + <usize>r * targetBytes, g, 0);
    if (l != l) return l;
    total += w * l;
    if (g) scale(cols, g, <f32>(w * invRows));
  }
  return total * invRows;
}

/**
 * Mean loss over `rows` samples; when grad ≠ 0 also writes d(mean loss)/d(pred) (d/d(logits)
 * for fused kinds) into grad[rows×cols]. Sparse kinds read one class id (f32) per row. With
 * weights ≠ 0 (one f32 per row), row r's loss and gradient are times weights[r]: Σ w·ℓ / rows.
 */
export function loss(kind: i32, rows: i32, cols: i32, pred: usize, target: usize, grad: usize, weights: usize): f64 {
  if (weights) return weightedLoss(kind, rows, cols, pred, target, grad, weights);
  const n = rows * cols;
  switch (kind) {
    case Loss.meanSquaredError: return elementLoss(Loss.meanSquaredError, n, pred, target, grad);
    case Loss.meanAbsoluteError: return elementLoss(Loss.meanAbsoluteError, n, pred, target, grad);
    case Loss.binaryCrossentropy: return elementLoss(Loss.binaryCrossentropy, n, pred, target, grad);
    case Loss.binaryCrossentropyFusedSigmoid: return elementLoss(Loss.binaryCrossentropyFusedSigmoid, n, pred, target, grad);
    case Loss.categoricalCrossentropy: return categoricalLoss(false, rows, cols, pred, target, grad);
    case Loss.categoricalCrossentropyFusedSoftmax: return categoricalLoss(true, rows, cols, pred, target, grad);
    case Loss.sparseCategoricalCrossentropy: return sparseLoss(false, rows, cols, pred, target, grad);
    case Loss.sparseCategoricalCrossentropyFusedSoftmax: return sparseLoss(true, rows, cols, pred, target, grad);
    default: unreachable(); return 0;
  }
}
