import { ConfigReader, Optimizer, type LearningRate, inRange, type ClipOptions, type OptimizerConfig } from './optimizer.js';
import type { OptimizerParams, OptimizerRuleName } from './rules.js';

export interface SgdOptions extends ClipOptions {
  /** Default 0.01 (Keras). */
  /** A number or a schedule (`nn.schedules.*`). */
  learningRate?: LearningRate;
  /** Default 0 (plain gradient descent). */
  momentum?: number;
  /** Nesterov momentum; default false. */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, optionally with (Nesterov) momentum, as tf.train.sgd / tf.train.momentum
 * (rules `sgd`, `momentum`, `nesterov` in rules.ts). Saved as TensorFlow.js's 'SGD' or, with
 * momentum, 'Momentum'.
 */
export class SGD extends Optimizer {
  static readonly optimizerName = 'sgd';
  static readonly kerasClassNames = ['SGD', 'Momentum'] as const;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly className = 'SGD';
  override get savedClassName(): string {
    return this.momentum > 0 ? 'Momentum' : 'SGD';
  }
  get rule(): OptimizerRuleName {
    return this.momentum === 0 ? 'sgd' : this.nesterov ? 'nesterov' : 'momentum';
  }

  constructor({ learningRate = 0.01, momentum = 0, nesterov = false, ...clip }: SgdOptions = {}) {
    super(learningRate, clip, 'optimizers.sgd', ['learningRate', 'momentum', 'nesterov']);
    this.momentum = inRange(momentum, 0, 1, 'optimizers.sgd momentum');
    this.nesterov = Boolean(nesterov);
  }

  fill(p: OptimizerParams, iteration: number): void {
    this.base(p, iteration);
    p.momentum = this.momentum;
  }

  getConfig(): OptimizerConfig {
    return this.momentum > 0 ? { learning_rate: this.learningRateConfig, momentum: this.momentum, use_nesterov: this.nesterov } : { learning_rate: this.learningRateConfig };
  }

  static fromConfig(c: ConfigReader): SGD {
    return new SGD({ ...c.common(), momentum: c.num('momentum'), nesterov: c.bool('use_nesterov', 'useNesterov', 'nesterov') });
  }
}

export const sgd = (options?: SgdOptions): SGD => new SGD(options);
