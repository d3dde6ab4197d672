import { Adagrad, adagrad } from './adagrad.js';
import { Adam, adam } from './adam.js';
import { AdamW, adamw } from './adamw.js';
import { Optimizer } from './optimizer.js';
import { RMSprop, rmsprop } from './rmsprop.js';
import { SGD, sgd } from './sgd.js';

export { Optimizer, SGD, Adagrad, RMSprop, Adam, AdamW };
export { sgd, adagrad, rmsprop, adam, adamw };

const byName = { sgd, adagrad, rmsprop, adam, adamw } satisfies Record<string, () => Optimizer>;
export const optimizerNames = Object.keys(byName) as OptimizerName[];
/**
 * What `compile({ optimizer })` accepts by name: the factory names and the Keras class names (any
 * case works at run time; these are the spellings editors offer).
 */
export type OptimizerName = keyof typeof byName | 'SGD' | 'Adagrad' | 'RMSprop' | 'Adam' | 'AdamW';

/** Resolve 'adam' (any case) or pass an Optimizer through. */
export function getOptimizer(spec: unknown): Optimizer {
  if (spec instanceof Optimizer) return spec;
  if (typeof spec === 'string') {
    const key = spec.toLowerCase();
    if (Object.hasOwn(byName, key)) return byName[key as keyof typeof byName]();
  }
  throw new Error(`compile: unknown optimizer ${JSON.stringify(spec) ?? String(spec)}; expected one of ${optimizerNames.map((n) => `'${n}'`).join(', ')} or an nn.optimizers.* object`);
}
