/**
 * GaussianNoise: adds zero-mean normal noise of standard deviation `stddev` in training (a
 * regularizer, as Keras); the identity at inference. The noise comes from the model's seeded
 * generator, like dropout's masks, so a seeded run replays exactly. Backward is the identity.
 */
import type { Backend } from '../backend/contract.js';
import { checkOptionKeys } from '../util/options.js';
import { KernelNumbers, Layer, layerArgKeys, type LayerArgs, type LayerConfigReader, type PassContext } from './layer.js';

export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the noise, a finite number >= 0. */
  stddev: number;
}

export class GaussianNoise extends Layer {
  readonly className = 'GaussianNoise';
  readonly stddev: number;
  /** stddev (passed to the kernel without a box per step). */
  private readonly k: KernelNumbers;

  constructor(args: GaussianNoiseArgs) {
    if (!args || typeof args !== 'object') throw new Error(`layers.gaussianNoise: expected an options object like { stddev: 0.1 }, got ${String(args)}`);
    checkOptionKeys(args, [...layerArgKeys, 'stddev'], 'layers.gaussianNoise');
    super(args, 'gaussian_noise');
    if (typeof args.stddev !== 'number' || !(args.stddev >= 0) || !Number.isFinite(args.stddev)) {
      throw new Error(`${this.name}: stddev must be a finite number >= 0, got ${JSON.stringify(args.stddev)}`);
    }
    this.stddev = args.stddev;
    this.k = new KernelNumbers(args.stddev);
  }

  forward(ctx: PassContext, x: number, rows: number): number {
    if (!ctx.training || this.stddev === 0) return x;
    ctx.backend.gaussianNoise(rows * this.units, x, this.out, this.k.at(0), ctx.nextSeed());
    return this.out;
  }

  backward(b: Backend, rows: number, dx: number): void {
    if (dx) b.copy(rows * this.units, this.dOut, dx);
  }

  getConfig(): Record<string, unknown> {
    return { stddev: this.stddev };
  }

  static readonly kerasClassName = 'GaussianNoise';

  static fromConfig(c: LayerConfigReader, args: LayerArgs): GaussianNoise {
    return new GaussianNoise({ ...args, stddev: c.raw('stddev') as number });
  }
}

/** Additive zero-mean Gaussian noise in training (seeded like dropout); identity at inference. */
export const gaussianNoise = (args: GaussianNoiseArgs): GaussianNoise => new GaussianNoise(args);
