/**
 * Elementwise activations and their derivatives, plus PReLU.
 *
 * Maths is done in f64 (`Math.*` and ./math.ts) and stored as f32. Each kernel switches on the activation code
 * once, outside the element loop, so every loop body is a straight line V8 can optimise.
 */
import { Act, type ActCode } from '../contract.js';
import { INV_SQRT_2PI, normalCdf, SELU_ALPHA, SELU_SCALE, sigmoid } from './math.js';

/** softplus(x) = max(x, 0) + log1p(e^−|x|): never overflows. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * y = f(x) elementwise over n floats starting at element index x (into y; x = y allowed).
 * - linear:    x
 * - step:      x ≥ 0 ? 1 : 0
 * - sigmoid:   1/(1+e^−x)
 * - tanh:      tanh x
 * - relu:      max(x, 0)
 * - leakyRelu: x > 0 ? x : α·x
 * - elu:       x > 0 ? x : α·(e^x − 1)
 * - selu:      λ·(x > 0 ? x : a·(e^x − 1)), λ = 1.0507009873554805, a = 1.6732632423543772
 * - softplus:  max(x, 0) + log1p(e^−|x|)
 * - swish:     x·sigmoid(x)
 * - gelu:      ½·x·(1 + erf(x/√2)) = x·Φ(x) (exact, as TensorFlow.js)
 * - mish:      x·tanh(softplus(x))
 */
export function activation(f: Float32Array, act: ActCode, n: number, x: number, y: number, alpha: number): void {
  switch (act) {
    case Act.linear:
      if (x !== y) f.copyWithin(y, x, x + n);
      return;
    case Act.step:
      for (let i = 0; i < n; i++) f[y + i] = f[x + i]! >= 0 ? 1 : 0;
      return;
    case Act.sigmoid:
      for (let i = 0; i < n; i++) f[y + i] = sigmoid(f[x + i]!);
      return;
    case Act.tanh:
      for (let i = 0; i < n; i++) f[y + i] = Math.tanh(f[x + i]!);
      return;
    case Act.relu:
      for (let i = 0; i < n; i++) { const v = f[x + i]!; f[y + i] = v > 0 ? v : 0; }
      return;
    case Act.leakyRelu:
      for (let i = 0; i < n; i++) { const v = f[x + i]!; f[y + i] = v > 0 ? v : alpha * v; }
      return;
    case Act.elu:
      for (let i = 0; i < n; i++) { const v = f[x + i]!; f[y + i] = v > 0 ? v : alpha * Math.expm1(v); }
      return;
    case Act.selu:
      for (let i = 0; i < n; i++) { const v = f[x + i]!; f[y + i] = SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)); }
      return;
    case Act.softplus:
      for (let i = 0; i < n; i++) { const v = f[x + i]!; f[y + i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))); }
      return;
    case Act.swish:
      for (let i = 0; i < n; i++) { const v = f[x + i]!; f[y + i] = v * sigmoid(v); }
      return;
    case Act.gelu:
      for (let i = 0; i < n; i++) { const v = f[x + i]!; f[y + i] = v * normalCdf(v); }
      return;
    case Act.mish:
      for (let i = 0; i < n; i++) { const v = f[x + i]!; f[y + i] = v * Math.tanh(softplus(v)); }
      return;
    default:
      throw new Error(`activation: unknown activation code ${String(act)}`);
  }
}

/**
 * dx = dy ⊙ f′(x) over n floats, given x and y = f(x) (dx = dy allowed). Derivatives:
 * - linear 1; step 0 (as the theory says)
 * - sigmoid y·(1 − y); tanh 1 − y²   (from the stored output y)
 * - relu x > 0 ? 1 : 0 (0 at 0); leakyRelu x > 0 ? 1 : α
 * - elu x > 0 ? 1 : α·e^x; selu λ·(x > 0 ? 1 : a·e^x)
 * - softplus sigmoid(x); swish s + x·s·(1 − s) with s = sigmoid(x)
 * - gelu Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π)
 * - mish t + x·(1 − t²)·sigmoid(x) with t = tanh(softplus(x))
 * Every derivative except sigmoid's and tanh's is computed from x, so it stays exact where y
 * saturates (e.g. elu's α·e^x far left, where y + α would cancel).
 */
