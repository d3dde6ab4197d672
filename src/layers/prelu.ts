/**
 * PReLU: x > 0 ? x : alpha[j]·x with one learned slope per unit (He et al. 2015).
 * Alpha starts at zero (Keras default), i.e. as a ReLU, and learns from dalpha = Σ dy·x over x ≤ 0.
 */
import type { Backend } from '../backend/contract.js';
import { getInitializer, zeros, type Initializer } from '../initializers.js';
import { getRegularizer, type Regularizer } from '../regularizers.js';
import { checkOptionKeys } from '../util/options.js';
import { Layer, layerArgKeys, type LayerArgs, type LayerConfigReader, type Param, type PassContext } from './layer.js';

export interface PreluArgs extends LayerArgs {
  /** Default 'zeros'. */
  alphaInitializer?: string | Initializer;
  alphaRegularizer?: Regularizer | string;
}

export class PReLU extends Layer {
  readonly className = 'PReLU';
  readonly alphaInitializer: Initializer;
  readonly alphaRegularizer: Regularizer | undefined;
  private input = 0;

  constructor(args: PreluArgs = {}) {
    checkOptionKeys(args, [...layerArgKeys, 'alphaInitializer', 'alphaRegularizer'], 'layers.prelu');
    super(args, 'p_re_lu');
    this.alphaInitializer = getInitializer(args.alphaInitializer, zeros, `${this.name} alphaInitializer`);
    this.alphaRegularizer = getRegularizer(args.alphaRegularizer, `${this.name} alphaRegularizer`);
  }

  protected override declareParams(): Param[] {
    return [this.param('alpha', [this.units], this.units, this.units, this.alphaInitializer, this.alphaRegularizer)];
  }

  forward(ctx: PassContext, x: number, rows: number): number {
    this.input = x;
    ctx.backend.prelu(rows, this.units, x, this.params[0]!.offset, this.out);
    return this.out;
  }

  backward(b: Backend, rows: number, dx: number): void {
    const alpha = this.params[0]!;
    // preluGrad accumulates into dalpha.
    b.fill(this.units, alpha.grad, 0);
    b.preluGrad(rows, this.units, this.input, alpha.offset, this.dOut, dx || this.dOut, alpha.grad);
  }

  getConfig(): Record<string, unknown> {
    return { alpha_initializer: this.alphaInitializer, alpha_regularizer: this.alphaRegularizer ?? null, alpha_constraint: null, shared_axes: null };
  }

  static readonly kerasClassName = 'PReLU';

  static fromConfig(c: LayerConfigReader, args: LayerArgs): PReLU {
    c.refuse('alpha_constraint', 'shared_axes');
    return new PReLU({ ...args, alphaInitializer: c.initializer('alpha_initializer'), alphaRegularizer: c.regularizer('alpha_regularizer') });
  }
}

export const prelu = (args?: PreluArgs): PReLU => new PReLU(args);
