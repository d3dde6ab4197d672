/**
 * The compiled optimizer, loss and metrics ↔ Keras/TensorFlow.js `training_config`
 * ({ loss, metrics, optimizer_config: { class_name, config } }).
 *
 * Written so `tf.loadLayersModel` can compile the model too: SGD with momentum is tfjs's
 * 'Momentum', RMSprop's rho is also written as tfjs's `decay`. AdamW has no TensorFlow.js class,
 * and tfjs refuses a model whose optimizer it does not know, so an AdamW config goes into
 * `userDefinedMetadata.wasmMlp.trainingConfig` instead (tfjs then loads the model uncompiled).
 * Optimizer *state* (moments, iteration count) is not saved: a loaded model resumes training
 * with the same hyperparameters and fresh state, as tfjs does by default.
 */
import type { LossName } from '../losses.js';
import { getLossName, kerasLossName, lossDeclarations, lossNames } from '../losses.js';
import { resolveMetricName } from '../metrics.js';
import { Adagrad, Adam, AdamW, RMSprop, SGD, type Optimizer } from '../optimizers/index.js';
import { isObject, own, ownAny, show, type JsonObject } from './json.js';
import type { TrainingConfig } from './types.js';

export interface CompileSpec {
  optimizer: Optimizer;
  loss: LossName;
  metrics: string[];
}

/** The training config, and whether TensorFlow.js can read it (false for AdamW). */
export function trainingConfigFor(c: CompileSpec): { config: TrainingConfig; tfjsCompatible: boolean } {
  const o = c.optimizer;
  const clip: JsonObject = {};
  if (o.clipNorm > 0) clip.clipnorm = o.clipNorm;
  if (o.clipValue > 0) clip.clipvalue = o.clipValue;
  let className: string;
  let config: JsonObject;
  let tfjsCompatible = true;
  if (o instanceof SGD) {
    className = o.momentum > 0 ? 'Momentum' : 'SGD';
    config = o.momentum > 0 ? { learning_rate: o.learningRate, momentum: o.momentum, use_nesterov: o.nesterov } : { learning_rate: o.learningRate };
  } else if (o instanceof AdamW) {
    className = 'AdamW';
    config = { learning_rate: o.learningRate, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, weight_decay: o.weightDecay };
    tfjsCompatible = false;
  } else if (o instanceof Adam) {
    className = 'Adam';
    config = { learning_rate: o.learningRate, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon };
  } else if (o instanceof RMSprop) {
    className = 'RMSProp';
    config = { learning_rate: o.learningRate, decay: o.rho, rho: o.rho, momentum: o.momentum, epsilon: o.epsilon, centered: o.centered };
  } else if (o instanceof Adagrad) {
    className = 'Adagrad';
    config = { learning_rate: o.learningRate, initial_accumulator_value: o.initialAccumulatorValue, epsilon: o.epsilon };
  } else {
    throw new Error(`save: optimizer ${o.className} has no training-config mapping`);
  }
  return {
    config: { loss: kerasLossName(c.loss), metrics: c.metrics.slice(), optimizer_config: { class_name: className, config: { ...config, ...clip } } },
    tfjsCompatible,
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
  const cfgRaw = own(v, 'config') ?? {};
  if (!isObject(cfgRaw)) throw new Error(`${where}.config: expected an object, got ${show(cfgRaw)}`);
  const cfg = cfgRaw;
  // tfjs writes camelCase, Keras snake_case; a missing or null value takes the default.
  const get = (...keys: string[]): unknown => {
    const x = ownAny(cfg, ...keys);
    if (x === null || x === undefined) return undefined;
    if (typeof x !== 'number' && typeof x !== 'boolean') throw new Error(`${where}.config.${keys[0]}: expected a number, got ${show(x)}`);
    return x;
  };
  const n = (...keys: string[]) => get(...keys) as number | undefined;
  const clip = { clipNorm: n('clipnorm', 'clipNorm', 'clip_norm'), clipValue: n('clipvalue', 'clipValue', 'clip_value') };
  const lr = n('learning_rate', 'learningRate', 'lr');
  try {
    switch (cls) {
      case 'SGD':
        return new SGD({ learningRate: lr, momentum: n('momentum'), nesterov: get('nesterov', 'use_nesterov', 'useNesterov') as boolean | undefined, ...clip });
      case 'Momentum':
        return new SGD({ learningRate: lr, momentum: n('momentum'), nesterov: get('use_nesterov', 'useNesterov', 'nesterov') as boolean | undefined, ...clip });
      case 'Adam':
        return new Adam({ learningRate: lr, beta1: n('beta1', 'beta_1'), beta2: n('beta2', 'beta_2'), epsilon: n('epsilon'), ...clip });
      case 'AdamW':
        return new AdamW({ learningRate: lr, beta1: n('beta1', 'beta_1'), beta2: n('beta2', 'beta_2'), epsilon: n('epsilon'), weightDecay: n('weight_decay', 'weightDecay'), ...clip });
      case 'RMSProp':
      case 'RMSprop':
        // tfjs calls rho `decay`; Keras 2's `decay` is a learning-rate decay, so prefer `rho`.
        return new RMSprop({ learningRate: lr, rho: n('rho') ?? (cls === 'RMSProp' ? n('decay') : undefined), momentum: n('momentum'), epsilon: n('epsilon'), centered: get('centered') as boolean | undefined, ...clip });
      case 'Adagrad':
        return new Adagrad({ learningRate: lr, initialAccumulatorValue: n('initial_accumulator_value', 'initialAccumulatorValue'), epsilon: n('epsilon'), ...clip });
    }
  } catch (e) {
    throw new Error(`${where} (${String(cls)}): ${(e as Error).message}`);
  }
  throw new Error(`${where}: optimizer class ${show(cls)} is not supported (wasm-mlp has SGD, Momentum, Adam, AdamW, RMSProp, Adagrad); load with { compile: false } to skip the training config`);
}
