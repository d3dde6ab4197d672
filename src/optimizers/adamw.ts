import type { OptimizerParams, OptimizerRuleName } from './rules.js';
import { Adam, type AdamOptions } from './adam.js';

export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay; default 0.004 (Keras). */
  weightDecay?: number;
}

/**
 * AdamW (Loshchilov & Hutter), as Keras: w −= lr·weightDecay·w, then the Adam step.
 * TensorFlow.js has no AdamW; this follows Keras's rule.
 */
export class AdamW extends Adam {
  override readonly className = 'AdamW';
  override get rule(): OptimizerRuleName {
    return 'adamw';
  }
  readonly weightDecay: number;

  constructor({ weightDecay = 0.004, ...rest }: AdamWOptions = {}) {
    super(rest, 'optimizers.adamw');
    if (typeof weightDecay !== 'number' || !Number.isFinite(weightDecay) || weightDecay < 0) {
      throw new Error(`optimizers.adamw weightDecay: expected a finite number >= 0, got ${String(weightDecay)}`);
    }
    this.weightDecay = weightDecay;
  }

  override fill(p: OptimizerParams, iteration: number): void {
    super.fill(p, iteration);
    p.weightDecay = this.weightDecay;
  }

  override getConfig() {
    return { ...super.getConfig(), weight_decay: this.weightDecay };
  }
}

export const adamw = (options?: AdamWOptions): AdamW => new AdamW(options);
