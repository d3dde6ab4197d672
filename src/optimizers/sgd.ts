import type { OptimizerParams, OptimizerRuleName } from './rules.js';
import { Optimizer, inRange, type ClipOptions } from './optimizer.js';

export interface SgdOptions extends ClipOptions {
  /** Default 0.01 (Keras). */
  learningRate?: number;
  /** Default 0 (plain gradient descent). */
  momentum?: number;
  /** Nesterov momentum; default false. */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, optionally with (Nesterov) momentum, as tf.train.sgd / tf.train.momentum:
 * v = momentum·v + g; w −= lr·v  (Nesterov: w −= lr·(g + momentum·v)).
 */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
  get rule(): OptimizerRuleName {
    return this.momentum === 0 ? 'sgd' : this.nesterov ? 'nesterov' : 'momentum';
  }

  constructor({ learningRate = 0.01, momentum = 0, nesterov = false, ...clip }: SgdOptions = {}) {
    super(learningRate, clip, 'optimizers.sgd');
    this.momentum = inRange(momentum, 0, 1, 'optimizers.sgd momentum');
    this.nesterov = Boolean(nesterov);
  }

  fill(p: OptimizerParams): void {
    this.base(p);
    p.momentum = this.momentum;
  }

  getConfig() {
    return { learning_rate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov };
  }
}

export const sgd = (options?: SgdOptions): SGD => new SGD(options);
