/**
 * The compiled optimizer, loss and metrics ↔ Keras/TensorFlow.js `training_config`
 * ({ loss, metrics, optimizer_config: { class_name, config } }).
 *
 * The optimizer entry is its `className` and `getConfig()` (plus Keras's clipnorm / clipvalue);
 * loading goes through the fixed registry in src/optimizers/index.ts. Written so
 * `tf.loadLayersModel` can compile the model too: SGD with momentum is tfjs's 'Momentum',
 * RMSprop's rho is also written as tfjs's `decay`. AdamW has no TensorFlow.js class,
 * and tfjs refuses a model whose optimizer it does not know, so an AdamW config goes into
 * `userDefinedMetadata.wasmMlp.trainingConfig` instead (tfjs then loads the model uncompiled).
 * Metrics TensorFlow.js does not have (recall, auc, top-k, …) would make tfjs refuse the model,
 * so its `metrics` lists only those it has (in its spelling) and the full list, as compiled, goes
 * to `userDefinedMetadata.wasmMlp.metrics`, which loading prefers.
 * The same holds for a learning-rate schedule, saved as Keras does: `learning_rate: { module:
 * 'keras.optimizers.schedules', class_name: 'ExponentialDecay', config: { … } }`.
 */
import type { LossName } from '../losses.js';
import { getLossName, kerasLossName, lossDeclarations, lossNames } from '../losses.js';
import { metricLogName, resolveMetricName, tfjsMetricNames } from '../metrics.js';
import { optimizerClassNames, optimizerFromConfig, type Optimizer } from '../optimizers/index.js';
import { isObject, own, show, type JsonObject } from './json.js';
import type { TrainingConfig } from './types.js';

export interface CompileSpec {
  optimizer: Optimizer;
  loss: LossName;
  metrics: string[];
}

/**
 * The training config, whether TensorFlow.js can read it (false for AdamW), and the full metric
 * list when the config's `metrics` (the ones tfjs has) leave some out.
 */
export function trainingConfigFor(c: CompileSpec): { config: TrainingConfig; tfjsCompatible: boolean; allMetrics?: string[] } {
  const o = c.optimizer;
  const config: JsonObject = { ...o.getConfig() };
  if (o.clipNorm > 0) config.clipnorm = o.clipNorm;
  if (o.clipValue > 0) config.clipvalue = o.clipValue;
  // TensorFlow.js reads learning_rate as a number; a schedule would make it train with NaN.
  const tfjsCompatible = o.tfjsCompatible && typeof o.learningRate === 'number';
  const metrics = tfjsCompatible ? tfjsMetricNames(c.metrics) : c.metrics.slice();
  const same = metrics.length === c.metrics.length && metrics.every((m, i) => m === c.metrics[i]);
  return {
    config: { loss: kerasLossName(c.loss), metrics, optimizer_config: { class_name: o.savedClassName, config } },
    tfjsCompatible,
    ...(same ? {} : { allMetrics: c.metrics.slice() }),
  };
}

/** Parse a training config written by wasm-mlp, TensorFlow.js or Keras; `allMetrics` (userDefinedMetadata.wasmMlp.metrics) replaces its metrics. */
export function compileSpecFrom(tc: unknown, allMetrics?: unknown): CompileSpec {
  const where = 'trainingConfig';
  if (!isObject(tc)) throw new Error(`${where}: expected { loss, metrics, optimizer_config }, got ${show(tc)}`);
  for (const k of ['loss_weights', 'weighted_metrics', 'sample_weight_mode']) {
    const v = own(tc, k);
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) throw new Error(`${where}: ${k} is not supported`);
  }
  return { optimizer: optimizerFrom(own(tc, 'optimizer_config')), loss: lossFrom(own(tc, 'loss')), metrics: metricsFrom(Array.isArray(allMetrics) ? allMetrics : own(tc, 'metrics')) };
}

function lossFrom(v: unknown): LossName {
  let spec = v;
  if (Array.isArray(spec) && spec.length === 1) spec = spec[0];
  if (isObject(spec) && Object.hasOwn(spec, 'class_name')) {
    // Keras 3: { module, class_name: 'CategoricalCrossentropy', config: { from_logits, … } }.
    const cfg = own(spec, 'config');
    if (isObject(cfg) && own(cfg, 'from_logits') === true) throw new Error('trainingConfig.loss: from_logits losses are not supported; use a softmax/sigmoid output layer');
    spec = own(spec, 'class_name');
  }
  try {
    return getLossName(spec);
  } catch {
    throw new Error(`trainingConfig.loss: ${show(v)} is not a loss wasm-mlp has (${lossNames.map((n) => lossDeclarations[n].keras[0]).join(', ')})`);
  }
}

/**
 * The metrics wasm-mlp has, by the names saved (tfjs's camelCase, Keras's snake_case, or Keras 3
 * serialized metric objects by class name); metrics it does not have do not affect training and
 * are dropped.
 */
function metricsFrom(v: unknown): string[] {
  const list = Array.isArray(v) ? v.flat() : [];
  const out: string[] = [];
  for (const m of list) {
    const name = typeof m === 'string' ? m : isObject(m) && typeof own(m, 'class_name') === 'string' ? (own(m, 'class_name') as string) : undefined;
    if (name === undefined || resolveMetricName(name) === undefined) continue;
    const logName = metricLogName(name);
    if (!out.includes(logName)) out.push(logName);
  }
  return out;
}

function optimizerFrom(v: unknown): Optimizer {
  const where = 'trainingConfig.optimizer_config';
  if (!isObject(v)) throw new Error(`${where}: expected { class_name, config }, got ${show(v)}`);
  const cls = own(v, 'class_name');
  const cfg = own(v, 'config') ?? {};
  if (!isObject(cfg)) throw new Error(`${where}.config: expected an object, got ${show(cfg)}`);
  let optimizer: Optimizer | undefined;
  try {
    // tfjs writes camelCase, Keras snake_case; each class reads both, a missing or null value takes the default.
    if (typeof cls === 'string') optimizer = optimizerFromConfig(cls, cfg);
  } catch (e) {
    throw new Error(`${where} (${String(cls)}): ${(e as Error).message}`);
  }
  if (optimizer) return optimizer;
  throw new Error(`${where}: optimizer class ${show(cls)} is not supported (wasm-mlp has ${optimizerClassNames.join(', ')}); load with { compile: false } to skip the training config`);
}
