/**
 * compile(): the optimizer, the loss and its kernel (fused with the output activation where
 * possible) and the metrics, checked and resolved once so a training step only reads numbers.
 */
import { Accuracy, type AccuracyCode, type LossCode } from '../backend/contract.js';
import type { Layer } from '../layers/layer.js';
import { accuracyKind, getLossName, isSparse, lossKernel, type LossName, type LossSpec } from '../losses.js';
import { resolveMetricName, type MetricSpec } from '../metrics.js';
import { getOptimizer, type Optimizer, type OptimizerName } from '../optimizers/index.js';
import { describe } from '../tensor.js';
import { checkOptionKeys, optionKeys } from '../util/options.js';

export interface CompileArgs {
  /** A name ('adam', 'sgd', … or Keras's 'Adam'; any case at run time) or an `nn.optimizers.*` object. */
  optimizer: OptimizerName | Optimizer;
  /** A loss name ('binaryCrossentropy', …) or its Keras spelling ('binary_crossentropy', 'mse', …). */
  loss: LossSpec;
  /** Metric names ('accuracy', or Keras's 'acc'). */
  metrics?: MetricSpec[];
}

export const compileKeys = optionKeys<CompileArgs>()(['optimizer', 'loss', 'metrics']);

/** A compiled model's training setup. */
export interface Compiled {
  optimizer: Optimizer;
  lossName: LossName;
  lossCode: LossCode;
  fused: boolean;
  /** The accuracy kernel's kind, when 'accuracy' was asked for. */
  accuracy: AccuracyCode | undefined;
  /** What one row contributes to accuracyCount's maximum: every output for binary, one otherwise. */
  accuracyPerRow: number;
  metrics: string[];
}

/** Check compile()'s arguments against the layers and resolve them; marks the last layer's fused gradient. */
export function compileSpec(args: CompileArgs, layers: readonly Layer[]): Compiled {
  if (!args || typeof args !== 'object') throw new Error(`compile: expected { optimizer, loss, metrics? }, got ${describe(args)}`);
  checkOptionKeys(args, compileKeys, 'compile');
  if (layers.length === 0) throw new Error('compile: the model has no layers; add layers first');
  const optimizer = getOptimizer(args.optimizer);
  const lossName = getLossName(args.loss);
  const metrics = args.metrics ?? [];
  if (!Array.isArray(metrics)) throw new Error(`compile: metrics must be an array like ['accuracy'], got ${describe(metrics)}`);
  for (const m of metrics) {
    if (resolveMetricName(m) === undefined) throw new Error(`compile: unknown metric ${JSON.stringify(m)}; supported: 'accuracy'`);
  }
  const last = layers.at(-1)!;
  if (isSparse(lossName) && last.units < 2) throw new Error(`compile: sparseCategoricalCrossentropy needs an output layer with >= 2 units, got ${last.units}`);
  const { code, fused } = lossKernel(lossName, last.outputActivation);
  for (const l of layers) l.fusedOutputGrad = false;
  last.fusedOutputGrad = fused;
  const accuracy = metrics.length ? accuracyKind(lossName, last.units) : undefined;
  return {
    optimizer, lossName, lossCode: code, fused, accuracy,
    accuracyPerRow: accuracy === Accuracy.binary ? last.units : 1,
    metrics: metrics.map(() => 'accuracy'),
  };
}
