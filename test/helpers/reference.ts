/**
 * Naive float64 references of every kernel, written independently of src/backend/js (plain
 * loops, textbook formulas, a slow-but-exact erf). Inputs are the f32 data the backend saw.
 */
import { Act, Layout, Loss, Opt, type ActCode, type LossCode, type OptimizerParams } from '../../src/backend/contract.js';

// ---- gemm ----------------------------------------------------------------------------------

/** C and Σ|terms| per element for op(A)·op(B) (+ C0) (+ bias). */
export function gemmRef(
  layout: Layout, m: number, n: number, k: number, A: Float32Array, B: Float32Array,
  C0: Float32Array | null, bias: Float32Array | null,
): { c: Float64Array; scale: Float64Array } {
  const c = new Float64Array(m * n), scale = new Float64Array(m * n);
  const a = (i: number, p: number) => (layout === Layout.TN ? A[p * m + i]! : A[i * k + p]!);
  const b = (p: number, j: number) => (layout === Layout.NT ? B[j * k + p]! : B[p * n + j]!);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0, t = 0;
    for (let p = 0; p < k; p++) { const v = a(i, p) * b(p, j); s += v; t += Math.abs(v); }
    if (C0) { s += C0[i * n + j]!; t += Math.abs(C0[i * n + j]!); }
    if (bias) { s += bias[j]!; t += Math.abs(bias[j]!); }
    c[i * n + j] = s; scale[i * n + j] = t;
  }
  return { c, scale };
}

// ---- activations ---------------------------------------------------------------------------

/** erf by its Maclaurin series (|x| < 3) or continued fraction for erfc — to ~1e-15. */
export function erfRef(x: number): number {
  const z = Math.abs(x);
  if (z < 3) {
    let term = z, sum = z;
    for (let n = 0; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-z * z * (2 * n + 1)) / ((n + 1) * (2 * n + 3));
      sum += term;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - erfcLarge(z));
}
/** erfc(z) for z ≥ 3 by a continued fraction (also used for the left tail of Φ). */
function erfcLarge(z: number): number {
  let f = 0;
  for (let n = 200; n >= 1; n--) f = (n / 2) / (z + f);
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
}
/** Φ(x), keeping relative accuracy in the far left tail. */
export function normalCdfRef(x: number): number {
  const z = -x / Math.SQRT2;
  return z >= 3 ? 0.5 * erfcLarge(z) : 0.5 * (1 + erfRef(x / Math.SQRT2));
}

const SELU_L = 1.0507009873554805, SELU_A = 1.6732632423543772;
const sig = (x: number) => 1 / (1 + Math.exp(-x));
/** log(1 + e^x) in f64 without overflow. */
const softplusRef = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

export function activationRef(act: ActCode, x: number, alpha: number): number {
  switch (act) {
    case Act.linear: return x;
    case Act.step: return x >= 0 ? 1 : 0;
    case Act.sigmoid: return sig(x);
    case Act.tanh: return Math.tanh(x);
    case Act.relu: return Math.max(0, x);
    case Act.leakyRelu: return x > 0 ? x : alpha * x;
    case Act.elu: return x > 0 ? x : alpha * Math.expm1(x);
    case Act.selu: return x > 0 ? SELU_L * x : SELU_L * SELU_A * Math.expm1(x);
    case Act.softplus: return x > 30 ? x : Math.log1p(Math.exp(x));
    case Act.swish: return x * sig(x);
    case Act.gelu: return x * normalCdfRef(x);
    case Act.mish: return x * Math.tanh(softplusRef(x));
  }
  throw new Error(`no reference for activation ${act}`);
}

/** f′(x) as documented: sigmoid and tanh from the stored y, everything else from x. */
export function derivativeRef(act: ActCode, x: number, y: number, alpha: number): number {
  switch (act) {
    case Act.linear: return 1;
    case Act.step: return 0;
    case Act.sigmoid: return y * (1 - y);
    case Act.tanh: return 1 - y * y;
    case Act.relu: return x > 0 ? 1 : 0;
    case Act.leakyRelu: return x > 0 ? 1 : alpha;
    case Act.elu: return x > 0 ? 1 : alpha * Math.exp(x);
    case Act.selu: return x > 0 ? SELU_L : SELU_L * SELU_A * Math.exp(x);
    case Act.softplus: return sig(x);
    case Act.swish: { const s = sig(x); return s + x * s * (1 - s); }
    case Act.gelu: return normalCdfRef(x) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    case Act.mish: { const t = Math.tanh(softplusRef(x)); return t + x * (1 - t * t) * sig(x); }
  }
  throw new Error(`no reference derivative for activation ${act}`);
}

