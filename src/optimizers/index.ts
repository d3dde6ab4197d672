/**
 * The optimizers, and the one fixed registry that resolves them by name (compile('adam')) and
 * by saved class name (training configs). Only the classes listed here can be built from a
 * name or a file; a new optimizer is its file plus one entry in `registry`.
 */
import { Adagrad, adagrad } from './adagrad.js';
import { Adam, adam } from './adam.js';
import { AdamW, adamw } from './adamw.js';
import { Adamax, adamax } from './adamax.js';
import { Nadam, nadam } from './nadam.js';
import { ConfigReader, Optimizer } from './optimizer.js';
import { RMSprop, rmsprop } from './rmsprop.js';
import { SGD, sgd } from './sgd.js';

export { LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay, CosineDecay } from './schedules.js';
export type { LearningRate } from './optimizer.js';
export { Optimizer, SGD, Adagrad, RMSprop, Adam, AdamW, Adamax, Nadam };
export { sgd, adagrad, rmsprop, adam, adamw, adamax, nadam };

/** What the registry needs of an optimizer class. */
interface OptimizerClass {
  new (options?: never): Optimizer;
  /** The lower-case name compile() and the CLI accept ('adam'). */
  readonly optimizerName: string;
  /** TensorFlow.js / Keras class names it loads from; the first is the usual one. */
  readonly kerasClassNames: readonly string[];
  fromConfig(c: ConfigReader, className: string): Optimizer;
}

const registry: readonly OptimizerClass[] = [SGD, Adagrad, RMSprop, Adam, AdamW, Adamax, Nadam];

/** Every optimizer name compile() accepts. */
export const optimizerNames: readonly string[] = Object.freeze(registry.map((c) => c.optimizerName));

/** Every class name a saved training config may name. */
export const optimizerClassNames: readonly string[] = Object.freeze(registry.flatMap((c) => c.kerasClassNames));

/**
 * What `compile({ optimizer })` accepts by name: the registry's names and the usual Keras class
 * names (any case works at run time; these are the spellings editors offer). A test checks this
 * list against the registry.
 */
export type OptimizerName =
  | 'sgd' | 'adagrad' | 'rmsprop' | 'adam' | 'adamw' | 'adamax' | 'nadam'
  | 'SGD' | 'Adagrad' | 'RMSprop' | 'Adam' | 'AdamW' | 'Adamax' | 'Nadam';

/** Resolve 'adam' (any case) or pass an Optimizer through. */
export function getOptimizer(spec: unknown): Optimizer {
  if (spec instanceof Optimizer) return spec;
  if (typeof spec === 'string') {
    const key = spec.toLowerCase();
    const cls = registry.find((c) => c.optimizerName === key);
    if (cls) return new cls();
  }
  throw new Error(`compile: unknown optimizer ${JSON.stringify(spec) ?? String(spec)}; expected one of ${optimizerNames.map((n) => `'${n}'`).join(', ')} or an nn.optimizers.* object`);
}

/** Build the optimizer `options` describe, by name (the worker protocol). */
export function optimizerByName(name: string, options: object, where: string): Optimizer {
  const cls = registry.find((c) => c.optimizerName === name.toLowerCase());
  if (!cls) throw new Error(`${where}: unknown optimizer '${name}'; expected one of ${optimizerNames.join(', ')}`);
  return new cls(options as never);
}

/**
 * The optimizer a saved `{ class_name, config }` describes, or undefined when no class in the
 * registry has that name. The class's `fromConfig` validates the values.
 */
export function optimizerFromConfig(className: string, config: Readonly<Record<string, unknown>>): Optimizer | undefined {
  const cls = registry.find((c) => c.kerasClassNames.includes(className));
  return cls?.fromConfig(new ConfigReader(config), className);
}
