import { Adam, type AdamOptions } from './adam.js';
import type { ConfigReader } from './optimizer.js';
import type { OptimizerParams, OptimizerRuleName } from './rules.js';

/** Keras's momentum-schedule decay: μ_t = β1·(1 − ½·0.96ᵗ). */
const SCHEDULE_DECAY = 0.96;

/**
 * Nadam (Dozat 2015): Adam with Nesterov momentum, as Keras 3 defines it, momentum schedule
 * included (rule `nadam` in rules.ts). With μ_t = β1·(1 − ½·0.96ᵗ) and Π_t = μ_1·…·μ_t:
 * m̂ = μ_{t+1}·m / (1 − Π_t·μ_{t+1}) + (1 − μ_t)·g / (1 − Π_t), v̂ = v / (1 − β2ᵗ),
 * w −= lr·m̂ / (√v̂ + ε). TensorFlow.js has no Nadam, so a model saved with it loads in tfjs uncompiled.
 */
export class Nadam extends Adam {
  static override readonly optimizerName = 'nadam';
  static override readonly kerasClassNames = ['Nadam'];
  override readonly className = 'Nadam';
  override get rule(): OptimizerRuleName {
    return 'nadam';
  }
  override get tfjsCompatible(): boolean {
    return false;
  }
  /** Π_t for t = productStep, kept so a step costs one multiplication (Keras keeps it as a variable). */
  private product = 1;
  private productStep = 0;

  constructor(options: AdamOptions = {}) {
    super(options, 'optimizers.nadam');
  }

  private mu(t: number): number {
    return this.beta1 * (1 - 0.5 * Math.pow(SCHEDULE_DECAY, t));
  }

  /** Π_t = μ_1·…·μ_t. */
  private muProduct(t: number): number {
    if (t === this.productStep + 1) {
      this.product *= this.mu(t);
    } else if (t !== this.productStep) {
      this.product = 1;
      for (let i = 1; i <= t; i++) this.product *= this.mu(i);
    }
    this.productStep = t;
    return this.product;
  }

  override fill(p: OptimizerParams, iteration: number): void {
    super.fill(p, iteration);
    const t = iteration;
    const muT = this.mu(t), muNext = this.mu(t + 1);
    const product = this.muProduct(t);
    p.biasCorrection1 = 0;
    p.firstMomentWeight = muNext / (1 - product * muNext);
    p.gradientWeight = (1 - muT) / (1 - product);
  }

  static override fromConfig(c: ConfigReader): Nadam {
    return new Nadam(Adam.adamOptions(c));
  }
}

export const nadam = (options?: AdamOptions): Nadam => new Nadam(options);
