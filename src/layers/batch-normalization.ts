/**
 * BatchNormalization (Ioffe & Szegedy 2015), as Keras / TensorFlow.js compute it on [batch, features]:
 *   training:  y = (x − μ_B)/sqrt(σ²_B + ε)·γ + β with the batch's own mean and (biased) variance,
 *              the gradient flowing through μ_B and σ²_B too;
 *   inference: the same with the moving mean and variance instead.
 * After each kept training step the moving statistics move toward the batch's:
 *   moving −= (moving − batch)·(1 − momentum)
 * (committed in `commitStep`, so a step refused as diverging changes nothing). γ and β are
 * trainable parameters; moving_mean and moving_variance are non-trainable weights, saved and
 * returned by getWeights in TensorFlow.js's order.
 */
import type { Backend } from '../backend/contract.js';
import { getInitializer, ones, zeros, type Initializer } from '../initializers.js';
import { checkOptionKeys } from '../util/options.js';
import { KernelNumbers, layerArgKeys, type LayerArgs, type LayerConfigReader, type Param, type PassContext } from './layer.js';
import {
  AffineNormalization, checkNormalizationArgs, normalizationConfig, normalizationFromConfig, normalizationKeys, refuseTrue,
  type NormalizationArgs, type NormalizationOptions,
} from './normalization-args.js';

export interface BatchNormalizationArgs extends NormalizationArgs {
  /** Weight of the old value in the moving averages, in [0, 1]. Default 0.99. */
  momentum?: number;
  /** Default 'zeros'. */
  movingMeanInitializer?: string | Initializer;
  /** Default 'ones'. */
  movingVarianceInitializer?: string | Initializer;
}

export class BatchNormalization extends AffineNormalization {
  readonly className = 'BatchNormalization';
  readonly momentum: number;
  readonly options: NormalizationOptions;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
  private input = 0;
  /** The last training batch's mean and variance, and scratch for the gradient of a missing γ/β. */
  private batchMean = 0;
  private batchVariance = 0;
  private scratch = 0;
  /** A training forward pass measured statistics that the next kept step commits. */
  private pending = false;
  /** epsilon, momentum (passed to kernels without a box per step). */
  private readonly k: KernelNumbers;

  constructor(args: BatchNormalizationArgs = {}) {
    if (!args || typeof args !== 'object') throw new Error(`layers.batchNormalization: expected an options object like { momentum: 0.99 }, got ${String(args)}`);
    checkOptionKeys(args, [...layerArgKeys, ...normalizationKeys, 'momentum', 'movingMeanInitializer', 'movingVarianceInitializer'], 'layers.batchNormalization');
    super(args, 'batch_normalization');
    this.options = checkNormalizationArgs(args, this.name);
    const momentum = args.momentum ?? 0.99;
    if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new Error(`${this.name}: momentum must be a number in [0, 1], got ${JSON.stringify(args.momentum)}`);
    this.momentum = momentum;
    this.movingMeanInitializer = getInitializer(args.movingMeanInitializer, zeros, `${this.name} movingMeanInitializer`);
    this.movingVarianceInitializer = getInitializer(args.movingVarianceInitializer, ones, `${this.name} movingVarianceInitializer`);
    this.k = new KernelNumbers(this.options.epsilon, momentum);
  }

  protected override declareNonTrainable(): Param[] {
    const n = this.units;
    // A negative variance would make every prediction NaN: setWeights and loading refuse it.
    return [this.param('moving_mean', [n], n, n, this.movingMeanInitializer), { ...this.param('moving_variance', [n], n, n, this.movingVarianceInitializer), nonNegative: true }];
  }

  protected override allocateExtra(b: Backend, _rows: number): void {
    this.batchMean = this.own(b, this.units);
    this.batchVariance = this.own(b, this.units);
    this.scratch = this.own(b, 2 * this.units);
  }

  forward(ctx: PassContext, x: number, rows: number): number {
    const b = ctx.backend, n = this.units, eps = this.k.at(0);
    const gamma = this.gamma?.offset ?? 0, beta = this.beta?.offset ?? 0;
    if (ctx.training) {
      this.input = x;
      b.moments(0, rows, n, x, this.batchMean, this.batchVariance);
      b.normalize(0, rows, n, x, this.batchMean, this.batchVariance, eps, gamma, beta, this.out);
      this.pending = true;
    } else {
      b.normalize(0, rows, n, x, this.nonTrainable[0]!.offset, this.nonTrainable[1]!.offset, eps, gamma, beta, this.out);
    }
    return this.out;
  }

  backward(b: Backend, rows: number, dx: number): void {
    const n = this.units;
    const gamma = this.gamma, beta = this.beta;
    b.normalizeGrad(0, rows, n, this.input, this.batchMean, this.batchVariance, this.k.at(0), gamma?.offset ?? 0,
      this.dOut, dx || this.dOut, gamma?.grad ?? this.scratch, beta?.grad ?? this.scratch + n * 4);
  }

  override commitStep(b: Backend): void {
    if (!this.pending) return;
    this.pending = false;
    b.movingAverage(this.units, this.batchMean, this.nonTrainable[0]!.offset, this.k.at(1));
    b.movingAverage(this.units, this.batchVariance, this.nonTrainable[1]!.offset, this.k.at(1));
  }

  getConfig(): Record<string, unknown> {
    const { axis, epsilon, center, scale, beta_initializer, gamma_initializer, ...rest } = normalizationConfig(this.options);
    return {
      axis, momentum: this.momentum, epsilon, center, scale, beta_initializer, gamma_initializer,
      moving_mean_initializer: this.movingMeanInitializer, moving_variance_initializer: this.movingVarianceInitializer,
      ...rest, beta_constraint: null, gamma_constraint: null,
    };
  }

  static readonly kerasClassName = 'BatchNormalization';

  static fromConfig(c: LayerConfigReader, args: LayerArgs): BatchNormalization {
    // Keras 2 batch renormalization and ghost batches, Keras 3 cross-replica statistics: not computed here.
    refuseTrue(c, 'renorm', 'synchronized');
    c.refuse('virtual_batch_size', 'adjustment', 'renorm_clipping');
    const out: BatchNormalizationArgs = { ...args, ...normalizationFromConfig(c), momentum: c.number('momentum', 0.99) };
    const mm = c.initializer('moving_mean_initializer'), mv = c.initializer('moving_variance_initializer');
    if (mm) out.movingMeanInitializer = mm;
    if (mv) out.movingVarianceInitializer = mv;
    return new BatchNormalization(out);
  }
}

/**
 * Batch normalization: normalizes each feature with the batch's statistics in training and with
 * moving averages of them at inference (Keras / TensorFlow.js semantics and weights).
 */
export const batchNormalization = (args?: BatchNormalizationArgs): BatchNormalization => new BatchNormalization(args);
