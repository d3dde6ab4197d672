import { Adam, adamKeys, type AdamOptions } from './adam.js';
import type { ConfigReader } from './optimizer.js';
import type { OptimizerParams, OptimizerRuleName } from './rules.js';

export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay; default 0.004 (Keras). */
  weightDecay?: number;
}

/**
 * AdamW (Loshchilov & Hutter), as Keras (rule `adamw` in rules.ts). TensorFlow.js has no AdamW,
 * so a model saved with it loads in tfjs uncompiled.
 */
export class AdamW extends Adam {
  static override readonly optimizerName = 'adamw';
  static override readonly kerasClassNames = ['AdamW'];
  override readonly className = 'AdamW';
  readonly weightDecay: number;
  override get rule(): OptimizerRuleName {
    return 'adamw';
  }
  override get tfjsCompatible(): boolean {
    return false;
  }

  constructor({ weightDecay = 0.004, ...rest }: AdamWOptions = {}) {
    super(rest, 'optimizers.adamw', [...adamKeys, 'weightDecay']);
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

  static override fromConfig(c: ConfigReader): AdamW {
    return new AdamW({ ...Adam.adamOptions(c), weightDecay: c.num('weight_decay', 'weightDecay') });
  }
}

export const adamw = (options?: AdamWOptions): AdamW => new AdamW(options);
