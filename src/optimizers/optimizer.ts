/**
 * Base of every optimizer. An optimizer is configuration only: the model keeps the state
 * buffers (same layout as the parameters) and the iteration count, and calls the backend's fused
 * `optimizerStep` once per step over all parameters. `fill` writes this step's hyperparameters
 * into a reused object, so a training step allocates nothing.
 *
 * Serialization falls out of the class: `className` + `getConfig()` is what a training config
 * saves, and each class's static `fromConfig()` reads it back (see the registry in index.ts).
 */
import { checkOptionKeys } from '../util/options.js';
import { optimizerRules, newOptimizerParams, type OptimizerParams, type OptimizerRuleName } from './rules.js';
import { LearningRateSchedule, scheduleFromConfig } from './schedules.js';

export { newOptimizerParams };

export interface ClipOptions {
  /** Clip each parameter's gradient to this L2 norm (Keras `clipnorm`). */
  clipNorm?: number;
  /** Clip each gradient element to [-clipValue, clipValue] (Keras `clipvalue`). */
  clipValue?: number;
}

/** Option keys every optimizer takes besides its own. */
export const clipKeys = ['clipNorm', 'clipValue'] as const;

/** A Keras/TensorFlow.js config value: a number or boolean, or null (= the default). */
export type ConfigValue = number | boolean | null;

/** A constant rate, or a schedule of the optimizer's step (`nn.schedules.*`). */
export type LearningRate = number | LearningRateSchedule;

/** What `getConfig()` holds: numbers and booleans, and a schedule in its Keras serialized form. */
export type OptimizerConfig = Record<string, number | boolean | ReturnType<LearningRateSchedule['toJSON']>>;

export abstract class Optimizer {
  /** TensorFlow.js / Keras class name ('Adam', 'SGD', …). */
  abstract readonly className: string;
  /** The class name a saved training config uses: className, except where TensorFlow.js names a setting apart (SGD with momentum is its 'Momentum'). */
  get savedClassName(): string {
    return this.className;
  }
  /** The update rule this optimizer runs with its current settings (src/optimizers/rules.ts). */
  abstract get rule(): OptimizerRuleName;
  /** How many state buffers, each the size of the parameters, this optimizer keeps (declared by its rule). */
  get slots(): number {
    return optimizerRules[this.rule].slots;
  }
  /** Whether TensorFlow.js can compile a model saved with this optimizer (it has the class). */
  get tfjsCompatible(): boolean {
    return true;
  }
  readonly clipNorm: number;
  readonly clipValue: number;
  private rate: LearningRate;
  private readonly what: string;

  /** `keys` are the option names the subclass takes (the clip options are added here). */
  constructor(learningRate: LearningRate, clip: ClipOptions, what: string, keys?: readonly string[]) {
    if (keys) checkOptionKeys(clip, [...keys, ...clipKeys], what);
    this.what = what;
    this.rate = learningRate instanceof LearningRateSchedule ? learningRate : positive(learningRate, `${what} learningRate`);
    this.clipNorm = clip.clipNorm === undefined ? 0 : positive(clip.clipNorm, `${what} clipNorm`);
    this.clipValue = clip.clipValue === undefined ? 0 : positive(clip.clipValue, `${what} clipValue`);
  }

  /**
   * The learning rate: a number, or the schedule it was created with. A constant rate can be set
   * (the LR callbacks do; the next step uses it, and a model saved afterwards keeps it); a
   * scheduled one cannot, as in Keras.
   */
  get learningRate(): LearningRate {
    return this.rate;
  }
  set learningRate(value: number) {
    if (this.rate instanceof LearningRateSchedule) {
      throw new Error(`${this.what}: the learning rate follows a ${this.rate.className} schedule and cannot be set; use a constant learningRate to change it during training`);
    }
    this.rate = positive(value, `${this.what} learningRate`);
  }

  /** The rate of the update at `step` (0-based: the updates already applied, Keras's `iterations`). */
  rateAt(step: number): number {
    const r = this.rate;
    return typeof r === 'number' ? r : r.rate(step);
  }

  /** Initial value of state slot `slot` (AdaGrad starts its accumulator above zero). */
  initialState(_slot: number): number {
    return 0;
  }

  /** Write the hyperparameters of step number `iteration` (1-based) into `p`. */
  abstract fill(p: OptimizerParams, iteration: number): void;

  /**
   * Keras-style config (snake_case keys, as TensorFlow.js writes them), without clipping: what a
   * training config saves under `optimizer_config.config`, together with `className`.
   */
  abstract getConfig(): OptimizerConfig;

  /** `learning_rate` as a config holds it: the number, or the schedule's Keras serialized form. */
  protected get learningRateConfig(): OptimizerConfig[string] {
    const r = this.rate;
    return typeof r === 'number' ? r : r.toJSON();
  }

  /** Start the fields of step `iteration` (1-based): the rule, the learning rate and clipping; every other field 0. */
  protected base(p: OptimizerParams, iteration: number): void {
    p.kind = optimizerRules[this.rule].code;
    p.learningRate = this.rateAt(iteration - 1);
    p.momentum = p.rho = p.beta1 = p.beta2 = p.epsilon = p.weightDecay = 0;
    p.biasCorrection1 = p.biasCorrection2 = p.firstMomentWeight = p.gradientWeight = 0;
    p.clipValue = this.clipValue;
  }
}

/**
 * Reads a saved optimizer config: each key may be spelt several ways (Keras snake_case,
 * TensorFlow.js camelCase); a missing or null value is undefined (the default). Only own keys
 * are read.
 */
export class ConfigReader {
  constructor(private readonly config: Readonly<Record<string, unknown>>) {}

  private get(keys: readonly string[]): unknown {
    for (const k of keys) {
      if (Object.hasOwn(this.config, k)) {
        const v = this.config[k];
        if (v === null || v === undefined) return undefined;
        if (typeof v !== 'number' && typeof v !== 'boolean') throw new Error(`config.${keys[0]}: expected a number or boolean, got ${JSON.stringify(v)}`);
        return v;
      }
    }
    return undefined;
  }

  /** learning_rate: a number, or a schedule saved as { class_name, config } (Keras's form). */
  private learningRate(): LearningRate | undefined {
    for (const k of ['learning_rate', 'learningRate', 'lr']) {
      const v = this.config[k];
      if (Object.hasOwn(this.config, k) && v !== null && typeof v === 'object') return scheduleFromConfig(v, `config.${k}`);
    }
    return this.num('learning_rate', 'learningRate', 'lr');
  }

  num(...keys: string[]): number | undefined {
    return this.get(keys) as number | undefined;
  }

  bool(...keys: string[]): boolean | undefined {
    return this.get(keys) as boolean | undefined;
  }

  /** learning_rate (a number or a serialized schedule) and the clip options, which every optimizer reads the same way. */
  common(): { learningRate: LearningRate | undefined } & ClipOptions {
    return {
      learningRate: this.learningRate(),
      clipNorm: this.num('clipnorm', 'clipNorm', 'clip_norm'),
      clipValue: this.num('clipvalue', 'clipValue', 'clip_value'),
    };
  }
}

export function positive(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${what}: expected a finite number > 0, got ${String(v)}`);
  return v;
}

export function inRange(v: unknown, lo: number, hi: number, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v >= hi) throw new Error(`${what}: expected a number in [${lo}, ${hi}), got ${String(v)}`);
  return v;
}
