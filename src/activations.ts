/**
 * The activations, each declared once: its name, its kernel code (shared with AssemblyScript:
 * scripts/build-wasm.mjs generates assembly/codes.ts from `Act` below), the names Keras and
 * TensorFlow.js write for it, the aliases a layer accepts, its formula, and its scalar maths in
 * f64 for teaching, plotting and tests. Name lists, Keras mappings, the CLI's choices and the
 * pages derive from {@link activationDeclarations}; a new activation is an entry here plus one
 * kernel per backend.
 *
 * The specification is the js backend (src/backend/js/activations.ts); these are the same
 * functions on f64 scalars, built on its maths (src/backend/js/math.ts: sigmoid, erf, Φ, the SELU
 * constants) and with the same conventions at the kinks (relu′(0) = 0, step′ ≡ 0, leakyRelu/elu
 * use their negative branch at x = 0); test/activations-spec.test.ts checks them against the kernels.
 * The training code does not call these per element; it calls the backend's fused kernels.
 */
import { erf, INV_SQRT_2PI, normalCdf, SELU_ALPHA, SELU_SCALE, sigmoid } from './backend/js/math.js';

export { erf };

/** An activation on one number: y = apply(x) and dy/dx = derivative(x). */
export interface ScalarActivation {
  readonly name: ActivationName;
  /** The formula, for teaching pages and plots. */
  readonly formula: string;
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
    formula: `f(x) = x if x > 0, else α·x  (α = ${alpha})`,
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
    formula: 'f(x) = x if x > 0, else α(eˣ − 1)',
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

// ---- the declarations ------------------------------------------------------------------------

/** What is declared once per activation. */
interface ActivationDeclaration {
  /** Elementwise kernel code (`Act`), or -1 for softmax, which has its own row-wise kernel. */
  readonly code: number;
  /** Names in Keras / TensorFlow.js JSON that load as this activation; the first is written. Empty when it is saved another way (leakyRelu: a LeakyReLU layer). */
  readonly keras: readonly string[];
  /** Other spellings a layer accepts by name. */
  readonly aliases: readonly string[];
  /** Default `alpha` of the parameterised activations (leakyRelu, elu). */
  readonly alpha?: number;
  /** Place in menus of hidden-layer activations (the CLI's --activation, 1 = the default); absent when unsuited. */
  readonly hiddenRank?: number;
  /** The scalar maths (f64). */
  readonly scalar: Scalar;
}

/** ScalarActivation before the names are known (the names come from the declarations). */
interface Scalar {
  readonly name: string;
  readonly formula: string;
  apply(x: number): number;
  derivative(x: number): number;
}

const scalar = (name: string, formula: string, apply: (x: number) => number, derivative: (x: number) => number): Scalar =>
  Object.freeze({ name, formula, apply, derivative });

/**
 * Every activation, in the order of API.md. Codes are stable: they are compiled into the wasm
 * kernels, so a new activation takes the next free code.
 */
const declarations = {
  /** f(x) = x, f′ = 1: stacking linear layers collapses into one linear map. */
  linear: { code: 0, hiddenRank: 10, keras: ['linear'], aliases: [], scalar: scalar('linear', 'f(x) = x', (x) => x, (_x) => 1) },
  /** Binary (Heaviside) step, 1 for x ≥ 0 else 0. Its gradient is 0 everywhere, so nothing upstream learns. */
  step: {
    code: 1, keras: ['step'], aliases: ['binaryStep', 'binary_step'],
    scalar: scalar('step', 'f(x) = 1 if x ≥ 0, else 0', (x) => (x >= 0 ? 1 : 0), (_x) => 0),
  },
  /** σ(x) = 1/(1+e^(−x)), σ′ = σ(1−σ) ≤ 0.25 (the maximum, at x = 0). */
  sigmoid: { code: 2, hiddenRank: 3, keras: ['sigmoid'], aliases: [], scalar: scalar('sigmoid', 'σ(x) = 1 / (1 + e⁻ˣ),  σ′ = σ(1 − σ)', sigmoid, sigmoidDerivative) },
  /** tanh, tanh′ = 1 − tanh² ≤ 1 (at x = 0). */
  tanh: {
    code: 3, hiddenRank: 2, keras: ['tanh'], aliases: [],
    scalar: scalar('tanh', 'tanh(x),  tanh′ = 1 − tanh²', Math.tanh, (x) => {
      const t = Math.tanh(x);
      return 1 - t * t;
    }),
  },
  /** max(0, x); derivative 1 for x > 0 and 0 for x ≤ 0 (0 at the kink, as TensorFlow.js). */
  relu: { code: 4, hiddenRank: 1, keras: ['relu'], aliases: [], scalar: scalar('relu', 'relu(x) = max(0, x)', (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0)) },
  /** x for x > 0, alpha·x otherwise (alpha = 0.01); derivative alpha for x ≤ 0. */
  leakyRelu: { code: 5, hiddenRank: 6, keras: [], aliases: ['leaky_relu', 'leakyrelu'], alpha: 0.01, scalar: makeLeakyRelu(0.01) as Scalar },
  /** x for x > 0, alpha·(e^x − 1) otherwise (alpha = 1); derivative alpha·e^x for x ≤ 0. */
  elu: { code: 6, hiddenRank: 4, keras: ['elu'], aliases: [], alpha: 1, scalar: makeElu(1) as Scalar },
  /** scale·elu_alpha(x) with scale = 1.0507009873554805, alpha = 1.6732632423543772. */
  selu: {
    code: 7, hiddenRank: 5, keras: ['selu'], aliases: [],
    scalar: scalar(
      'selu', 'λ·(x if x > 0, else α(eˣ − 1))',
      (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
      (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)),
    ),
  },
  /** log(1 + e^x), computed as max(x, 0) + log1p(e^(−|x|)) so it never overflows; derivative σ(x). */
  softplus: { code: 8, hiddenRank: 9, keras: ['softplus'], aliases: [], scalar: scalar('softplus', 'f(x) = ln(1 + eˣ),  f′ = σ(x)', softplus, sigmoid) },
  /** x·σ(x); derivative σ(x) + x·σ(x)(1 − σ(x)). */
  swish: {
    code: 9, hiddenRank: 8, keras: ['swish', 'silu'], aliases: ['silu'],
    scalar: scalar('swish', 'f(x) = x·σ(x)', (x) => x * sigmoid(x), (x) => {
      const s = sigmoid(x);
      return s + x * s * (1 - s);
    }),
  },
  /** Exact GELU as TensorFlow.js: x·Φ(x) = 0.5·x·(1 + erf(x/√2)); derivative Φ(x) + x·φ(x). */
  gelu: {
    code: 10, hiddenRank: 7, keras: ['gelu'], aliases: [],
    scalar: scalar('gelu', 'f(x) = x·Φ(x)  (exact, with erf)', (x) => x * normalCdf(x), (x) => normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x)),
  },
  /** Mish (Misra 2019): x·tanh(softplus(x)); derivative tanh(sp) + x·(1 − tanh²(sp))·σ(x). Smooth, non-monotonic like swish. */
  mish: {
    code: 11, hiddenRank: 11, keras: ['mish'], aliases: [],
    scalar: scalar('mish', 'f(x) = x·tanh(ln(1 + eˣ))', (x) => x * Math.tanh(softplus(x)), (x) => {
      const t = Math.tanh(softplus(x));
      return t + x * (1 - t * t) * sigmoid(x);
    }),
  },
  /** Vector softmax; scalar `apply` is the 2-class case softmax([x, 0])[0] = σ(x). */
  softmax: {
    code: -1, keras: ['softmax'], aliases: [],
    scalar: Object.freeze({
      name: 'softmax' as string,
      formula: 'aᵢ = e^zᵢ / Σₖ e^zₖ',
      apply: sigmoid,
      derivative: sigmoidDerivative,
      applyVector: softmaxVector,
      jacobian: softmaxJacobian,
    }) as Scalar,
  },
} as const satisfies Record<string, ActivationDeclaration>;

