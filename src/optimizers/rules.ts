/**
 * The optimizer update rules the backends implement, each declared once: its kernel code
 * (`Opt`, generated into assembly/codes.ts by scripts/build-wasm.mjs), how many state slots it
 * keeps, which named hyperparameters of {@link OptimizerParams} it reads, and its formula — the
 * one place the rule is written down in words. An optimizer class (sgd.ts, adam.ts, …) picks a
 * rule and fills the named fields; each backend's kernel implements the formula.
 *
 * Before any rule, g is clipped to [−clipValue, clipValue] when clipValue > 0. State slot k
 * (s1, s2, s3) lives at `state + k·n` floats.
 */

/**
 * Hyperparameters of one optimizer step, by name. Fields a rule does not read are 0. The wasm
 * adapter passes them to the kernel in this order; nothing else packs or renames them.
 */
export interface OptimizerParams {
  /** Which rule (`Opt`). */
  kind: number;
  learningRate: number;
  /** sgd momentum / nesterov, rmsprop. */
  momentum: number;
  /** rmsprop's decay of the squared-gradient average. */
  rho: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** adamw's decoupled weight decay. */
  weightDecay: number;
  /** 0 = off. */
  clipValue: number;
  /** This step's 1 − β1ᵗ (adam, adamw, adamax). */
  biasCorrection1: number;
  /** This step's 1 − β2ᵗ (adam, adamw, nadam). */
  biasCorrection2: number;
  /** nadam: m̂ = firstMomentWeight·m + gradientWeight·g (the momentum schedule folded in). */
  firstMomentWeight: number;
  gradientWeight: number;
}

/** The named hyperparameters, in the order the wasm kernel takes them. */
export const optimizerParamNames = [
  'learningRate', 'momentum', 'rho', 'beta1', 'beta2', 'epsilon', 'weightDecay', 'clipValue',
  'biasCorrection1', 'biasCorrection2', 'firstMomentWeight', 'gradientWeight',
] as const satisfies readonly (keyof OptimizerParams)[];

interface RuleDeclaration {
  /** Kernel code; stable, compiled into the wasm kernels. */
  readonly code: number;
  /** State buffers, each the size of the parameters. */
  readonly slots: 0 | 1 | 2 | 3;
  /** The update, in the names of OptimizerParams. */
  readonly formula: string;
  /**
   * Each slot's name in a saved file: '<weight>/<name>', as TensorFlow.js's optimizer getWeights()
   * writes them (Keras 3 names for the optimizers tfjs lacks).
   */
  readonly stateNames: readonly string[];
}

const declarations = {
  sgd: { code: 0, slots: 0, stateNames: [], formula: 'w −= learningRate·g' },
  momentum: { code: 1, slots: 1, stateNames: ['momentum'], formula: 'v = momentum·v + g; w −= learningRate·v   (s1 = v)' },
  nesterov: { code: 2, slots: 1, stateNames: ['momentum'], formula: 'v = momentum·v + g; w −= learningRate·(g + momentum·v)   (s1 = v)' },
  adagrad: { code: 3, slots: 1, stateNames: ['accumulator'], formula: 'a += g²; w −= learningRate·g / √(a + epsilon)   (s1 = a)' },
  rmsprop: {
    code: 4, slots: 2, stateNames: ['rms', 'momentum'],
    formula: 'ms = rho·ms + (1 − rho)·g²; mom = momentum·mom + learningRate·g / √(ms + epsilon); w −= mom   (s1 = ms, s2 = mom)',
  },
  rmspropCentered: {
    code: 5, slots: 3, stateNames: ['rms', 'momentum', 'mg'],
    formula: 'as rmsprop, plus mg = rho·mg + (1 − rho)·g and the root √(ms − mg² + epsilon)   (s3 = mg)',
  },
  adam: {
    code: 6, slots: 2, stateNames: ['m', 'v'],
    formula: 'm = beta1·m + (1 − beta1)·g; v = beta2·v + (1 − beta2)·g²; w −= learningRate·(m / biasCorrection1) / (√(v / biasCorrection2) + epsilon)   (s1 = m, s2 = v)',
  },
  adamw: { code: 7, slots: 2, stateNames: ['m', 'v'], formula: 'w −= learningRate·weightDecay·w, then adam' },
  adamax: {
    code: 8, slots: 2, stateNames: ['m', 'v'],
    formula: 'm = beta1·m + (1 − beta1)·g; u = max(beta2·u, |g|); w −= learningRate·m / (biasCorrection1·(u + epsilon))   (s1 = m, s2 = u)',
  },
  nadam: {
    code: 9, slots: 2, stateNames: ['m', 'v'],
    formula: 'm = beta1·m + (1 − beta1)·g; v = beta2·v + (1 − beta2)·g²; w −= learningRate·(firstMomentWeight·m + gradientWeight·g) / (√(v / biasCorrection2) + epsilon)   (s1 = m, s2 = v)',
  },
} as const satisfies Record<string, RuleDeclaration>;

export type OptimizerRuleName = keyof typeof declarations;
export const optimizerRules: { readonly [K in OptimizerRuleName]: RuleDeclaration } = declarations;
export const optimizerRuleNames = Object.freeze(Object.keys(declarations)) as readonly OptimizerRuleName[];

/** Optimizer rule codes by name, shared with AssemblyScript (assembly/codes.ts). */
export const Opt = Object.freeze(Object.fromEntries(optimizerRuleNames.map((n) => [n, declarations[n].code]))) as {
  readonly [K in OptimizerRuleName]: number;
};

/** State slots of the rule with code `kind`. */
export function slotsOf(kind: number): number {
  for (const n of optimizerRuleNames) if (declarations[n].code === kind) return declarations[n].slots;
  throw new Error(`optimizer: unknown rule code ${kind}`);
}

/** A zeroed OptimizerParams (reused across steps, so a step allocates nothing). */
export function newOptimizerParams(): OptimizerParams {
  return {
    kind: 0, learningRate: 0, momentum: 0, rho: 0, beta1: 0, beta2: 0, epsilon: 0, weightDecay: 0, clipValue: 0,
    biasCorrection1: 0, biasCorrection2: 0, firstMomentWeight: 0, gradientWeight: 0,
  };
}
