/**
 * What batch and layer normalization share: option checks, the gamma/beta parameters, and reading
 * their Keras / TensorFlow.js configs (both spellings: tfjs writes snake_case keys and an `axis`
 * of -1 or [1]; Keras 3 writes -1 or [-1]).
 */
import { getInitializer, ones, zeros, type Initializer } from '../initializers.js';
import { getRegularizer, type Regularizer } from '../regularizers.js';
import { Layer, type LayerArgs, type LayerConfigReader, type Param } from './layer.js';

export interface NormalizationArgs extends LayerArgs {
  /** Only the feature axis: -1 (default) or 1. An MLP's rows are [batch, features]. */
  axis?: number;
  /** Small float added to the variance to avoid dividing by zero. Default 1e-3. */
  epsilon?: number;
  /** Add the learned offset beta. Default true. */
  center?: boolean;
  /** Multiply by the learned scale gamma. Default true. */
  scale?: boolean;
  /** Default 'zeros'. */
  betaInitializer?: string | Initializer;
  /** Default 'ones'. */
  gammaInitializer?: string | Initializer;
  betaRegularizer?: Regularizer | string;
  gammaRegularizer?: Regularizer | string;
}

export const normalizationKeys = ['axis', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer', 'betaRegularizer', 'gammaRegularizer'] as const;

/** The checked options both layers keep. */
export interface NormalizationOptions {
  epsilon: number;
  center: boolean;
  scale: boolean;
  betaInitializer: Initializer;
  gammaInitializer: Initializer;
  betaRegularizer: Regularizer | undefined;
  gammaRegularizer: Regularizer | undefined;
}

export function checkNormalizationArgs(args: NormalizationArgs, name: string): NormalizationOptions {
  if (args.axis !== undefined && args.axis !== -1 && args.axis !== 1) {
    throw new Error(`${name}: axis must be -1 or 1 (the feature axis of [batch, features] rows), got ${JSON.stringify(args.axis)}`);
  }
  const epsilon = args.epsilon ?? 1e-3;
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) throw new Error(`${name}: epsilon must be a finite number > 0, got ${JSON.stringify(args.epsilon)}`);
  for (const key of ['center', 'scale'] as const) {
    if (args[key] !== undefined && typeof args[key] !== 'boolean') throw new Error(`${name}: ${key} must be true or false, got ${JSON.stringify(args[key])}`);
  }
  return {
    epsilon,
    center: args.center ?? true,
    scale: args.scale ?? true,
    betaInitializer: getInitializer(args.betaInitializer, zeros, `${name} betaInitializer`),
    gammaInitializer: getInitializer(args.gammaInitializer, ones, `${name} gammaInitializer`),
    betaRegularizer: getRegularizer(args.betaRegularizer, `${name} betaRegularizer`),
    gammaRegularizer: getRegularizer(args.gammaRegularizer, `${name} gammaRegularizer`),
  };
}

/** The shared part of the saved config (snake_case, as TensorFlow.js writes it). */
export function normalizationConfig(o: NormalizationOptions): Record<string, unknown> {
  return {
    axis: -1,
    epsilon: o.epsilon,
    center: o.center,
    scale: o.scale,
    beta_initializer: o.betaInitializer,
    gamma_initializer: o.gammaInitializer,
    beta_regularizer: o.betaRegularizer ?? null,
    gamma_regularizer: o.gammaRegularizer ?? null,
  };
}

/** Reads the shared keys of a saved config back into args; refuses what would change the computation. */
export function normalizationFromConfig(c: LayerConfigReader): NormalizationArgs {
  const axis = c.raw('axis');
  const single = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis;
  if (single !== undefined && single !== null && single !== -1 && single !== 1) {
    throw new Error(`axis ${JSON.stringify(axis)} is not supported: wasm-mlp normalizes the feature axis (-1) of [batch, features] rows`);
  }
  c.refuse('beta_constraint', 'gamma_constraint');
  const bool = (key: string): boolean | undefined => {
    const v = c.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw new Error(`${key} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  const args: NormalizationArgs = { epsilon: c.number('epsilon', 1e-3) };
  const center = bool('center'), scale = bool('scale');
  if (center !== undefined) args.center = center;
  if (scale !== undefined) args.scale = scale;
  const bi = c.initializer('beta_initializer'), gi = c.initializer('gamma_initializer');
  if (bi) args.betaInitializer = bi;
  if (gi) args.gammaInitializer = gi;
  const br = c.regularizer('beta_regularizer'), gr = c.regularizer('gamma_regularizer');
  if (br) args.betaRegularizer = br;
  if (gr) args.gammaRegularizer = gr;
  return args;
}

/** Refuse a boolean option that must be false or absent (Keras 2's renorm, Keras 3's synchronized, rms_scaling). */
export function refuseTrue(c: LayerConfigReader, ...keys: string[]): void {
  for (const key of keys) {
    const v = c.raw(key);
    if (v !== undefined && v !== null && v !== false) throw new Error(`${key} ${JSON.stringify(v)} is not supported by wasm-mlp (it must be false)`);
  }
}

/** The learned scale γ and offset β both layers have (each optional: `scale`, `center`), per feature. */
export abstract class AffineNormalization extends Layer {
  abstract readonly options: NormalizationOptions;

  protected override declareParams(): Param[] {
    const o = this.options, n = this.units;
    const ps: Param[] = [];
    if (o.scale) ps.push(this.param('gamma', [n], n, n, o.gammaInitializer, o.gammaRegularizer));
    if (o.center) ps.push(this.param('beta', [n], n, n, o.betaInitializer, o.betaRegularizer));
    return ps;
  }

  protected get gamma(): Param | undefined {
    return this.options.scale ? this.params[0] : undefined;
  }

  protected get beta(): Param | undefined {
    return this.options.center ? this.params[this.options.scale ? 1 : 0] : undefined;
  }
}
