/**
 * Learning-rate schedules, as Keras 3 (`keras.optimizers.schedules`): a schedule maps the
 * optimizer's step — the number of updates already applied (Keras's `optimizer.iterations`, 0
 * for the first update) — to the rate that update uses. Any optimizer's `learningRate` takes one.
 *
 * A schedule is evaluated once per training step and returns a plain number (no allocation);
 * the optimizer passes it to the update kernel like a constant rate. Serialization falls out of
 * the class: `className` + `getConfig()` (Keras's snake_case keys) is what a saved training
 * config holds, `scheduleFromConfig` reads it back.
 */
import { checkOptionKeys } from '../util/options.js';

export abstract class LearningRateSchedule {
  /** Keras class name ('ExponentialDecay', …). */
  abstract readonly className: string;
  /** The rate of the update at `step` (0-based: the updates applied before this one). */
  abstract rate(step: number): number;
  /** Keras config (snake_case keys), as `keras.optimizers.schedules.*.get_config()` writes it. */
  abstract getConfig(): Record<string, number | boolean | string | number[] | null>;
  /** The Keras 3 serialized form, as a `.keras` file and a training config hold it. */
  toJSON(): { module: string; class_name: string; config: Record<string, unknown>; registered_name: null } {
    return { module: 'keras.optimizers.schedules', class_name: this.className, config: this.getConfig(), registered_name: null };
  }
}

function finite(v: unknown, what: string, min: number, strict: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (strict ? v <= min : v < min)) {
    throw new Error(`${what}: expected a finite number ${strict ? '>' : '>='} ${min}, got ${typeof v === 'number' ? v : JSON.stringify(v) ?? String(v)}`);
  }
  return v;
}

