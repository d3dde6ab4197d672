/** ELU: x > 0 ? x : alpha·(eˣ − 1), smooth and saturating at −alpha for negative inputs. */
import { AlphaActivation } from './activation.js';
import type { LayerArgs } from './layer.js';

export interface EluArgs extends LayerArgs {
  /** Saturation value for large negative x; default 1. */
  alpha?: number;
}

export class ELU extends AlphaActivation {
  override readonly className = 'ELU';

  constructor(args: EluArgs = {}) {
    super(args, 'elu', 'elu', 1);
  }
}

export const elu = (args?: EluArgs): ELU => new ELU(args);
