/**
 * Activation: applies a nonlinearity on its own (the `activation:` option of Dense does the same
 * inside the dense layer). LeakyReLU and ELU are this layer with a fixed function and an alpha.
 */
import type { Backend } from '../backend/contract.js';
import { activationBackward, activationForward, getActivation, type ActivationName, type ActivationSpec } from './activation-kernels.js';
import { checkOptionKeys } from '../util/options.js';
import { Layer, layerArgKeys, type KerasEntry, type LayerArgs, type LayerConfigReader, type PassContext } from './layer.js';

export interface ActivationArgs extends LayerArgs {
  activation: ActivationName;
}

export class Activation extends Layer {
  readonly className: string = 'Activation';
  readonly activation: ActivationSpec;
  private input = 0;

  constructor(args: ActivationArgs, defaultName = 'activation', alpha?: number) {
    checkOptionKeys(args, [...layerArgKeys, 'activation'], `layers.${defaultName}`);
    super(args, defaultName);
    this.activation = getActivation(args.activation, this.name, alpha);
  }

  override get outputActivation(): string {
    return this.activation.name;
  }

  forward(ctx: PassContext, x: number, rows: number): number {
    this.input = x;
    activationForward(ctx.backend, this.activation, rows, this.units, x, this.out);
    return this.out;
  }

  backward(b: Backend, rows: number, dx: number): void {
    if (!dx) return;
    if (this.fusedOutputGrad) b.copy(rows * this.units, this.dOut, dx);
    else activationBackward(b, this.activation, rows, this.units, this.input, this.out, this.dOut, dx);
  }

  getConfig(): Record<string, unknown> {
    return { activation: this.activation.name };
  }

  override toKeras(unique: (base: string) => string): KerasEntry[] {
    // Keras has no leaky-ReLU activation string with an alpha: an Activation('leakyRelu') is a LeakyReLU layer there.
    if (this.className === 'Activation' && this.activation.name === 'leakyRelu') return [{ className: 'LeakyReLU', config: { alpha: this.activation.alpha } }];
    return super.toKeras(unique);
  }

  static readonly kerasClassName: string = 'Activation';

  static fromConfig(c: LayerConfigReader, args: LayerArgs): Activation {
    return new Activation({ ...args, activation: c.activation('activation') });
  }
}

export const activation = (args: ActivationArgs): Activation => {
  if (!args || typeof args !== 'object') throw new Error(`layers.activation: expected an options object like { activation: 'relu' }, got ${String(args)}`);
  return new Activation(args);
};

/** An Activation with a fixed function and a configurable alpha (the LeakyReLU and ELU layers). */
export abstract class AlphaActivation extends Activation {
  readonly alpha: number;

  protected constructor(args: LayerArgs & { alpha?: number }, fn: 'leakyRelu' | 'elu', defaultName: string, defaultAlpha: number) {
    checkOptionKeys(args, [...layerArgKeys, 'alpha'], `layers.${fn}`);
    const { alpha: given, ...layerArgs } = args;
    const alpha = given ?? defaultAlpha;
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new Error(`${fn}: alpha must be a finite number, got ${String(alpha)}`);
    super({ ...layerArgs, activation: fn }, defaultName, alpha);
    this.alpha = alpha;
  }

  override getConfig(): Record<string, unknown> {
    return { alpha: this.alpha };
  }
}
