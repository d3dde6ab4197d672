/**
 * Dense: y = f(x·W + b), with W of shape [in, units] (as Keras/TensorFlow.js store it).
 * Forward is one gemm with the bias fused, then the activation; backward is three kernel calls:
 *   dW = xᵀ·dz,  db = Σ_rows dz,  dx = dz·Wᵀ   where dz = dy ⊙ f′(z).
 * When the input is mostly zeros (./sparse-input.ts) x·W and xᵀ·dz run over its non-zeros
 * only, with the same results.
 */
import { Layout, type Backend } from '../backend/contract.js';
import { getInitializer, glorotUniform, zeros, type Initializer } from '../initializers.js';
import { getRegularizer, type Regularizer } from '../regularizers.js';
import { activationBackward, activationForward, getActivation, type ActivationName, type ActivationSpec } from './activation-kernels.js';
import { checkOptionKeys } from '../util/options.js';
import { SparseInput } from './sparse-input.js';
import { Layer, layerArgKeys, type KerasEntry, type LayerArgs, type LayerConfigReader, type Param, type PassContext } from './layer.js';

export interface DenseArgs extends LayerArgs {
  units: number;
  /** Default 'linear'. */
  activation?: ActivationName;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: string | Initializer;
  /** Default 'zeros'. */
  biasInitializer?: string | Initializer;
  kernelRegularizer?: Regularizer | string;
  biasRegularizer?: Regularizer | string;
}

export class Dense extends Layer {
  readonly className = 'Dense';
  readonly activation: ActivationSpec;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | undefined;
  readonly biasRegularizer: Regularizer | undefined;
  private readonly requestedUnits: number;
  /** Pre-activation z (same as `out` when the activation is linear). */
  private pre = 0;
  private input = 0;
  /** Compresses mostly-zero inputs; `inputSparse` is the block the last forward ran over, else 0 (backward uses it too). */
  private readonly sparseIn = new SparseInput();
  private inputSparse = 0;

  constructor(args: DenseArgs) {
    if (!args || typeof args !== 'object') throw new Error(`layers.dense: expected an options object like { units: 8 }, got ${String(args)}`);
    checkOptionKeys(args, [...layerArgKeys, 'units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'], 'layers.dense');
    super(args, 'dense');
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new Error(`${this.name}: units must be an integer >= 1, got ${JSON.stringify(args.units)}`);
    }
    this.requestedUnits = args.units;
    this.activation = getActivation(args.activation, this.name);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer, glorotUniform, `${this.name} kernelInitializer`);
    this.biasInitializer = getInitializer(args.biasInitializer, zeros, `${this.name} biasInitializer`);
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer, `${this.name} kernelRegularizer`);
    this.biasRegularizer = getRegularizer(args.biasRegularizer, `${this.name} biasRegularizer`);
  }

  protected override outputUnits(): number {
    return this.requestedUnits;
  }

  protected override declareParams(): Param[] {
    const ps = [this.param('kernel', [this.inUnits, this.units], this.inUnits, this.units, this.kernelInitializer, this.kernelRegularizer)];
    if (this.useBias) ps.push(this.param('bias', [this.units], this.inUnits, this.units, this.biasInitializer, this.biasRegularizer));
    return ps;
  }

  protected override allocateExtra(b: Backend, rows: number): void {
    this.pre = this.activation.name === 'linear' ? this.out : this.own(b, rows * this.units);
    if (SparseInput.applies(this.units)) this.sparseIn.attach(this.own(b, SparseInput.floats(rows, this.inUnits)), rows, this.inUnits);
  }

  override release(b: Backend): void {
    super.release(b);
    this.sparseIn.attach(0, 0, 0);
  }

  override get outputActivation(): string {
    return this.activation.name;
  }

  forward(ctx: PassContext, x: number, rows: number): number {
    const b = ctx.backend;
    const [kernel, bias] = this.params as [Param, Param | undefined];
    this.input = x;
    this.inputSparse = this.sparseIn.compress(b, x, rows, this.units);
    if (this.inputSparse) b.gemmSparse(Layout.NN, rows, this.units, this.inUnits, this.inputSparse, kernel.offset, this.pre, false, bias ? bias.offset : 0);
    else b.gemm(Layout.NN, rows, this.units, this.inUnits, x, kernel.offset, this.pre, false, bias ? bias.offset : 0);
    if (this.pre !== this.out) activationForward(b, this.activation, rows, this.units, this.pre, this.out);
    return this.out;
  }

  backward(b: Backend, rows: number, dx: number): void {
    const [kernel, bias] = this.params as [Param, Param | undefined];
    const dz = this.dOut;
    if (!this.fusedOutputGrad && this.pre !== this.out) {
      activationBackward(b, this.activation, rows, this.units, this.pre, this.out, dz, dz);
    }
    if (this.inputSparse) b.gemmSparse(Layout.TN, this.inUnits, this.units, rows, this.inputSparse, dz, kernel.grad, false, 0);
    else b.gemm(Layout.TN, this.inUnits, this.units, rows, this.input, dz, kernel.grad, false, 0);
    if (bias) b.columnSums(rows, this.units, dz, bias.grad, false);
    if (dx) b.gemm(Layout.NT, rows, this.inUnits, this.units, dz, kernel.offset, dx, false, 0);
  }

  getConfig(): Record<string, unknown> {
    return {
      units: this.units || this.requestedUnits,
      activation: this.activation.name,
      use_bias: this.useBias,
      kernel_initializer: this.kernelInitializer,
      bias_initializer: this.biasInitializer,
      kernel_regularizer: this.kernelRegularizer ?? null,
      bias_regularizer: this.biasRegularizer ?? null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    };
  }

  override toKeras(unique: (base: string) => string): KerasEntry[] {
    const config = this.getConfig();
    if (this.activation.name !== 'leakyRelu') return [{ className: 'Dense', config }];
    // Keras has no leaky-ReLU activation string with an alpha: write Dense + LeakyReLU.
    return [
      { className: 'Dense', config: { ...config, activation: 'linear' } },
      { className: 'LeakyReLU', config: { alpha: this.activation.alpha, name: unique(`${this.name}_leaky_re_lu`), trainable: true } },
    ];
  }

  static readonly kerasClassName: string = 'Dense';

  static fromConfig(c: LayerConfigReader, args: LayerArgs): Dense {
    const units = c.raw('units');
    if (typeof units !== 'number' || !Number.isInteger(units) || units < 1 || units > 2 ** 26) {
      throw new Error(`units must be an integer in [1, 2^26], got ${JSON.stringify(units)}`);
    }
    c.refuse('activity_regularizer', 'kernel_constraint', 'bias_constraint');
    const useBias = c.raw('use_bias') ?? true;
    if (typeof useBias !== 'boolean') throw new Error(`use_bias must be true or false, got ${JSON.stringify(useBias)}`);
    return new Dense({
      ...args,
      units,
      activation: c.activation('activation'),
      useBias,
      kernelInitializer: c.initializer('kernel_initializer'),
      biasInitializer: c.initializer('bias_initializer'),
      kernelRegularizer: c.regularizer('kernel_regularizer'),
      biasRegularizer: c.regularizer('bias_regularizer'),
    });
  }
}

export const dense = (args: DenseArgs): Dense => new Dense(args);
