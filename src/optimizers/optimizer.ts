/**
 * Base of every optimizer. An optimizer is configuration only: the model keeps the state
 * buffers (same layout as the parameters) and the iteration count, and calls the backend's fused
 * `optimizerStep` once per step over all parameters. `fill` writes this step's hyperparameters
 * into a reused object, so a training step allocates nothing.
 */
import { Opt, type OptCode, type OptimizerParams } from '../backend/contract.js';

export interface ClipOptions {
  /** Clip each parameter's gradient to this L2 norm (Keras `clipnorm`). */
  clipNorm?: number;
  /** Clip each gradient element to [-clipValue, clipValue] (Keras `clipvalue`). */
  clipValue?: number;
}

export abstract class Optimizer {
  /** TensorFlow.js / Keras class name used when saving ('Adam', 'SGD', …). */
  abstract readonly className: string;
  /** How many state buffers, each the size of the parameters, this optimizer keeps. */
  abstract readonly slots: number;
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

  protected base(p: OptimizerParams, kind: OptCode): void {
    p.kind = kind;
    p.lr = this.learningRate;
    p.p1 = p.p2 = p.p3 = p.p4 = 0;
    p.eps = 0;
    p.weightDecay = 0;
    p.clipValue = this.clipValue;
  }
}

export function newOptimizerParams(): OptimizerParams {
  return { kind: Opt.sgd, lr: 0, p1: 0, p2: 0, p3: 0, p4: 0, eps: 0, weightDecay: 0, clipValue: 0 };
}

export function positive(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${what}: expected a finite number > 0, got ${String(v)}`);
  return v;
}

export function inRange(v: unknown, lo: number, hi: number, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v >= hi) throw new Error(`${what}: expected a number in [${lo}, ${hi}), got ${String(v)}`);
  return v;
}
