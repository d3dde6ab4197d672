/**
 * LayerNormalization (Ba et al. 2016): each ROW is normalized over its features with its own mean
 * and (biased) variance, then scaled and shifted per feature — the same computation in training and
 * at inference:  y = (x − μ_row)/sqrt(σ²_row + ε)·γ[j] + β[j].
 */
import type { Backend } from '../backend/contract.js';
import { checkOptionKeys } from '../util/options.js';
import { KernelNumbers, layerArgKeys, type LayerArgs, type LayerConfigReader, type PassContext } from './layer.js';
import { AffineNormalization, checkNormalizationArgs, normalizationConfig, normalizationFromConfig, normalizationKeys, refuseTrue, type NormalizationArgs, type NormalizationOptions } from './normalization-args.js';

export type LayerNormalizationArgs = NormalizationArgs;

export class LayerNormalization extends AffineNormalization {
  readonly className = 'LayerNormalization';
  readonly options: NormalizationOptions;
  private input = 0;
  /** Per-row mean and variance of the last forward pass (capacity rows), and scratch for a missing γ/β gradient. */
  private rowMean = 0;
  private rowVariance = 0;
  private scratch = 0;
  /** epsilon (passed to kernels without a box per step). */
  private readonly k: KernelNumbers;

  constructor(args: LayerNormalizationArgs = {}) {
    if (!args || typeof args !== 'object') throw new Error(`layers.layerNormalization: expected an options object like { epsilon: 1e-3 }, got ${String(args)}`);
    checkOptionKeys(args, [...layerArgKeys, ...normalizationKeys], 'layers.layerNormalization');
    super(args, 'layer_normalization');
    this.options = checkNormalizationArgs(args, this.name);
    this.k = new KernelNumbers(this.options.epsilon);
  }

  protected override allocateExtra(b: Backend, rows: number): void {
    this.rowMean = this.own(b, rows);
    this.rowVariance = this.own(b, rows);
    this.scratch = this.own(b, 2 * this.units);
  }

  forward(ctx: PassContext, x: number, rows: number): number {
    const b = ctx.backend;
    this.input = x;
    b.moments(1, rows, this.units, x, this.rowMean, this.rowVariance);
    b.normalize(1, rows, this.units, x, this.rowMean, this.rowVariance, this.k.at(0), this.gamma?.offset ?? 0, this.beta?.offset ?? 0, this.out);
    return this.out;
  }

  backward(b: Backend, rows: number, dx: number): void {
    const n = this.units, gamma = this.gamma, beta = this.beta;
    b.normalizeGrad(1, rows, n, this.input, this.rowMean, this.rowVariance, this.k.at(0), gamma?.offset ?? 0,
      this.dOut, dx || this.dOut, gamma?.grad ?? this.scratch, beta?.grad ?? this.scratch + n * 4);
  }

  getConfig(): Record<string, unknown> {
    return normalizationConfig(this.options);
  }

  static readonly kerasClassName = 'LayerNormalization';

  static fromConfig(c: LayerConfigReader, args: LayerArgs): LayerNormalization {
    refuseTrue(c, 'rms_scaling');
    return new LayerNormalization({ ...args, ...normalizationFromConfig(c) });
  }
}

/** Layer normalization: each row normalized over its features, then γ/β per feature (Keras / TensorFlow.js semantics). */
export const layerNormalization = (args?: LayerNormalizationArgs): LayerNormalization => new LayerNormalization(args);
