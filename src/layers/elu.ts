/** ELU: x > 0 ? x : alpha·(eˣ − 1), smooth and saturating at −alpha for negative inputs. */
import { AlphaActivation } from './activation.js';
import type { LayerArgs, LayerConfigReader } from './layer.js';

export interface EluArgs extends LayerArgs {
  /** Saturation value for large negative x; default 1. */
  alpha?: number;
}

export class ELU extends AlphaActivation {
  override readonly className = 'ELU';

  constructor(args: EluArgs = {}) {
    super(args, 'elu', 'elu', 1);
  }

  static override readonly kerasClassName = 'ELU';

  static override fromConfig(c: LayerConfigReader, args: LayerArgs): ELU {
    return new ELU({ ...args, alpha: c.number('alpha', 1) });
  }
}

export const elu = (args?: EluArgs): ELU => new ELU(args);
