/** ELU: x > 0 ? x : alpha·(eˣ − 1), smooth and saturating at −alpha for negative inputs. */
import { Activation } from './activation.js';
import type { LayerArgs } from './layer.js';

export interface EluArgs extends LayerArgs {
  /** Saturation value for large negative x; default 1. */
  alpha?: number;
}

export class ELU extends Activation {
  override readonly className = 'ELU';
  readonly alpha: number;

  constructor(args: EluArgs = {}) {
    const alpha = args.alpha ?? 1;
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new Error(`elu: alpha must be a finite number, got ${String(alpha)}`);
    super({ ...args, activation: 'elu' }, 'elu', alpha);
    this.alpha = alpha;
  }

  override getConfig(): Record<string, unknown> {
    return { alpha: this.alpha };
  }
}

export const elu = (args?: EluArgs): ELU => new ELU(args);
