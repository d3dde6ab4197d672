import { Adam, type AdamOptions } from './adam.js';
import type { ConfigReader } from './optimizer.js';
import type { OptimizerParams, OptimizerRuleName } from './rules.js';

/**
 * Adamax (Kingma & Ba, section 7.1), as Keras 3 and tf.train.adamax: Adam with the second moment
 * replaced by an exponentially weighted infinity norm (rule `adamax` in rules.ts).
 */
export class Adamax extends Adam {
  static override readonly optimizerName = 'adamax';
  static override readonly kerasClassNames = ['Adamax'];
  override readonly className = 'Adamax';
  override get rule(): OptimizerRuleName {
    return 'adamax';
  }

  constructor(options: AdamOptions = {}) {
    super(options, 'optimizers.adamax');
  }

  override fill(p: OptimizerParams, iteration: number): void {
    super.fill(p, iteration);
    p.biasCorrection2 = 0;
  }

  static override fromConfig(c: ConfigReader): Adamax {
    return new Adamax(Adam.adamOptions(c));
  }
}

export const adamax = (options?: AdamOptions): Adamax => new Adamax(options);
