import type { OptimizerParams, OptimizerRuleName } from './rules.js';
import { Optimizer, inRange, positive, type ClipOptions } from './optimizer.js';

export interface RmspropOptions extends ClipOptions {
  /** Default 0.001 (Keras). */
  learningRate?: number;
  /** Decay of the squared-gradient average; default 0.9. */
  rho?: number;
  /** Default 0. */
  momentum?: number;
  /** Default 1e-7. */
  epsilon?: number;
  /** Divide by the gradient's estimated variance instead of its second moment; default false. */
  centered?: boolean;
}

/**
 * RMSprop, as tf.train.rmsprop: ms = ρ·ms + (1−ρ)·g²; mom = momentum·mom + lr·g / sqrt(ms + ε); w −= mom.
 * Centered: also mg = ρ·mg + (1−ρ)·g, and sqrt(ms − mg² + ε) in the denominator.
 */
export class RMSprop extends Optimizer {
  readonly className = 'RMSProp';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  get rule(): OptimizerRuleName {
    return this.centered ? 'rmspropCentered' : 'rmsprop';
  }

  constructor({ learningRate = 0.001, rho = 0.9, momentum = 0, epsilon = 1e-7, centered = false, ...clip }: RmspropOptions = {}) {
    super(learningRate, clip, 'optimizers.rmsprop');
    this.rho = inRange(rho, 0, 1, 'optimizers.rmsprop rho');
    this.momentum = inRange(momentum, 0, 1, 'optimizers.rmsprop momentum');
    this.epsilon = positive(epsilon, 'optimizers.rmsprop epsilon');
    this.centered = Boolean(centered);
  }

  fill(p: OptimizerParams): void {
    this.base(p);
    p.rho = this.rho;
    p.momentum = this.momentum;
    p.epsilon = this.epsilon;
  }

  getConfig() {
    return { learning_rate: this.learningRate, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

export const rmsprop = (options?: RmspropOptions): RMSprop => new RMSprop(options);
