import { ConfigReader, Optimizer, type LearningRate, inRange, positive, type ClipOptions, type OptimizerConfig } from './optimizer.js';
import type { OptimizerParams, OptimizerRuleName } from './rules.js';

export interface RmspropOptions extends ClipOptions {
  /** Default 0.001 (Keras). */
  /** A number or a schedule (`nn.schedules.*`). */
  learningRate?: LearningRate;
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
 * RMSprop, as tf.train.rmsprop (rules `rmsprop`, `rmspropCentered` in rules.ts). Saved as
 * TensorFlow.js's 'RMSProp' with rho also written as tfjs's `decay`.
 */
export class RMSprop extends Optimizer {
  static readonly optimizerName = 'rmsprop';
  static readonly kerasClassNames = ['RMSProp', 'RMSprop'] as const;
  readonly className = 'RMSProp';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  get rule(): OptimizerRuleName {
    return this.centered ? 'rmspropCentered' : 'rmsprop';
  }

  constructor({ learningRate = 0.001, rho = 0.9, momentum = 0, epsilon = 1e-7, centered = false, ...clip }: RmspropOptions = {}) {
    super(learningRate, clip, 'optimizers.rmsprop', ['learningRate', 'rho', 'momentum', 'epsilon', 'centered']);
    this.rho = inRange(rho, 0, 1, 'optimizers.rmsprop rho');
    this.momentum = inRange(momentum, 0, 1, 'optimizers.rmsprop momentum');
    this.epsilon = positive(epsilon, 'optimizers.rmsprop epsilon');
    this.centered = Boolean(centered);
  }

  fill(p: OptimizerParams, iteration: number): void {
    this.base(p, iteration);
    p.rho = this.rho;
    p.momentum = this.momentum;
    p.epsilon = this.epsilon;
  }

  getConfig() {
    return { learning_rate: this.learningRateConfig, decay: this.rho, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }

  static fromConfig(c: ConfigReader, className: string): RMSprop {
    // tfjs calls rho `decay`; Keras 2's `decay` is a learning-rate decay, so prefer `rho`.
    const rho = c.num('rho') ?? (className === 'RMSProp' ? c.num('decay') : undefined);
    return new RMSprop({ ...c.common(), rho, momentum: c.num('momentum'), epsilon: c.num('epsilon'), centered: c.bool('centered') });
  }
}

export const rmsprop = (options?: RmspropOptions): RMSprop => new RMSprop(options);