/**
 * Σ|terms| of the derivative formula, for the tolerance: an f32 evaluation of e.g. 1 − y² or
 * s + x·s·(1 − s) loses relative (not absolute) accuracy where the terms cancel.
 */
export function derivativeTermsRef(act: ActCode, x: number, y: number, alpha: number): number {
  switch (act) {
    case Act.sigmoid: return Math.abs(y) * (1 + Math.abs(y));
    case Act.tanh: return 1 + y * y;
    case Act.swish: { const s = sig(x); return s + Math.abs(x) * s * (1 - s); }
    case Act.gelu: return normalCdfRef(x) + Math.abs(x) * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    case Act.mish: { const t = Math.tanh(softplusRef(x)); return Math.abs(t) + Math.abs(x) * (1 + t * t) * sig(x); }
    default: return Math.abs(derivativeRef(act, x, y, alpha));
  }
}

// ---- softmax -------------------------------------------------------------------------------

export function softmaxRef(rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity, sum = 0;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[r * cols + j]!);
    for (let j = 0; j < cols; j++) sum += Math.exp(x[r * cols + j]! - max);
    for (let j = 0; j < cols; j++) y[r * cols + j] = Math.exp(x[r * cols + j]! - max) / sum;
  }
  return y;
}

// ---- losses --------------------------------------------------------------------------------

/** ε and 1 − ε as f32 (TensorFlow.js computes in float32). */
export const LO = Math.fround(1e-7), HI = Math.fround(1 - 1e-7);
const clip = (p: number) => Math.min(HI, Math.max(LO, p));

/** Loss value, gradient and per-element magnitude of the gradient's terms. */
export function lossRef(
  kind: LossCode, rows: number, cols: number, p: Float32Array, t: Float32Array,
): { value: number; grad: Float64Array; scale: Float64Array } {
  const N = rows * cols;
  const grad = new Float64Array(N), scale = new Float64Array(N);
  let value = 0;
  const isSparse = kind === Loss.sparseCategoricalCrossentropy || kind === Loss.sparseCategoricalCrossentropyFusedSoftmax;
  const y = (r: number, j: number) => (isSparse ? (t[r] === j ? 1 : 0) : t[r * cols + j]!);
  for (let r = 0; r < rows; r++) {
    let s = 0, ys = 0;
    for (let j = 0; j < cols; j++) { s += p[r * cols + j]!; ys += y(r, j); }
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j, pi = p[i]!, yi = y(r, j);
      switch (kind) {
        case Loss.meanSquaredError:
          value += (pi - yi) ** 2 / N; grad[i] = (2 * (pi - yi)) / N; scale[i] = (2 * (Math.abs(pi) + Math.abs(yi))) / N; break;
        case Loss.meanAbsoluteError:
          value += Math.abs(pi - yi) / N; grad[i] = Math.sign(pi - yi) / N; break;
        case Loss.binaryCrossentropy:
        case Loss.binaryCrossentropyFusedSigmoid: {
          const q = clip(pi);
          value += -(yi * Math.log(q) + (1 - yi) * Math.log(1 - q)) / N;
          if (kind === Loss.binaryCrossentropy) { grad[i] = (q - yi) / (q * (1 - q)) / N; scale[i] = (q + Math.abs(yi)) / (q * (1 - q)) / N; }
          else { grad[i] = (pi - yi) / N; scale[i] = (Math.abs(pi) + Math.abs(yi)) / N; }
          break;
        }
        default: { // categorical and sparse
          const q = clip(pi / s);
          value += (-yi * Math.log(q)) / rows;
          if (kind === Loss.categoricalCrossentropyFusedSoftmax || kind === Loss.sparseCategoricalCrossentropyFusedSoftmax) {
            grad[i] = (pi - yi) / rows; scale[i] = (Math.abs(pi) + Math.abs(yi)) / rows;
          } else {
            grad[i] = (ys - yi / q) / s / rows; scale[i] = (Math.abs(ys) + Math.abs(yi / q)) / Math.abs(s) / rows;
          }
        }
      }
    }
  }
  return { value, grad, scale };
}

