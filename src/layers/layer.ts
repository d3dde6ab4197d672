/**
 * The layer contract. Every layer has the same few members (after convnetjs): `build` fixes the
 * shapes and declares parameters, `allocate` reserves activation buffers for a number of rows,
 * `forward` and `backward` run kernels on arena offsets, `getConfig` describes it for saving.
 * The model owns where parameters and gradients live; a layer only reads `param.offset/grad`.
 */
import type { Backend } from '../backend/contract.js';
import type { ActivationName } from '../activations.js';
import type { Initializer } from '../initializers.js';
import type { Regularizer } from '../regularizers.js';

export interface LayerArgs {
  /** Unique name inside the model; default '<kind>', '<kind>_1', … */
  name?: string;
  /** Input features of the first layer: [features]. */
  inputShape?: number[];
  /** Keras-style [batch, features] (batch usually null); the alternative to inputShape. */
  batchInputShape?: (number | null)[];
}

/** One Keras layer entry as a layer saves it: the class name and its config (values may be initializer/regularizer objects). */
export interface KerasEntry {
  className: string;
  config: Record<string, unknown>;
}

/**
 * Reads a saved Keras layer config for a layer class's static `fromConfig` (implemented by
 * src/io/topology.ts, which prefixes every error with the layer's index, name and class).
 * Only own keys are read; nothing in a file can name code to run.
 */
export interface LayerConfigReader {
  /** The raw value of `key` (undefined when absent). */
  raw(key: string): unknown;
  /** A finite number under the first of `keys` present, else `fallback`. */
  number(keys: string | readonly string[], fallback: number): number;
  /** An activation by its Keras name (absent or null: linear). */
  activation(key: string): ActivationName;
  /** An initializer from `{ class_name, config }` or a name; undefined when absent (the layer's default). */
  initializer(key: string): Initializer | undefined;
  /** An L1L2 regularizer; undefined when absent or null. */
  regularizer(key: string): Regularizer | undefined;
  /** Options wasm-mlp cannot honour: each must be absent or null. */
  refuse(...keys: string[]): void;
}

/** The keys of LayerArgs, which every layer's options take besides its own. */
export const layerArgKeys = ['name', 'inputShape', 'batchInputShape'] as const;

export interface Param {
  /** 'kernel', 'bias' or 'alpha' (Keras names). */
  readonly name: string;
  readonly shape: number[];
  readonly size: number;
  readonly fanIn: number;
  readonly fanOut: number;
  readonly initializer: Initializer;
  readonly regularizer: Regularizer | undefined;
  /** Byte offsets of the values and of the gradient, set by the model. */
  offset: number;
  grad: number;
}

/** What a forward pass needs besides data. */
export interface PassContext {
  readonly backend: Backend;
  readonly training: boolean;
  /** A fresh 32-bit seed from the model's generator (dropout). */
  nextSeed(): number;
}

export abstract class Layer {
  /** Keras / TensorFlow.js class name ('Dense', 'Dropout', …). */
  abstract readonly className: string;
  name: string;
  /** Features in / out; known after `build`. */
  inUnits = 0;
  units = 0;
  params: Param[] = [];
  /** From the first layer's `inputShape`. */
  readonly declaredInputUnits: number | undefined;
  /** Set by the model when the loss kernel already wrote d(loss)/d(pre-activation) into dOut. */
  fusedOutputGrad = false;
  /** Offsets of this layer's output and of d(loss)/d(output), capacity rows each. */
  out = 0;
  dOut = 0;
  private owned: number[] = [];

  constructor(args: LayerArgs, defaultName: string) {
    this.name = args.name ?? defaultName;
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '')) {
      throw new Error(`layer name: expected a non-empty string, got ${JSON.stringify(args.name)}`);
    }
    const shape = args.inputShape ?? (args.batchInputShape ? args.batchInputShape.slice(1) : undefined);
    if (shape !== undefined) {
      if (!Array.isArray(shape) || shape.length !== 1 || !Number.isInteger(shape[0]) || (shape[0] as number) < 1) {
        throw new Error(`${this.name}: inputShape must be [features] with an integer features >= 1 (an MLP takes flat rows), got ${JSON.stringify(shape)}`);
      }
      this.declaredInputUnits = shape[0] as number;
    }
  }

  /** Fix the input width, the output width and the parameter shapes. */
  build(inUnits: number): void {
    this.inUnits = inUnits;
    this.units = this.outputUnits(inUnits);
    this.params = this.declareParams();
  }

  protected outputUnits(inUnits: number): number {
    return inUnits;
  }

  protected declareParams(): Param[] {
    return [];
  }

  /** Reserve buffers for `rows` rows; called again when a larger batch comes. */
  allocate(b: Backend, rows: number): void {
    this.release(b);
    this.out = this.own(b, rows * this.units);
    this.dOut = this.own(b, rows * this.units);
    this.allocateExtra(b, rows);
  }

  protected allocateExtra(_b: Backend, _rows: number): void {}

  protected own(b: Backend, floats: number): number {
    const offset = b.alloc(floats * 4);
    this.owned.push(offset);
    return offset;
  }

  release(b: Backend): void {
    for (const offset of this.owned) b.free(offset);
    this.owned = [];
    this.out = this.dOut = 0;
  }

  /** Run the layer on `rows` rows at `x`; returns the offset of the output. */
  abstract forward(ctx: PassContext, x: number, rows: number): number;

  /**
   * Given dOut (this layer's output gradient, which it may overwrite), accumulate nothing:
   * write parameter gradients (overwriting) and, when `dx` ≠ 0, the input gradient into dx.
   */
  abstract backward(b: Backend, rows: number, dx: number): void;

  /**
   * Keras-style config (snake_case keys, as TensorFlow.js writes them), without the name: what
   * a saved model holds for this layer, read back by the class's static `fromConfig`.
   */
  abstract getConfig(): Record<string, unknown>;

  /**
   * The Keras entries this layer saves as: normally one, `{ className, getConfig() }`. A layer
   * Keras spells differently (a Dense with a leaky ReLU) returns more; `unique` names them.
   */
  toKeras(_unique: (base: string) => string): KerasEntry[] {
    return [{ className: this.className, config: this.getConfig() }];
  }

  /** Name of the output nonlinearity, for loss fusion ('softmax', 'sigmoid', …). */
  get outputActivation(): string | undefined {
    return undefined;
  }

  protected param(name: string, shape: number[], fanIn: number, fanOut: number, initializer: Initializer, regularizer?: Regularizer): Param {
    return { name, shape, size: shape.reduce((a, b) => a * b, 1), fanIn, fanOut, initializer, regularizer, offset: 0, grad: 0 };
  }
}