export function activationGrad(
  f: Float32Array, act: ActCode, n: number, x: number, y: number, dy: number, dx: number, alpha: number,
): void {
  switch (act) {
    case Act.linear:
      if (dx !== dy) f.copyWithin(dx, dy, dy + n);
      return;
    case Act.step:
      f.fill(0, dx, dx + n);
      return;
    case Act.sigmoid:
      for (let i = 0; i < n; i++) { const s = f[y + i]!; f[dx + i] = f[dy + i]! * s * (1 - s); }
      return;
    case Act.tanh:
      for (let i = 0; i < n; i++) { const t = f[y + i]!; f[dx + i] = f[dy + i]! * (1 - t * t); }
      return;
    case Act.relu:
      for (let i = 0; i < n; i++) f[dx + i] = f[x + i]! > 0 ? f[dy + i]! : 0;
      return;
    case Act.leakyRelu:
      for (let i = 0; i < n; i++) { const g = f[dy + i]!; f[dx + i] = f[x + i]! > 0 ? g : alpha * g; }
      return;
    case Act.elu:
      for (let i = 0; i < n; i++) { const v = f[x + i]!; const g = f[dy + i]!; f[dx + i] = v > 0 ? g : g * alpha * Math.exp(v); }
      return;
    case Act.selu:
      for (let i = 0; i < n; i++) {
        const v = f[x + i]!;
        f[dx + i] = f[dy + i]! * SELU_SCALE * (v > 0 ? 1 : SELU_ALPHA * Math.exp(v));
      }
      return;
    case Act.softplus:
      for (let i = 0; i < n; i++) f[dx + i] = f[dy + i]! * sigmoid(f[x + i]!);
      return;
    case Act.swish:
      for (let i = 0; i < n; i++) {
        const v = f[x + i]!;
        const s = sigmoid(v);
        f[dx + i] = f[dy + i]! * (s + v * s * (1 - s));
      }
      return;
    case Act.gelu:
      for (let i = 0; i < n; i++) {
        const v = f[x + i]!;
        f[dx + i] = f[dy + i]! * (normalCdf(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
      }
      return;
    case Act.mish:
      for (let i = 0; i < n; i++) {
        const v = f[x + i]!;
        const t = Math.tanh(softplus(v));
        f[dx + i] = f[dy + i]! * (t + v * (1 - t * t) * sigmoid(v));
      }
      return;
    default:
      throw new Error(`activationGrad: unknown activation code ${String(act)}`);
  }
}

/** PReLU, one learned α per column: y[i,j] = x > 0 ? x : α[j]·x (x = y allowed). */
export function prelu(f: Float32Array, rows: number, cols: number, x: number, alpha: number, y: number): void {
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let j = 0; j < cols; j++) {
      const v = f[x + row + j]!;
      f[y + row + j] = v > 0 ? v : f[alpha + j]! * v;
    }
  }
}

/**
 * PReLU backward: dx = dy·(x > 0 ? 1 : α[j]); dα[j] += Σ_i dy·x over the elements with x ≤ 0.
 * dx = dy is allowed (dy is read before dx is written).
 */
export function preluGrad(
  f: Float32Array, rows: number, cols: number, x: number, alpha: number, dy: number, dx: number, dalpha: number,
): void {
  for (let j = 0; j < cols; j++) {
    const a = f[alpha + j]!;
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const at = r * cols + j;
      const v = f[x + at]!;
      const g = f[dy + at]!;
      if (v > 0) f[dx + at] = g;
      else { sum += g * v; f[dx + at] = a * g; }
    }
    f[dalpha + j] += sum;
  }
}