// ---- dropout -------------------------------------------------------------------------------

/** The documented counter hash, written out separately from the backend's. */
export function dropoutMaskRef(n: number, rate: number, seed: number): Float32Array {
  const mask = new Float32Array(n);
  const keep = Math.fround(1 / (1 - rate));
  for (let i = 0; i < n; i++) {
    let h = (seed ^ Math.imul(i, 0x9e3779b9)) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
    h = Math.imul(h, 0x7feb352d) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
    h = Math.imul(h, 0x846ca68b) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
    const u = (h >>> 8) / 16777216;
    mask[i] = u >= rate ? keep : 0;
  }
  return mask;
}

// ---- optimizers ----------------------------------------------------------------------------

/** One step of the documented rule in f64; w and state are f32 arrays (storage), updated in place. */
export function optimizerRef(w: Float32Array, g: Float32Array, s1: Float32Array, s2: Float32Array, s3: Float32Array, p: OptimizerParams): void {
  for (let i = 0; i < w.length; i++) {
    let gi = g[i]!;
    if (p.clipValue > 0) gi = Math.min(p.clipValue, Math.max(-p.clipValue, gi));
    switch (p.kind) {
      case Opt.sgd: w[i] = w[i]! - p.learningRate * gi; break;
      case Opt.momentum: s1[i] = p.momentum * s1[i]! + gi; w[i] = w[i]! - p.learningRate * s1[i]!; break;
      case Opt.nesterov: s1[i] = p.momentum * s1[i]! + gi; w[i] = w[i]! - p.learningRate * (gi + p.momentum * s1[i]!); break;
      case Opt.adagrad: s1[i] = s1[i]! + gi * gi; w[i] = w[i]! - (p.learningRate * gi) / Math.sqrt(s1[i]! + p.epsilon); break;
      case Opt.rmsprop:
        s1[i] = p.rho * s1[i]! + (1 - p.rho) * gi * gi;
        s2[i] = p.momentum * s2[i]! + (p.learningRate * gi) / Math.sqrt(s1[i]! + p.epsilon);
        w[i] = w[i]! - s2[i]!; break;
      case Opt.rmspropCentered:
        s1[i] = p.rho * s1[i]! + (1 - p.rho) * gi * gi;
        s3[i] = p.rho * s3[i]! + (1 - p.rho) * gi;
        s2[i] = p.momentum * s2[i]! + (p.learningRate * gi) / Math.sqrt(s1[i]! - s3[i]! * s3[i]! + p.epsilon);
        w[i] = w[i]! - s2[i]!; break;
      case Opt.adamw:
      case Opt.adam:
        if (p.kind === Opt.adamw) w[i] = w[i]! - p.learningRate * p.weightDecay * w[i]!;
        s1[i] = p.beta1 * s1[i]! + (1 - p.beta1) * gi;
        s2[i] = p.beta2 * s2[i]! + (1 - p.beta2) * gi * gi;
        w[i] = w[i]! - (p.learningRate * (s1[i]! / p.biasCorrection1)) / (Math.sqrt(s2[i]! / p.biasCorrection2) + p.epsilon); break;
      case Opt.adamax:
        s1[i] = p.beta1 * s1[i]! + (1 - p.beta1) * gi;
        s2[i] = Math.max(p.beta2 * s2[i]!, Math.abs(gi));
        w[i] = w[i]! - (p.learningRate * s1[i]!) / (p.biasCorrection1 * (s2[i]! + p.epsilon)); break;
      case Opt.nadam:
        s1[i] = p.beta1 * s1[i]! + (1 - p.beta1) * gi;
        s2[i] = p.beta2 * s2[i]! + (1 - p.beta2) * gi * gi;
        w[i] = w[i]! - (p.learningRate * (p.firstMomentWeight * s1[i]! + p.gradientWeight * gi)) / (Math.sqrt(s2[i]! / p.biasCorrection2) + p.epsilon); break;
      default: throw new Error(`optimizerRef: no reference for rule ${p.kind}`);
    }
  }
}
