/**
 * Elementwise activations and their derivatives, plus PReLU.
 *
 * Maths is done in f64 (`Math.*`) and stored as f32. Each kernel switches on the activation code
 * once, outside the element loop, so every loop body is a straight line V8 can optimise.
 */
import { Act, type ActCode } from '../contract.js';

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;
const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

/** Logistic sigmoid 1/(1+e^−x), written so e^x never overflows for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Coefficients of P(t) in erfc(z) ≈ t·exp(P(t) − z²), t = 1/(1 + z/2), z ≥ 0.
 * Least-squares fit made for this project (the form is the classic Chebyshev-fitted one); the
 * relative error of erfc is below 1.5e-9 for 0 ≤ z ≤ 9 (beyond that erfc underflows f32).
 */
export const ERFC_COEFFS = [
  -1.2655107120716418, 0.9999324449140905, 0.3763745393605628, 0.06756070350323896,
  0.028232087290128334, -0.6951279668147594, 1.7336179934461082, -4.13476647486241,
  6.556767555512528, -6.212395400417975, 3.477962310581458, -1.0753234211002671,
  0.14267634018421577,
] as const;

/** Complementary error function erfc(z) = 1 − erf(z), with small RELATIVE error for all z. */
export function erfc(z: number): number {
  const a = Math.abs(z);
  const t = 1 / (1 + 0.5 * a);
  let p = ERFC_COEFFS[12];
  for (let j = 11; j >= 0; j--) p = p * t + ERFC_COEFFS[j];
  const r = t * Math.exp(p - a * a);
  return z >= 0 ? r : 2 - r;
}

/** Error function erf(z) = 1 − erfc(z) (absolute error below 2e-9). */
export function erf(z: number): number {
  return 1 - erfc(z);
}

/** Standard normal CDF Φ(x) = ½·erfc(−x/√2): accurate even far in the left tail. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * INV_SQRT2);
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
