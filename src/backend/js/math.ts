/**
 * The scalar maths of the js backend, in f64: the functions its kernels apply per element
 * (mirroring assembly/math.ts, which computes them on f32x4 lanes). src/activations.ts builds
 * its teaching functions from these, so the library has one erf, one sigmoid, one set of SELU
 * constants.
 */

/** SELU constants (Klambauer et al. 2017), as in TensorFlow.js. */
export const SELU_SCALE = 1.0507009873554805;
export const SELU_ALPHA = 1.6732632423543772;

export const INV_SQRT2 = Math.SQRT1_2;
export const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

/** Logistic sigmoid 1/(1+e^−x), written so neither branch can overflow: e^(−|x|) ≤ 1. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, accurate to about 1e-15 absolute
 * (JavaScript has no Math.erf).
 *
 * For |x| < 3 it sums the series erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)),
 * whose terms are all positive (no cancellation). For 3 ≤ |x| < 6 it uses the continued fraction
 * of erfc, which converges fast there. Beyond 6, erfc(x) < 3e-17, so erf is ±1 in f64.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  const sign = x < 0 ? -1 : 1;
  if (ax < 3) {
    const x2 = ax * ax;
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return sign * TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  if (ax >= 6) return sign;
  return sign * (1 - erfcContinuedFraction(ax));
}

/**
 * Complementary error function erfc(x) = 1 − erf(x), with small RELATIVE error for all x: for
 * x ≥ 3 straight from the continued fraction (no 1 − erf cancellation in the right tail).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 3) return 1 - erf(x);
  const tail = erfcContinuedFraction(ax);
  return x > 0 ? tail : 2 - tail;
}

/** erfc(x) for x ≥ 3: e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail. */
function erfcContinuedFraction(x: number): number {
  let tail = x;
  for (let k = 60; k >= 1; k--) tail = x + k / 2 / tail;
  return (INV_SQRT_PI * Math.exp(-x * x)) / tail;
}

/** Standard normal CDF Φ(x) = ½·erfc(−x/√2): accurate even far in the left tail. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * INV_SQRT2);
}

/** Standard normal density φ(x) = e^(−x²/2)/√(2π). */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}