/** log(1 + e^x) = max(x, 0) + log1p(e^(−|x|)): never overflows. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** One of {@link activationNames}. */
export type ActivationName = keyof typeof declarations;

/** The declarations by name (read-only); everything else in this file derives from them. */
export const activationDeclarations: { readonly [K in ActivationName]: ActivationDeclaration } = declarations;

/** Every activation name a layer accepts, in the order of API.md. */
export const activationNames = Object.freeze(Object.keys(declarations)) as readonly ActivationName[];

/** True when `s` is a valid activation name (narrows the type). */
export function isActivationName(s: unknown): s is ActivationName {
  return typeof s === 'string' && Object.hasOwn(declarations, s);
}

/** Activations offered for hidden layers (the CLI's choices), the default (relu) first. */
export const hiddenActivationNames: readonly ActivationName[] = Object.freeze(
  activationNames
    .filter((n) => (declarations[n] as ActivationDeclaration).hiddenRank !== undefined)
    .sort((a, b) => (declarations[a] as ActivationDeclaration).hiddenRank! - (declarations[b] as ActivationDeclaration).hiddenRank!),
);

/** Elementwise activations (all but softmax). */
export type ElementwiseActivationName = Exclude<ActivationName, 'softmax'>;

/** Elementwise kernel codes by name, shared with AssemblyScript (generated into assembly/codes.ts). */
export const Act = Object.freeze(
  Object.fromEntries(activationNames.filter((n) => declarations[n].code >= 0).map((n) => [n, declarations[n].code])),
) as { readonly [K in ElementwiseActivationName]: number };

/** An activation name, or an alias of one ('leaky_relu', 'silu'); undefined for anything else. */
export function resolveActivationName(s: unknown): ActivationName | undefined {
  if (typeof s !== 'string') return undefined;
  if (isActivationName(s)) return s;
  return activationNames.find((n) => (declarations[n].aliases as readonly string[]).includes(s));
}

/** The activation a Keras / TensorFlow.js JSON name stands for; undefined when wasm-mlp has none. */
export function activationFromKerasName(s: unknown): ActivationName | undefined {
  if (typeof s !== 'string') return undefined;
  return activationNames.find((n) => (declarations[n].keras as readonly string[]).includes(s));
}

/** Every name Keras JSON may use for an activation wasm-mlp has. */
export const kerasActivationNames: readonly string[] = Object.freeze(activationNames.flatMap((n) => declarations[n].keras));

/**
 * All activations by name. Each is `{ formula, apply(x), derivative(x) }` on f64 scalars;
 * `leakyRelu` (alpha 0.01) and `elu` (alpha 1) also have `withAlpha(alpha)`, and `softmax`
 * adds `applyVector` / `jacobian` (see {@link SoftmaxActivation}).
 *
 * @example
 * activations.sigmoid.derivative(0);            // 0.25, its maximum
 * activations.leakyRelu.withAlpha(0.2).apply(-1); // -0.2
 */
export const activations = Object.freeze(
  Object.fromEntries(activationNames.map((n) => [n, declarations[n].scalar])),
) as {
  readonly [K in Exclude<ActivationName, 'leakyRelu' | 'elu' | 'softmax'>]: ScalarActivation;
} & {
  readonly leakyRelu: ParametricActivation;
  readonly elu: ParametricActivation;
  readonly softmax: SoftmaxActivation;
};
