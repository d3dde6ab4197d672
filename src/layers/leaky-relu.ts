/** LeakyReLU: x > 0 ? x : alpha·x, a small slope so negative units still pass gradient. */
import { Activation } from './activation.js';
import type { LayerArgs } from './layer.js';

export interface LeakyReluArgs extends LayerArgs {
  /** Slope for x ≤ 0; default 0.01. */
  alpha?: number;
}

export class LeakyReLU extends Activation {
  override readonly className = 'LeakyReLU';
  readonly alpha: number;

  constructor(args: LeakyReluArgs = {}) {
    const alpha = args.alpha ?? 0.01;
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new Error(`leakyRelu: alpha must be a finite number, got ${String(alpha)}`);
    super({ ...args, activation: 'leakyRelu' }, 'leaky_re_lu', alpha);
    this.alpha = alpha;
  }

  override getConfig(): Record<string, unknown> {
    return { alpha: this.alpha };
  }
}

export const leakyRelu = (args?: LeakyReluArgs): LeakyReLU => new LeakyReLU(args);
