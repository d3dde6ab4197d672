import type { OptimizerParams, OptimizerRuleName } from './rules.js';
import { Optimizer, inRange, positive, type ClipOptions } from './optimizer.js';

export interface AdamOptions extends ClipOptions {
  /** Default 0.001. */
  learningRate?: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-7 (Keras and TensorFlow.js). */
  epsilon?: number;
}

/**
 * Adam, as tf.train.adam: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * w −= lr · (m / (1−β1ᵗ)) / (sqrt(v / (1−β2ᵗ)) + ε).
 */
export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  get rule(): OptimizerRuleName {
    return 'adam';
  }
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor({ learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, ...clip }: AdamOptions = {}, what = 'optimizers.adam') {
    super(learningRate, clip, what);
    this.beta1 = inRange(beta1, 0, 1, `${what} beta1`);
    this.beta2 = inRange(beta2, 0, 1, `${what} beta2`);
    this.epsilon = positive(epsilon, `${what} epsilon`);
  }

  fill(p: OptimizerParams, iteration: number): void {
    this.base(p);
    p.beta1 = this.beta1;
    p.beta2 = this.beta2;
    p.biasCorrection1 = 1 - Math.pow(this.beta1, iteration);
    p.biasCorrection2 = 1 - Math.pow(this.beta2, iteration);
    p.epsilon = this.epsilon;
  }

  getConfig(): Record<string, number | boolean> {
    return { learning_rate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export const adam = (options?: AdamOptions): Adam => new Adam(options);
