/**
 * compile(): the optimizer, the loss and its kernel (fused with the output activation where
 * possible) and the metrics, checked and resolved once so a training step only reads numbers.
 */
import { Accuracy, Loss, type AccuracyCode, type LossCode } from '../backend/contract.js';
import type { Layer } from '../layers/layer.js';
import { accuracyKind, getLossName, isSparse, lossKernel, type LossName, type LossSpec } from '../losses.js';
import { AUC_THRESHOLDS, PR_BUCKETS, metricDeclarations, metricLogName, metricNames, resolveMetricName, type MetricAccumulator, type MetricName, type MetricSpec } from '../metrics.js';
import { getOptimizer, type Optimizer, type OptimizerName } from '../optimizers/index.js';
import { describe } from '../tensor.js';
import { checkOptionKeys, optionKeys } from '../util/options.js';

export interface CompileArgs {
  /** A name ('adam', 'sgd', … or Keras's 'Adam'; any case at run time) or an `nn.optimizers.*` object. */
  optimizer: OptimizerName | Optimizer;
  /** A loss name ('binaryCrossentropy', …) or its Keras spelling ('binary_crossentropy', 'mse', …). */
  loss: LossSpec;
  /**
   * Metric names: 'accuracy', 'binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy',
   * 'topKCategoricalAccuracy' (k = 5), 'sparseTopKCategoricalAccuracy', 'mse' / 'meanSquaredError',
   * 'mae' / 'meanAbsoluteError', 'precision', 'recall', 'auc' — or their Keras spellings ('acc',
   * 'binary_accuracy', 'AUC', …). Each is reported under the name given (logs, history, evaluate).
   */
  metrics?: MetricSpec[];
}

export const compileKeys = optionKeys<CompileArgs>()(['optimizer', 'loss', 'metrics']);

/** How one compiled metric is computed: its kernel and how its numbers accumulate. */
export interface MetricPlan {
  /** The key in logs, history and evaluate() ('val_' + it for validation). */
  readonly name: string;
  readonly metric: MetricName;
  readonly accumulator: MetricAccumulator;
  /** count: the accuracyCount kind; sum: the loss kernel code (mse / mae). */
  readonly code: number;
  /** What one row adds to the denominator: the outputs for per-element counts, else 1. */
  readonly perRow: number;
  /** histogram: buckets of thresholdCounts (PR_BUCKETS or AUC_THRESHOLDS). */
  readonly buckets: number;
}

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
  /** The metric names as given (saved in training configs). */
  metrics: string[];
  /** One plan per metric, in the order given. */
  metricPlans: MetricPlan[];
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
  const last = layers.at(-1)!;
  const metricPlans: MetricPlan[] = [];
  for (const m of metrics) {
    const plan = metricPlan(m, lossName, last.units);
    // The same metric twice under one name would report one value twice: keep the first.
    if (!metricPlans.some((p) => p.name === plan.name)) metricPlans.push(plan);
  }
  if (isSparse(lossName) && last.units < 2) throw new Error(`compile: sparseCategoricalCrossentropy needs an output layer with >= 2 units, got ${last.units}`);
  const { code, fused } = lossKernel(lossName, last.outputActivation);
  for (const l of layers) l.fusedOutputGrad = false;
  last.fusedOutputGrad = fused;
  const accuracy = metricPlans.find((p) => p.metric === 'accuracy');
  return {
    optimizer, lossName, lossCode: code, fused,
    accuracy: accuracy?.code as AccuracyCode | undefined,
    accuracyPerRow: accuracy?.perRow ?? 1,
    metrics: metricPlans.map((p) => p.name),
    metricPlans,
  };
}

/** Resolve one metric name against the loss (whose targets it reads) and the output width. */
function metricPlan(spec: unknown, lossName: LossName, units: number): MetricPlan {
  const metric = resolveMetricName(spec);
  if (metric === undefined) {
    throw new Error(`compile: unknown metric ${JSON.stringify(spec) ?? String(spec)}; supported: ${metricNames.map((n) => `'${n}'`).join(', ')} (or their Keras names, e.g. 'mse', 'auc')`);
  }
  const d = metricDeclarations[metric];
  const sparse = isSparse(lossName);
  if (d.targets === 'dense' && sparse) {
    const instead = metric === 'categoricalAccuracy' ? 'sparseCategoricalAccuracy' : metric === 'topKCategoricalAccuracy' ? 'sparseTopKCategoricalAccuracy' : undefined;
    throw new Error(`compile: metric '${String(spec)}' needs targets shaped like the outputs, but loss '${lossName}' takes class ids${instead ? `; use '${instead}'` : ''}`);
  }
  if (d.targets === 'sparse' && !sparse) {
    throw new Error(`compile: metric '${String(spec)}' reads class ids, which only loss 'sparseCategoricalCrossentropy' takes (with loss '${lossName}' use '${metric === 'sparseCategoricalAccuracy' ? 'categoricalAccuracy' : 'topKCategoricalAccuracy'}')`);
  }
  const name = metricLogName(spec as string);
  const plan = (code: number, perRow: number, buckets = 0): MetricPlan => ({ name, metric, accumulator: d.accumulator, code, perRow, buckets });
  switch (metric) {
    case 'accuracy': {
      const kind = accuracyKind(lossName, units);
      return plan(kind, kind === Accuracy.binary ? units : 1);
    }
    case 'binaryAccuracy': return plan(Accuracy.binary, units);
    case 'categoricalAccuracy': return plan(Accuracy.categorical, 1);
    case 'sparseCategoricalAccuracy': return plan(Accuracy.sparse, 1);
    case 'topKCategoricalAccuracy': return plan(Accuracy.topKCategorical, 1);
    case 'sparseTopKCategoricalAccuracy': return plan(Accuracy.topKSparse, 1);
    case 'meanSquaredError': return plan(Loss.meanSquaredError, 1);
    case 'meanAbsoluteError': return plan(Loss.meanAbsoluteError, 1);
    case 'precision': case 'recall': return plan(0, 1, PR_BUCKETS);
    case 'auc': return plan(0, 1, AUC_THRESHOLDS);
  }
}
