/**
 * Weight initializers (Keras names and defaults). Each fills a Float32Array given the fan-in and
 * fan-out of the weight it initialises, drawing from the model's seeded generator.
 */
import { checkOptionKeys } from './util/options.js';
import type { Rng } from './util/random.js';

export interface Initializer {
  /** Keras class name, used when saving (e.g. 'GlorotUniform'). */
  readonly className: string;
  readonly config: Record<string, number | string | null>;
  fill(out: Float32Array, fanIn: number, fanOut: number, rng: Rng): void;
}

function make(className: string, config: Initializer['config'], fill: Initializer['fill']): Initializer {
  return { className, config, fill };
}

// Keras divides the truncated normal's stddev by this so the variance comes out as asked.
const TRUNCATED_STDDEV_CORRECTION = 0.8796256610342398;

type Mode = 'fanIn' | 'fanOut' | 'fanAvg';
function varianceScaling(className: string, scale: number, mode: Mode, distribution: 'uniform' | 'truncatedNormal'): Initializer {
  const config = { scale, mode: mode === 'fanIn' ? 'fan_in' : mode === 'fanOut' ? 'fan_out' : 'fan_avg', distribution: distribution === 'uniform' ? 'uniform' : 'truncated_normal', seed: null };
  return make(className, config, (out, fanIn, fanOut, rng) => {
    const n = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(1, n);
    if (distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
    } else {
      const stddev = Math.sqrt(variance) / TRUNCATED_STDDEV_CORRECTION;
      for (let i = 0; i < out.length; i++) out[i] = stddev * rng.truncatedNormal();
    }
  });
}

export const zeros = (): Initializer => make('Zeros', {}, (out) => out.fill(0));
export const ones = (): Initializer => make('Ones', {}, (out) => out.fill(1));
export const constant = (options: { value?: number } = {}): Initializer => {
  checkOptionKeys(options, ['value'], 'initializers.constant');
  const { value = 0 } = options;
  return make('Constant', { value }, (out) => out.fill(value));
};
export const randomUniform = (options: { minval?: number; maxval?: number } = {}): Initializer => {
  checkOptionKeys(options, ['minval', 'maxval'], 'initializers.randomUniform');
  const { minval = -0.05, maxval = 0.05 } = options;
  return make('RandomUniform', { minval, maxval, seed: null }, (out, _i, _o, rng) => {
    for (let i = 0; i < out.length; i++) out[i] = rng.uniform(minval, maxval);
  });
};
export const randomNormal = (options: { mean?: number; stddev?: number } = {}): Initializer => {
  checkOptionKeys(options, ['mean', 'stddev'], 'initializers.randomNormal');
  const { mean = 0, stddev = 0.05 } = options;
  return make('RandomNormal', { mean, stddev, seed: null }, (out, _i, _o, rng) => {
    for (let i = 0; i < out.length; i++) out[i] = mean + stddev * rng.normal();
  });
};
export const glorotUniform = (): Initializer => varianceScaling('GlorotUniform', 1, 'fanAvg', 'uniform');
export const glorotNormal = (): Initializer => varianceScaling('GlorotNormal', 1, 'fanAvg', 'truncatedNormal');
export const heUniform = (): Initializer => varianceScaling('HeUniform', 2, 'fanIn', 'uniform');
export const heNormal = (): Initializer => varianceScaling('HeNormal', 2, 'fanIn', 'truncatedNormal');
export const leCunUniform = (): Initializer => varianceScaling('LeCunUniform', 1, 'fanIn', 'uniform');
export const leCunNormal = (): Initializer => varianceScaling('LeCunNormal', 1, 'fanIn', 'truncatedNormal');

const byName: Record<string, () => Initializer> = {
  zeros, ones, randomUniform, randomNormal, glorotUniform, glorotNormal, heUniform, heNormal, leCunUniform, leCunNormal,
};
const aliases: Record<string, string> = {
  Zeros: 'zeros', Ones: 'ones', RandomUniform: 'randomUniform', RandomNormal: 'randomNormal',
  GlorotUniform: 'glorotUniform', GlorotNormal: 'glorotNormal', HeUniform: 'heUniform', HeNormal: 'heNormal',
  LeCunUniform: 'leCunUniform', LeCunNormal: 'leCunNormal', LecunUniform: 'leCunUniform', LecunNormal: 'leCunNormal',
  glorot_uniform: 'glorotUniform', glorot_normal: 'glorotNormal', he_uniform: 'heUniform', he_normal: 'heNormal',
  lecun_normal: 'leCunNormal', lecun_uniform: 'leCunUniform', random_uniform: 'randomUniform', random_normal: 'randomNormal',
};

/** Initializers whose Keras config carries no values (they rebuild from their class name alone). */
const configFree = new Set(['zeros', 'ones', 'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'leCunUniform', 'leCunNormal']);

/** The initializer a Keras class name without config values stands for ('GlorotUniform', 'LecunNormal'), else undefined. */
export function initializerFromKerasClass(className: string): Initializer | undefined {
  const name = Object.hasOwn(aliases, className) ? aliases[className]! : undefined;
  return name !== undefined && configFree.has(name) ? byName[name]!() : undefined;
}

export type InitializerName = keyof typeof byName;
export const initializerNames = Object.keys(byName);

/** Resolve a name ('heNormal', 'he_normal', 'HeNormal') or pass an Initializer through. */
export function getInitializer(spec: string | Initializer | undefined, fallback: () => Initializer, what: string): Initializer {
  if (spec === undefined) return fallback();
  if (typeof spec === 'object' && spec !== null && typeof spec.fill === 'function') return spec;
  if (typeof spec === 'string') {
    const key = Object.hasOwn(byName, spec) ? spec : Object.hasOwn(aliases, spec) ? aliases[spec]! : undefined;
    if (key) return byName[key]!();
  }
  throw new Error(`${what}: unknown initializer ${JSON.stringify(spec)}; expected one of ${initializerNames.join(', ')}`);
}
