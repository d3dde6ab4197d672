import { ConfigReader, Optimizer, type LearningRate, inRange, positive, type ClipOptions, type OptimizerConfig } from './optimizer.js';
import type { OptimizerParams, OptimizerRuleName } from './rules.js';

export interface AdamOptions extends ClipOptions {
  /** Default 0.001. */
  /** A number or a schedule (`nn.schedules.*`). */
  learningRate?: LearningRate;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-7 (Keras and TensorFlow.js). */
  epsilon?: number;
}

export const adamKeys = ['learningRate', 'beta1', 'beta2', 'epsilon'] as const;

/** Adam, as tf.train.adam (rule `adam` in rules.ts). */
export class Adam extends Optimizer {
  static readonly optimizerName: string = 'adam';
  static readonly kerasClassNames: readonly string[] = ['Adam'];
  readonly className: string = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  get rule(): OptimizerRuleName {
    return 'adam';
  }

  constructor({ learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, ...clip }: AdamOptions = {}, what = 'optimizers.adam', keys: readonly string[] = adamKeys) {
    super(learningRate, clip, what, keys);
    this.beta1 = inRange(beta1, 0, 1, `${what} beta1`);
    this.beta2 = inRange(beta2, 0, 1, `${what} beta2`);
    this.epsilon = positive(epsilon, `${what} epsilon`);
  }

  fill(p: OptimizerParams, iteration: number): void {
    this.base(p, iteration);
    p.beta1 = this.beta1;
    p.beta2 = this.beta2;
    p.biasCorrection1 = 1 - Math.pow(this.beta1, iteration);
    p.biasCorrection2 = 1 - Math.pow(this.beta2, iteration);
    p.epsilon = this.epsilon;
  }

  getConfig(): OptimizerConfig {
    return { learning_rate: this.learningRateConfig, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  /** The options Adam and its relatives read from a saved config. */
  protected static adamOptions(c: ConfigReader): AdamOptions {
    return { ...c.common(), beta1: c.num('beta1', 'beta_1'), beta2: c.num('beta2', 'beta_2'), epsilon: c.num('epsilon') };
  }

  static fromConfig(c: ConfigReader): Adam {
    return new Adam(Adam.adamOptions(c));
  }
}

export const adam = (options?: AdamOptions): Adam => new Adam(options);
