/** LeakyReLU: x > 0 ? x : alpha·x, a small slope so negative units still pass gradient. */
import { AlphaActivation } from './activation.js';
import type { LayerArgs } from './layer.js';

export interface LeakyReluArgs extends LayerArgs {
  /** Slope for x ≤ 0; default 0.01. */
  alpha?: number;
}

export class LeakyReLU extends AlphaActivation {
  override readonly className = 'LeakyReLU';

  constructor(args: LeakyReluArgs = {}) {
    super(args, 'leakyRelu', 'leaky_re_lu', 0.01);
  }
}

export const leakyRelu = (args?: LeakyReluArgs): LeakyReLU => new LeakyReLU(args);
