/**
 * Scalar activation functions and their derivatives, in f64, for teaching, plotting and tests.
 *
 * The specification is the js backend (src/backend/js/activations.ts); these are the same
 * functions on f64 scalars, built on its maths (src/backend/js/math.ts: sigmoid, erf, Φ, the SELU
 * constants) and with the same conventions at the kinks (relu′(0) = 0, step′ ≡ 0, leakyRelu/elu
 * use their negative branch at x = 0); test/activations-spec.test.ts checks them against the kernels.
 * The training code does not call these per element; it calls the backend's fused kernels.
 */
import { erf, INV_SQRT_2PI, normalCdf, SELU_ALPHA, SELU_SCALE, sigmoid } from './backend/js/math.js';

export { erf };

/** Every activation name a layer accepts, in the order of API.md. */
export const activationNames = [
  'linear',
  'step',
  'sigmoid',
  'tanh',
  'relu',
  'leakyRelu',
  'elu',
  'selu',
  'softplus',
  'swish',
  'gelu',
  'softmax',
] as const;

/** One of {@link activationNames}. */
export type ActivationName = (typeof activationNames)[number];

/** True when `s` is a valid activation name (narrows the type). */
export function isActivationName(s: unknown): s is ActivationName {
  return typeof s === 'string' && (activationNames as readonly string[]).includes(s);
}

/** An activation on one number: y = apply(x) and dy/dx = derivative(x). */
export interface ScalarActivation {
  readonly name: ActivationName;
  apply(x: number): number;
  derivative(x: number): number;
}

/** An activation with a negative-side parameter `alpha` (leakyRelu, elu). */
export interface ParametricActivation extends ScalarActivation {
  readonly alpha: number;
  /** The same activation with another `alpha`, e.g. `activations.leakyRelu.withAlpha(0.2)`. */
  withAlpha(alpha: number): ParametricActivation;
}

/**
 * Softmax works on a vector, so it has no meaningful scalar form. Its scalar `apply(x)` is the
 * two-class softmax of the logits [x, 0] — the probability of the first class, which is exactly
 * sigmoid(x) — and `derivative(x)` is that function's derivative. Use `applyVector` and `jacobian`
 * for the real thing.
 */
export interface SoftmaxActivation extends ScalarActivation {
  /** softmax(xs)_i = e^(xs_i − max) / Σ_j e^(xs_j − max); the max is subtracted so large logits do not overflow. */
  applyVector(xs: readonly number[]): number[];
  /** J[i][j] = ∂softmax_i/∂xs_j = s_i·(δ_ij − s_j). */
  jacobian(xs: readonly number[]): number[][];
}

// ---- the activations -----------------------------------------------------------------------------

function sigmoidDerivative(x: number): number {
  const s = sigmoid(x);
  return s * (1 - s);
}

function checkAlpha(name: string, alpha: number): void {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new Error(`activations.${name}.withAlpha: alpha must be a finite number, got ${String(alpha)}`);
  }
}

function makeLeakyRelu(alpha: number): ParametricActivation {
  checkAlpha('leakyRelu', alpha);
  return Object.freeze({
    name: 'leakyRelu' as const,
    alpha,
    apply: (x: number) => (x > 0 ? x : alpha * x),
    derivative: (x: number) => (x > 0 ? 1 : alpha),
    withAlpha: makeLeakyRelu,
  });
}

function makeElu(alpha: number): ParametricActivation {
  checkAlpha('elu', alpha);
  return Object.freeze({
    name: 'elu' as const,
    alpha,
    // expm1 keeps precision near 0 where e^x − 1 would cancel.
    apply: (x: number) => (x > 0 ? x : alpha * Math.expm1(x)),
    derivative: (x: number) => (x > 0 ? 1 : alpha * Math.exp(x)),
    withAlpha: makeElu,
  });
}

function softmaxVector(xs: readonly number[]): number[] {
  if (xs.length === 0) throw new Error('activations.softmax.applyVector: needs at least one logit, got an empty array');
  let max = -Infinity;
  for (const v of xs) if (v > max) max = v;
  const exps = xs.map((v) => Math.exp(v - max));
  let sum = 0;
  for (const e of exps) sum += e;
  return exps.map((e) => e / sum);
}

