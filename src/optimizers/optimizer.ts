/**
 * Base of every optimizer. An optimizer is configuration only: the model keeps the state
 * buffers (same layout as the parameters) and the iteration count, and calls the backend's fused
 * `optimizerStep` once per step over all parameters. `fill` writes this step's hyperparameters
 * into a reused object, so a training step allocates nothing.
 */
import { optimizerRules, newOptimizerParams, type OptimizerParams, type OptimizerRuleName } from './rules.js';

export { newOptimizerParams };

export interface ClipOptions {
  /** Clip each parameter's gradient to this L2 norm (Keras `clipnorm`). */
  clipNorm?: number;
  /** Clip each gradient element to [-clipValue, clipValue] (Keras `clipvalue`). */
  clipValue?: number;
}

export abstract class Optimizer {
  /** TensorFlow.js / Keras class name used when saving ('Adam', 'SGD', …). */
  abstract readonly className: string;
  /** The update rule this optimizer runs with its current settings (src/optimizers/rules.ts). */
  abstract get rule(): OptimizerRuleName;
  /** How many state buffers, each the size of the parameters, this optimizer keeps (declared by its rule). */
  get slots(): number {
    return optimizerRules[this.rule].slots;
  }
  readonly learningRate: number;
  readonly clipNorm: number;
  readonly clipValue: number;

  constructor(learningRate: number, clip: ClipOptions, what: string) {
    this.learningRate = positive(learningRate, `${what} learningRate`);
    this.clipNorm = clip.clipNorm === undefined ? 0 : positive(clip.clipNorm, `${what} clipNorm`);
    this.clipValue = clip.clipValue === undefined ? 0 : positive(clip.clipValue, `${what} clipValue`);
  }

  /** Initial value of state slot `slot` (AdaGrad starts its accumulator above zero). */
  initialState(_slot: number): number {
    return 0;
  }

  /** Write the hyperparameters of step number `iteration` (1-based) into `p`. */
  abstract fill(p: OptimizerParams, iteration: number): void;

  /** Keras-style config (snake_case keys where Keras uses them), for saving. */
  abstract getConfig(): Record<string, number | boolean>;

  /** Start this step's fields: the rule, the learning rate and clipping; every other field 0. */
  protected base(p: OptimizerParams): void {
    p.kind = optimizerRules[this.rule].code;
    p.learningRate = this.learningRate;
    p.momentum = p.rho = p.beta1 = p.beta2 = p.epsilon = p.weightDecay = 0;
    p.biasCorrection1 = p.biasCorrection2 = p.firstMomentWeight = p.gradientWeight = 0;
    p.clipValue = this.clipValue;
  }
}

export function positive(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${what}: expected a finite number > 0, got ${String(v)}`);
  return v;
}

export function inRange(v: unknown, lo: number, hi: number, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v >= hi) throw new Error(`${what}: expected a number in [${lo}, ${hi}), got ${String(v)}`);
  return v;
}
