/**
 * The layers, and the one fixed registry that loads them from a saved Keras/TensorFlow.js topology
 * (by class name, through each class's static fromConfig). A new layer kind is its file plus one
 * entry in `layerClasses`.
 */
import { Activation } from './activation.js';
import { BatchNormalization } from './batch-normalization.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { ELU } from './elu.js';
import { GaussianNoise } from './gaussian-noise.js';
import type { Layer, LayerArgs, LayerConfigReader } from './layer.js';
import { LayerNormalization } from './layer-normalization.js';
import { LeakyReLU } from './leaky-relu.js';
import { PReLU } from './prelu.js';

export { Layer, type LayerArgs, type Param } from './layer.js';
export { Dense, dense, type DenseArgs } from './dense.js';
export { Dropout, dropout, type DropoutArgs } from './dropout.js';
export { Activation, activation, type ActivationArgs } from './activation.js';
export { LeakyReLU, leakyRelu, type LeakyReluArgs } from './leaky-relu.js';
export { PReLU, prelu, type PreluArgs } from './prelu.js';
export { ELU, elu, type EluArgs } from './elu.js';
export { BatchNormalization, batchNormalization, type BatchNormalizationArgs } from './batch-normalization.js';
export { LayerNormalization, layerNormalization, type LayerNormalizationArgs } from './layer-normalization.js';
export { GaussianNoise, gaussianNoise, type GaussianNoiseArgs } from './gaussian-noise.js';
export { activationNames, type ActivationName } from './activation-kernels.js';
export type { KerasEntry, LayerConfigReader } from './layer.js';

/** What the registry needs of a layer class. */
export interface LayerClass {
  new (args: never): Layer;
  /** The Keras / TensorFlow.js class name it saves and loads as. */
  readonly kerasClassName: string;
  fromConfig(c: LayerConfigReader, args: LayerArgs): Layer;
}

/** Every layer class a saved model may name, in the order error messages list them. */
export const layerClasses: readonly LayerClass[] = [Dense, Dropout, Activation, LeakyReLU, PReLU, ELU, BatchNormalization, LayerNormalization, GaussianNoise];

/** The class saved as `className`, or undefined (only the classes above; nothing is looked up by name elsewhere). */
export function layerClassFor(className: string): LayerClass | undefined {
  return layerClasses.find((c) => c.kerasClassName === className);
}

/** The layer factories by their API name (`nn.layers.dense`, …), for the worker protocol. */
export const layerFactoryNames = Object.freeze({
  dense: Dense, dropout: Dropout, activation: Activation, leakyRelu: LeakyReLU, prelu: PReLU, elu: ELU,
  batchNormalization: BatchNormalization, layerNormalization: LayerNormalization, gaussianNoise: GaussianNoise,
} satisfies Record<string, LayerClass>);
/** A layer type the worker protocol accepts ('dense', …). */
export type LayerTypeName = keyof typeof layerFactoryNames;

/** Whether `layer` is an instance of a registered class (so it has a saved form). */
export function isRegisteredLayer(layer: Layer): boolean {
  return layerClasses.some((c) => layer instanceof c);
}
