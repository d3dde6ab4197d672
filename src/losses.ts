/**
 * Loss names and how they map to the backend's loss kernel. When the output layer's activation
 * is the loss's natural partner (softmax with categorical cross-entropy, sigmoid with binary
 * cross-entropy), the model uses the fused kernel whose gradient w.r.t. the logits is (a − y).
 */
import { Accuracy, type AccuracyCode, Loss, type LossCode } from './backend/contract.js';

export const lossNames = [
  'meanSquaredError',
  'meanAbsoluteError',
  'binaryCrossentropy',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
] as const;
export type LossName = (typeof lossNames)[number];

const aliases = {
  mse: 'meanSquaredError', mean_squared_error: 'meanSquaredError', MeanSquaredError: 'meanSquaredError',
  mae: 'meanAbsoluteError', mean_absolute_error: 'meanAbsoluteError', MeanAbsoluteError: 'meanAbsoluteError',
  binary_crossentropy: 'binaryCrossentropy', BinaryCrossentropy: 'binaryCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy', CategoricalCrossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy', SparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy',
} as const satisfies Record<string, LossName>;
/** What `compile({ loss })` accepts: a {@link LossName} or a Keras / TensorFlow.js spelling of one. */
export type LossSpec = LossName | keyof typeof aliases;

/** Accept API names and Keras/TensorFlow.js spellings ('mse', 'categorical_crossentropy'). */
export function getLossName(spec: unknown): LossName {
  if (typeof spec === 'string') {
    if ((lossNames as readonly string[]).includes(spec)) return spec as LossName;
    if (Object.hasOwn(aliases, spec)) return aliases[spec as keyof typeof aliases];
  }
  throw new Error(`compile: unknown loss ${JSON.stringify(spec) ?? String(spec)}; expected one of ${lossNames.map((n) => `'${n}'`).join(', ')}`);
}

/** Keras snake_case name, as saved in a training config. */
export function kerasLossName(name: LossName): string {
  return name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

export const isSparse = (name: LossName): boolean => name === 'sparseCategoricalCrossentropy';

/** The kernel code, fused when the output activation allows it. */
export function lossKernel(name: LossName, outputActivation: string | undefined): { code: LossCode; fused: boolean } {
  switch (name) {
    case 'meanSquaredError':
      return { code: Loss.meanSquaredError, fused: false };
    case 'meanAbsoluteError':
      return { code: Loss.meanAbsoluteError, fused: false };
    case 'binaryCrossentropy':
      return outputActivation === 'sigmoid'
        ? { code: Loss.binaryCrossentropyFusedSigmoid, fused: true }
        : { code: Loss.binaryCrossentropy, fused: false };
    case 'categoricalCrossentropy':
      return outputActivation === 'softmax'
        ? { code: Loss.categoricalCrossentropyFusedSoftmax, fused: true }
        : { code: Loss.categoricalCrossentropy, fused: false };
    case 'sparseCategoricalCrossentropy':
      return outputActivation === 'softmax'
        ? { code: Loss.sparseCategoricalCrossentropyFusedSoftmax, fused: true }
        : { code: Loss.sparseCategoricalCrossentropy, fused: false };
  }
}

/** Which accuracy Keras reports for 'accuracy' with this loss and output width. */
export function accuracyKind(name: LossName, outputUnits: number): AccuracyCode {
  if (name === 'sparseCategoricalCrossentropy') return Accuracy.sparse;
  if (name === 'binaryCrossentropy' || outputUnits === 1) return Accuracy.binary;
  return Accuracy.categorical;
}