function softmaxJacobian(xs: readonly number[]): number[][] {
  const s = softmaxVector(xs);
  return s.map((si, i) => s.map((sj, j) => si * ((i === j ? 1 : 0) - sj)));
}

/**
 * All activations by name. Each is `{ apply(x), derivative(x) }` on f64 scalars;
 * `leakyRelu` (alpha 0.01) and `elu` (alpha 1) also have `withAlpha(alpha)`, and `softmax`
 * adds `applyVector` / `jacobian` (see {@link SoftmaxActivation}).
 *
 * @example
 * activations.sigmoid.derivative(0);            // 0.25, its maximum
 * activations.leakyRelu.withAlpha(0.2).apply(-1); // -0.2
 */
export const activations = Object.freeze({
  /** f(x) = x, f′ = 1: stacking linear layers collapses into one linear map. */
  linear: Object.freeze({ name: 'linear', apply: (x: number) => x, derivative: (_x: number) => 1 }),
  /** Binary (Heaviside) step, 1 for x ≥ 0 else 0. Its gradient is 0 everywhere, so nothing upstream learns. */
  step: Object.freeze({ name: 'step', apply: (x: number) => (x >= 0 ? 1 : 0), derivative: (_x: number) => 0 }),
  /** σ(x) = 1/(1+e^(−x)), σ′ = σ(1−σ) ≤ 0.25 (the maximum, at x = 0). */
  sigmoid: Object.freeze({ name: 'sigmoid', apply: sigmoid, derivative: sigmoidDerivative }),
  /** tanh, tanh′ = 1 − tanh² ≤ 1 (at x = 0). */
  tanh: Object.freeze({
    name: 'tanh',
    apply: Math.tanh,
    derivative: (x: number) => {
      const t = Math.tanh(x);
      return 1 - t * t;
    },
  }),
  /** max(0, x); derivative 1 for x > 0 and 0 for x ≤ 0 (0 at the kink, as TensorFlow.js). */
  relu: Object.freeze({ name: 'relu', apply: (x: number) => (x > 0 ? x : 0), derivative: (x: number) => (x > 0 ? 1 : 0) }),
  /** x for x > 0, alpha·x otherwise (alpha = 0.01); derivative alpha for x ≤ 0. */
  leakyRelu: makeLeakyRelu(0.01),
  /** x for x > 0, alpha·(e^x − 1) otherwise (alpha = 1); derivative alpha·e^x for x ≤ 0. */
  elu: makeElu(1),
  /** scale·elu_alpha(x) with scale = 1.0507009873554805, alpha = 1.6732632423543772. */
  selu: Object.freeze({
    name: 'selu',
    apply: (x: number) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    derivative: (x: number) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)),
  }),
  /** log(1 + e^x), computed as max(x, 0) + log1p(e^(−|x|)) so it never overflows; derivative σ(x). */
  softplus: Object.freeze({
    name: 'softplus',
    apply: (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
    derivative: sigmoid,
  }),
  /** x·σ(x); derivative σ(x) + x·σ(x)(1 − σ(x)). */
  swish: Object.freeze({
    name: 'swish',
    apply: (x: number) => x * sigmoid(x),
    derivative: (x: number) => {
      const s = sigmoid(x);
      return s + x * s * (1 - s);
    },
  }),
  /** Exact GELU as TensorFlow.js: x·Φ(x) = 0.5·x·(1 + erf(x/√2)); derivative Φ(x) + x·φ(x). */
  gelu: Object.freeze({
    name: 'gelu',
    apply: (x: number) => x * normalCdf(x),
    derivative: (x: number) => normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  }),
  /** Vector softmax; scalar `apply` is the 2-class case softmax([x, 0])[0] = σ(x). */
  softmax: Object.freeze({
    name: 'softmax',
    apply: sigmoid,
    derivative: sigmoidDerivative,
    applyVector: softmaxVector,
    jacobian: softmaxJacobian,
  }),
} satisfies { [K in ActivationName]: ScalarActivation }) as {
  readonly [K in Exclude<ActivationName, 'leakyRelu' | 'elu' | 'softmax'>]: ScalarActivation;
} & {
  readonly leakyRelu: ParametricActivation;
  readonly elu: ParametricActivation;
  readonly softmax: SoftmaxActivation;
};
