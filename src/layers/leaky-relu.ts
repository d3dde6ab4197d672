/** LeakyReLU: x > 0 ? x : alpha·x, a small slope so negative units still pass gradient. */
import { AlphaActivation } from './activation.js';
import type { LayerArgs, LayerConfigReader } from './layer.js';

export interface LeakyReluArgs extends LayerArgs {
  /** Slope for x ≤ 0; default 0.01. */
  alpha?: number;
}

export class LeakyReLU extends AlphaActivation {
  override readonly className = 'LeakyReLU';

  constructor(args: LeakyReluArgs = {}) {
    super(args, 'leakyRelu', 'leaky_re_lu', 0.01);
  }

  static override readonly kerasClassName = 'LeakyReLU';

  static override fromConfig(c: LayerConfigReader, args: LayerArgs): LeakyReLU {
    // tfjs writes alpha, Keras 3 negative_slope; both default to 0.3 (wasm-mlp's own default is 0.01).
    return new LeakyReLU({ ...args, alpha: c.number(['alpha', 'negative_slope'], 0.3) });
  }
}

export const leakyRelu = (args?: LeakyReluArgs): LeakyReLU => new LeakyReLU(args);
