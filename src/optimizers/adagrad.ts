import { ConfigReader, Optimizer, type LearningRate, positive, type ClipOptions, type OptimizerConfig } from './optimizer.js';
import type { OptimizerParams, OptimizerRuleName } from './rules.js';

export interface AdagradOptions extends ClipOptions {
  /** Default 0.001 (Keras). */
  /** A number or a schedule (`nn.schedules.*`). */
  learningRate?: LearningRate;
  /** Starting value of the squared-gradient accumulator; default 0.1. */
  initialAccumulatorValue?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

/** AdaGrad, as tf.train.adagrad (rule `adagrad` in rules.ts). */
export class Adagrad extends Optimizer {
  static readonly optimizerName = 'adagrad';
  static readonly kerasClassNames = ['Adagrad'] as const;
  readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  get rule(): OptimizerRuleName {
    return 'adagrad';
  }

  constructor({ learningRate = 0.001, initialAccumulatorValue = 0.1, epsilon = 1e-7, ...clip }: AdagradOptions = {}) {
    super(learningRate, clip, 'optimizers.adagrad', ['learningRate', 'initialAccumulatorValue', 'epsilon']);
    this.initialAccumulatorValue = positive(initialAccumulatorValue, 'optimizers.adagrad initialAccumulatorValue');
    this.epsilon = positive(epsilon, 'optimizers.adagrad epsilon');
  }

  override initialState(): number {
    return this.initialAccumulatorValue;
  }

  fill(p: OptimizerParams, iteration: number): void {
    this.base(p, iteration);
    p.epsilon = this.epsilon;
  }

  getConfig() {
    return { learning_rate: this.learningRateConfig, initial_accumulator_value: this.initialAccumulatorValue, epsilon: this.epsilon };
  }

  static fromConfig(c: ConfigReader): Adagrad {
    return new Adagrad({ ...c.common(), initialAccumulatorValue: c.num('initial_accumulator_value', 'initialAccumulatorValue'), epsilon: c.num('epsilon') });
  }
}

export const adagrad = (options?: AdagradOptions): Adagrad => new Adagrad(options);