function name(v: unknown, fallback: string, what: string): string {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw new Error(`${what} name: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

export interface ExponentialDecayOptions {
  /** The rate at step 0. */
  initialLearningRate: number;
  /** Steps over which the rate is multiplied by decayRate once. */
  decaySteps: number;
  /** Factor per decaySteps steps (0.96: 4% less every decaySteps). */
  decayRate: number;
  /** Decay in whole intervals (a staircase) rather than continuously; default false. */
  staircase?: boolean;
  name?: string;
}

/** rate(step) = initialLearningRate · decayRate^(step / decaySteps), the exponent floored when staircase. */
export class ExponentialDecay extends LearningRateSchedule {
  readonly className = 'ExponentialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;
  constructor(options: ExponentialDecayOptions) {
    super();
    const what = 'schedules.exponentialDecay';
    if (!options || typeof options !== 'object') throw new Error(`${what}: expected { initialLearningRate, decaySteps, decayRate, staircase? }, got ${String(options)}`);
    checkOptionKeys(options, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase', 'name'], what);
    this.initialLearningRate = finite(options.initialLearningRate, `${what} initialLearningRate`, 0, true);
    this.decaySteps = finite(options.decaySteps, `${what} decaySteps`, 0, true);
    this.decayRate = finite(options.decayRate, `${what} decayRate`, 0, true);
    this.staircase = Boolean(options.staircase ?? false);
    this.name = name(options.name, 'ExponentialDecay', what);
  }
  rate(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate * Math.pow(this.decayRate, p);
  }
  getConfig() {
    return { initial_learning_rate: this.initialLearningRate, decay_steps: this.decaySteps, decay_rate: this.decayRate, staircase: this.staircase, name: this.name };
  }
}

export interface PiecewiseConstantDecayOptions {
  /** Increasing step numbers where the rate changes. */
  boundaries: number[];
  /** One more value than boundaries: values[i] applies up to and including boundaries[i]. */
  values: number[];
  name?: string;
}

/**
 * values[0] while step ≤ boundaries[0], values[1] while boundaries[0] < step ≤ boundaries[1], …,
 * values[n] after boundaries[n−1] (Keras's PiecewiseConstantDecay).
 */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  readonly boundaries: readonly number[];
  readonly values: readonly number[];
  readonly name: string;
  constructor(options: PiecewiseConstantDecayOptions) {
    super();
    const what = 'schedules.piecewiseConstantDecay';
    if (!options || typeof options !== 'object') throw new Error(`${what}: expected { boundaries, values }, got ${String(options)}`);
    checkOptionKeys(options, ['boundaries', 'values', 'name'], what);
    const { boundaries, values } = options;
    if (!Array.isArray(boundaries)) throw new Error(`${what}: boundaries must be an array of step numbers, got ${JSON.stringify(boundaries)}`);
    if (!Array.isArray(values)) throw new Error(`${what}: values must be an array of rates, got ${JSON.stringify(values)}`);
    if (values.length !== boundaries.length + 1) {
      throw new Error(`${what}: values must have one more entry than boundaries: expected ${boundaries.length + 1} values for ${boundaries.length} boundaries, got ${values.length}`);
    }
    boundaries.forEach((b, i) => {
      finite(b, `${what} boundaries[${i}]`, 0, false);
      if (i > 0 && !(b > boundaries[i - 1]!)) throw new Error(`${what}: boundaries must increase, got ${boundaries[i - 1]} then ${b} at index ${i}`);
    });
    values.forEach((v, i) => finite(v, `${what} values[${i}]`, 0, false));
    this.boundaries = Object.freeze(boundaries.slice());
    this.values = Object.freeze(values.slice());
    this.name = name(options.name, 'PiecewiseConstant', what);
  }
  rate(step: number): number {
    const b = this.boundaries;
    for (let i = 0; i < b.length; i++) if (step <= b[i]!) return this.values[i]!;
    return this.values[b.length]!;
  }
  getConfig() {
    return { boundaries: this.boundaries.slice(), values: this.values.slice(), name: this.name };
  }
}

export interface CosineDecayOptions {
  /** The rate at step 0 (the start of the warmup when there is one). */
  initialLearningRate: number;
  /** Steps of the cosine decay (after the warmup). */
  decaySteps: number;
  /** The final rate as a fraction of the decay's starting rate; default 0. */
  alpha?: number;
  /** With warmupSteps: the rate reached (linearly from initialLearningRate) at the end of the warmup, where the decay starts. */
  warmupTarget?: number | null;
  /** Steps of linear warmup before the decay; default 0. */
  warmupSteps?: number;
  name?: string;
}

/**
 * Cosine decay (Loshchilov & Hutter, SGDR without restarts) with optional linear warmup, as
 * Keras 3: without warmupTarget, rate(s) = lr0·((1 − α)·½(1 + cos(π·min(s, D)/D)) + α). With it,
 * s is capped at W + D; s < W warms up linearly lr0 + (target − lr0)·s/W, then the decay above
 * runs from `target` over s − W.
 */
export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;
  readonly name: string;
  constructor(options: CosineDecayOptions) {
    super();
    const what = 'schedules.cosineDecay';
    if (!options || typeof options !== 'object') throw new Error(`${what}: expected { initialLearningRate, decaySteps, alpha?, warmupTarget?, warmupSteps? }, got ${String(options)}`);
    checkOptionKeys(options, ['initialLearningRate', 'decaySteps', 'alpha', 'warmupTarget', 'warmupSteps', 'name'], what);
    this.initialLearningRate = finite(options.initialLearningRate, `${what} initialLearningRate`, 0, false);
    this.decaySteps = finite(options.decaySteps, `${what} decaySteps`, 0, true);
    this.alpha = finite(options.alpha ?? 0, `${what} alpha`, 0, false);
    if (this.alpha > 1) throw new Error(`${what} alpha: expected a fraction in [0, 1], got ${this.alpha}`);
    this.warmupTarget = options.warmupTarget === undefined || options.warmupTarget === null ? null : finite(options.warmupTarget, `${what} warmupTarget`, 0, false);
    this.warmupSteps = finite(options.warmupSteps ?? 0, `${what} warmupSteps`, 0, false);
    if (this.warmupTarget === null && this.initialLearningRate === 0) throw new Error(`${what} initialLearningRate: expected a finite number > 0 without warmupTarget, got 0`);
    this.name = name(options.name, 'CosineDecay', what);
  }
  private decay(step: number, from: number): number {
    const cosine = 0.5 * (1 + Math.cos(Math.PI * (step / this.decaySteps)));
    return from * ((1 - this.alpha) * cosine + this.alpha);
  }
  rate(step: number): number {
    if (this.warmupTarget === null) return this.decay(Math.min(step, this.decaySteps), this.initialLearningRate);
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) return (this.warmupTarget - this.initialLearningRate) * (s / this.warmupSteps) + this.initialLearningRate;
    return this.decay(s - this.warmupSteps, this.warmupTarget);
  }
  getConfig() {
    return {
      initial_learning_rate: this.initialLearningRate, decay_steps: this.decaySteps, alpha: this.alpha, name: this.name,
      warmup_target: this.warmupTarget, warmup_steps: this.warmupSteps,
    };
  }
}

/** `nn.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96 })`. */
export const exponentialDecay = (options: ExponentialDecayOptions): ExponentialDecay => new ExponentialDecay(options);
/** `nn.schedules.piecewiseConstantDecay({ boundaries: [1000, 2000], values: [0.1, 0.01, 0.001] })`. */
export const piecewiseConstantDecay = (options: PiecewiseConstantDecayOptions): PiecewiseConstantDecay => new PiecewiseConstantDecay(options);
/** `nn.schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 1000, warmupTarget?, warmupSteps? })`. */
export const cosineDecay = (options: CosineDecayOptions): CosineDecay => new CosineDecay(options);

/** camelCase option names for each class's snake_case config keys. */
const registry = {
  ExponentialDecay: { make: exponentialDecay, keys: { initial_learning_rate: 'initialLearningRate', decay_steps: 'decaySteps', decay_rate: 'decayRate', staircase: 'staircase', name: 'name' } },
  PiecewiseConstantDecay: { make: piecewiseConstantDecay, keys: { boundaries: 'boundaries', values: 'values', name: 'name' } },
  CosineDecay: {
    make: cosineDecay,
    keys: { initial_learning_rate: 'initialLearningRate', decay_steps: 'decaySteps', alpha: 'alpha', warmup_target: 'warmupTarget', warmup_steps: 'warmupSteps', name: 'name' },
  },
} as const;

/** The schedule class names a saved config may name. */
export const scheduleClassNames: readonly string[] = Object.freeze(Object.keys(registry));

/**
 * The schedule a saved `{ class_name, config }` (Keras 3 adds `module`, `registered_name`)
 * describes. Keys are Keras's snake_case (camelCase also read); unknown keys are refused.
 */
export function scheduleFromConfig(v: unknown, where: string): LearningRateSchedule {
  const o = v as { class_name?: unknown; config?: unknown };
  if (!v || typeof v !== 'object' || typeof o.class_name !== 'string') throw new Error(`${where}: expected a learning-rate schedule { class_name, config }, got ${JSON.stringify(v)}`);
  const entry = (registry as Record<string, (typeof registry)[keyof typeof registry]>)[o.class_name];
  if (!entry || !Object.hasOwn(registry, o.class_name)) throw new Error(`${where}: learning-rate schedule class '${o.class_name}' is not supported (wasm-mlp has ${scheduleClassNames.join(', ')})`);
  const config = o.config ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error(`${where}.config: expected an object, got ${JSON.stringify(config)}`);
  const keys = entry.keys as Record<string, string>;
  const options: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(config)) {
    const camel = Object.hasOwn(keys, k) ? keys[k]! : Object.values(keys).includes(k) ? k : undefined;
    if (camel === undefined) throw new Error(`${where} (${o.class_name}): unknown config key '${k}' (expected ${Object.keys(keys).join(', ')})`);
    if (value !== null || camel === 'warmupTarget') options[camel] = value ?? undefined;
  }
  try {
    return entry.make(options as never);
  } catch (e) {
    throw new Error(`${where} (${o.class_name}): ${(e as Error).message}`);
  }
}
