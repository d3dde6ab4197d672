/**
 * Dropout (inverted): in training each unit is kept with probability 1 − rate and scaled by
 * 1/(1 − rate), so inference is the identity and needs no rescaling.
 */
import type { Backend } from '../backend/contract.js';
import { checkOptionKeys } from '../util/options.js';
import { Layer, layerArgKeys, type LayerArgs, type LayerConfigReader, type PassContext } from './layer.js';

export interface DropoutArgs extends LayerArgs {
  /** Fraction of units dropped, in [0, 1). */
  rate: number;
}

export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  private mask = 0;
  private active = false;

  constructor(args: DropoutArgs) {
    if (!args || typeof args !== 'object') throw new Error(`layers.dropout: expected an options object like { rate: 0.5 }, got ${String(args)}`);
    checkOptionKeys(args, [...layerArgKeys, 'rate'], 'layers.dropout');
    super(args, 'dropout');
    if (typeof args.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) {
      throw new Error(`${this.name}: rate must be a number in [0, 1), got ${JSON.stringify(args.rate)}`);
    }
    this.rate = args.rate;
  }

  protected override allocateExtra(b: Backend, rows: number): void {
    this.mask = this.own(b, rows * this.units);
  }

  forward(ctx: PassContext, x: number, rows: number): number {
    this.active = ctx.training && this.rate > 0;
    if (!this.active) return x;
    ctx.backend.dropout(rows * this.units, x, this.out, this.mask, this.rate, ctx.nextSeed());
    return this.out;
  }

  backward(b: Backend, rows: number, dx: number): void {
    if (!dx) return;
    if (this.active) b.multiply(rows * this.units, this.dOut, this.mask, dx);
    else b.copy(rows * this.units, this.dOut, dx);
  }

  getConfig(): Record<string, unknown> {
    return { rate: this.rate, noise_shape: null, seed: null };
  }

  static readonly kerasClassName = 'Dropout';

  static fromConfig(c: LayerConfigReader, args: LayerArgs): Dropout {
    c.refuse('noise_shape');
    return new Dropout({ ...args, rate: c.raw('rate') as number });
  }
}

export const dropout = (args: DropoutArgs): Dropout => new Dropout(args);
