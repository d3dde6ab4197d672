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
 * The same holds for a learning-rate schedule, saved as Keras does: `learning_rate: { module:
 * 'keras.optimizers.schedules', class_name: 'ExponentialDecay', config: { … } }`.
 * Optimizer *state* (moments, iteration count) is not saved: a loaded model resumes training
 * with the same hyperparameters and fresh state, as tfjs does by default.
 */
import type { LossName } from '../losses.js';
import { getLossName, kerasLossName, lossDeclarations, lossNames } from '../losses.js';
import { resolveMetricName } from '../metrics.js';
import { optimizerClassNames, optimizerFromConfig, type Optimizer } from '../optimizers/index.js';
import { isObject, own, show, type JsonObject } from './json.js';
import type { TrainingConfig } from './types.js';

export interface CompileSpec {
  optimizer: Optimizer;
  loss: LossName;
  metrics: string[];
}

/** The training config, and whether TensorFlow.js can read it (false for AdamW). */
export function trainingConfigFor(c: CompileSpec): { config: TrainingConfig; tfjsCompatible: boolean } {
  const o = c.optimizer;
  const config: JsonObject = { ...o.getConfig() };
  if (o.clipNorm > 0) config.clipnorm = o.clipNorm;
  if (o.clipValue > 0) config.clipvalue = o.clipValue;
  return {
    config: { loss: kerasLossName(c.loss), metrics: c.metrics.slice(), optimizer_config: { class_name: o.savedClassName, config } },
    // TensorFlow.js reads learning_rate as a number; a schedule would make it train with NaN.
    tfjsCompatible: o.tfjsCompatible && typeof o.learningRate === 'number',
  };
}

/** Parse a training config written by wasm-mlp, TensorFlow.js or Keras. */
export function compileSpecFrom(tc: unknown): CompileSpec {
  const where = 'trainingConfig';
  if (!isObject(tc)) throw new Error(`${where}: expected { loss, metrics, optimizer_config }, got ${show(tc)}`);
  for (const k of ['loss_weights', 'weighted_metrics', 'sample_weight_mode']) {
    const v = own(tc, k);
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) throw new Error(`${where}: ${k} is not supported`);
  }
  return { optimizer: optimizerFrom(own(tc, 'optimizer_config')), loss: lossFrom(own(tc, 'loss')), metrics: metricsFrom(own(tc, 'metrics')) };
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

/** Only accuracy is computed by wasm-mlp; other metrics do not affect training and are dropped. */
function metricsFrom(v: unknown): string[] {
  const list = Array.isArray(v) ? v.flat() : [];
  return list.some((m) => resolveMetricName(m) === 'accuracy') ? ['accuracy'] : [];
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
