/**
 * TensorFlow.js-layers artifacts ↔ Keras 3 `config.json` (the `keras.saving.serialize_keras_object`
 * form: `module`, `class_name`, `config`, `registered_name`, plus `compile_config`), and where each
 * layer's variables live in Keras 3's `model.weights.h5`.
 *
 * Each layer class is one entry of LAYERS: how its tfjs config becomes a Keras 3 config, and the
 * order of its variables (Keras stores them as `layers/<snake_case class>[_n]/vars/0, 1, …`).
 * A class without an entry is refused by name on save and on load.
 */
import { kerasMetricName } from '../../metrics.js';
import { isObject, own, show, type JsonObject } from '../json.js';
import type { TrainingConfig } from '../types.js';

const POLICY = (): JsonObject => ({ module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null });
const serialized = (module: string, className: string, config: JsonObject): JsonObject => ({ module, class_name: className, config, registered_name: null });

/** Keras 3's `naming.to_snake_case`: 'LeakyReLU' → 'leaky_re_lu', 'PReLU' → 'p_re_lu'. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

// ---- activations ------------------------------------------------------------------------------

/** wasm-mlp activation names (as saved in tfjs JSON) → Keras 3 activation strings. */
const ACTIVATION_TO_KERAS: Record<string, string> = {
  linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', elu: 'elu',
  selu: 'selu', softplus: 'softplus', swish: 'silu', gelu: 'gelu',
};

function kerasActivation(v: unknown, where: string): string {
  const name = v ?? 'linear';
  if (typeof name === 'string' && Object.hasOwn(ACTIVATION_TO_KERAS, name)) return ACTIVATION_TO_KERAS[name]!;
  if (name === 'step') throw new Error(`${where}: activation 'step' has no Keras 3 equivalent, so the .keras file could not be loaded by Keras; use it only in wasm-mlp's own format`);
  throw new Error(`${where}: activation ${show(name)} has no Keras 3 mapping`);
}

// ---- initializers and regularizers ------------------------------------------------------------

/** tfjs/wasm-mlp initializer class → Keras 3 class and the config keys it accepts. */
const INITIALIZERS: Record<string, [string, string[]]> = {
  Zeros: ['Zeros', []], Ones: ['Ones', []], Constant: ['Constant', ['value']],
  RandomUniform: ['RandomUniform', ['minval', 'maxval', 'seed']], RandomNormal: ['RandomNormal', ['mean', 'stddev', 'seed']],
  TruncatedNormal: ['TruncatedNormal', ['mean', 'stddev', 'seed']],
  GlorotUniform: ['GlorotUniform', ['seed']], GlorotNormal: ['GlorotNormal', ['seed']], HeUniform: ['HeUniform', ['seed']],
  HeNormal: ['HeNormal', ['seed']], LeCunUniform: ['LecunUniform', ['seed']], LeCunNormal: ['LecunNormal', ['seed']],
  LecunUniform: ['LecunUniform', ['seed']], LecunNormal: ['LecunNormal', ['seed']],
  VarianceScaling: ['VarianceScaling', ['scale', 'mode', 'distribution', 'seed']], Orthogonal: ['Orthogonal', ['gain', 'seed']], Identity: ['Identity', ['gain']],
};

function kerasInitializer(v: unknown, where: string): JsonObject | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v) || typeof own(v, 'class_name') !== 'string') throw new Error(`${where}: expected { class_name, config }, got ${show(v)}`);
  const cls = own(v, 'class_name') as string;
  const entry = INITIALIZERS[cls];
  if (!entry) throw new Error(`${where}: initializer ${show(cls)} has no Keras 3 mapping`);
  const cfg = isObject(own(v, 'config')) ? (own(v, 'config') as JsonObject) : {};
  const out: JsonObject = {};
  for (const k of entry[1]) {
    const x = own(cfg, k);
    out[k] = x === undefined ? (k === 'seed' ? null : undefined) : x;
    if (out[k] === undefined) delete out[k];
  }
  return serialized('keras.initializers', entry[0], out);
}

function kerasRegularizer(v: unknown, where: string): JsonObject | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new Error(`${where}: expected { class_name: 'L1L2', config }, got ${show(v)}`);
  const cfg = own(v, 'config');
  if (own(v, 'class_name') !== 'L1L2' || !isObject(cfg)) throw new Error(`${where}: regularizer ${show(own(v, 'class_name'))} has no Keras 3 mapping`);
  return serialized('keras.regularizers', 'L1L2', { l1: Number(own(cfg, 'l1') ?? 0), l2: Number(own(cfg, 'l2') ?? 0) });
}

// ---- layers -----------------------------------------------------------------------------------

interface LayerKind {
  /** Variable names in Keras's order (`vars/0`, `vars/1`, …), given the Keras 3 config. */
  vars(config: JsonObject): string[];
  /** The non-trainable ones among them (no optimizer state). */
  nonTrainable?: readonly string[];
  /** tfjs-layers config (as wasm-mlp saves it) → Keras 3 config; `width` is the input width. */
  toKeras?(cfg: JsonObject, width: number, where: string): { config: JsonObject; width: number; built: boolean };
}

const flag = (cfg: JsonObject, k: string): boolean => own(cfg, k) !== false;

const LAYERS: Record<string, LayerKind> = {
  Dense: {
    vars: (c) => (flag(c, 'use_bias') ? ['kernel', 'bias'] : ['kernel']),
    toKeras: (c, _w, where) => {
      const units = own(c, 'units');
      if (typeof units !== 'number' || !Number.isInteger(units) || units < 1) throw new Error(`${where}: units must be a positive integer, got ${show(units)}`);
      return {
        config: {
          units,
          activation: kerasActivation(own(c, 'activation'), where),
          use_bias: own(c, 'use_bias') !== false,
          kernel_initializer: kerasInitializer(own(c, 'kernel_initializer'), `${where} kernel_initializer`),
          bias_initializer: kerasInitializer(own(c, 'bias_initializer'), `${where} bias_initializer`),
          kernel_regularizer: kerasRegularizer(own(c, 'kernel_regularizer'), `${where} kernel_regularizer`),
          bias_regularizer: kerasRegularizer(own(c, 'bias_regularizer'), `${where} bias_regularizer`),
          kernel_constraint: null,
          bias_constraint: null,
        },
        width: units,
        built: true,
      };
    },
  },
  Dropout: {
    vars: () => [],
    toKeras: (c, w) => ({ config: { rate: own(c, 'rate'), seed: null, noise_shape: null }, width: w, built: false }),
  },
  Activation: {
    vars: () => [],
    toKeras: (c, w, where) => ({ config: { activation: kerasActivation(own(c, 'activation'), where) }, width: w, built: false }),
  },
  LeakyReLU: {
    vars: () => [],
    toKeras: (c, w) => ({ config: { negative_slope: own(c, 'alpha') ?? 0.3 }, width: w, built: false }),
  },
  ELU: {
    vars: () => [],
    toKeras: (c, w) => ({ config: { alpha: own(c, 'alpha') ?? 1 }, width: w, built: false }),
  },
  PReLU: {
    vars: () => ['alpha'],
    toKeras: (c, w, where) => ({
      config: {
        alpha_initializer: kerasInitializer(own(c, 'alpha_initializer') ?? { class_name: 'Zeros', config: {} }, `${where} alpha_initializer`),
        alpha_regularizer: kerasRegularizer(own(c, 'alpha_regularizer'), `${where} alpha_regularizer`),
        alpha_constraint: null,
        shared_axes: null,
      },
      width: w,
      built: true,
    }),
  },
  // Variable order as Keras 3 saves them (gamma, beta, then the moving statistics).
  BatchNormalization: {
    vars: (c) => [...(flag(c, 'scale') ? ['gamma'] : []), ...(flag(c, 'center') ? ['beta'] : []), 'moving_mean', 'moving_variance'],
    nonTrainable: ['moving_mean', 'moving_variance'],
    toKeras: (c, w, where) => ({
      config: {
        axis: -1,
        momentum: own(c, 'momentum') ?? 0.99,
        ...normalizationToKeras(c, where),
        moving_mean_initializer: kerasInitializer(own(c, 'moving_mean_initializer') ?? { class_name: 'Zeros', config: {} }, `${where} moving_mean_initializer`),
        moving_variance_initializer: kerasInitializer(own(c, 'moving_variance_initializer') ?? { class_name: 'Ones', config: {} }, `${where} moving_variance_initializer`),
        synchronized: false,
      },
      width: w,
      built: true,
    }),
  },
  LayerNormalization: {
    vars: (c) => [...(flag(c, 'scale') ? ['gamma'] : []), ...(flag(c, 'center') ? ['beta'] : [])],
    toKeras: (c, w, where) => ({ config: { axis: -1, ...normalizationToKeras(c, where), rms_scaling: false }, width: w, built: true }),
  },
  GaussianNoise: {
    vars: () => [],
    toKeras: (c, w) => ({ config: { stddev: own(c, 'stddev'), seed: null }, width: w, built: false }),
  },
};

/** The config keys batch and layer normalization share, in Keras 3's form. */
function normalizationToKeras(c: JsonObject, where: string): JsonObject {
  return {
    epsilon: own(c, 'epsilon') ?? 1e-3,
    center: own(c, 'center') !== false,
    scale: own(c, 'scale') !== false,
    beta_initializer: kerasInitializer(own(c, 'beta_initializer') ?? { class_name: 'Zeros', config: {} }, `${where} beta_initializer`),
    gamma_initializer: kerasInitializer(own(c, 'gamma_initializer') ?? { class_name: 'Ones', config: {} }, `${where} gamma_initializer`),
    beta_regularizer: kerasRegularizer(own(c, 'beta_regularizer'), `${where} beta_regularizer`),
    gamma_regularizer: kerasRegularizer(own(c, 'gamma_regularizer'), `${where} gamma_regularizer`),
    beta_constraint: null,
    gamma_constraint: null,
  };
}

const SAVABLE = Object.keys(LAYERS).filter((k) => LAYERS[k]!.toKeras).join(', ');
const LOADABLE = Object.keys(LAYERS).join(', ');

/** One layer of the weights file: its HDF5 group and the weight-spec names of `vars/0, 1, …`. */
export interface WeightGroup {
  layer: string;
  path: string;
  specs: string[];
  /** The specs the optimizer updates (Keras keeps optimizer variables for these only). */
  trainable: string[];
}

function weightGroups(layers: JsonObject[]): WeightGroup[] {
  const used = new Map<string, number>();
  return layers.map((l) => {
    const cls = own(l, 'class_name') as string;
    const cfg = own(l, 'config') as JsonObject;
    const base = toSnakeCase(cls);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    const name = own(cfg, 'name') as string;
    const vars = LAYERS[cls]!.vars(cfg), fixed = LAYERS[cls]!.nonTrainable ?? [];
    return {
      layer: name, path: `layers/${n === undefined ? base : `${base}_${n + 1}`}`,
      specs: vars.map((v) => `${name}/${v}`), trainable: vars.filter((v) => !fixed.includes(v)).map((v) => `${name}/${v}`),
    };
  });
}

// ---- saving -----------------------------------------------------------------------------------

/** Keras 3 config.json (with compile_config) for tfjs-layers topology + training config. */
export function kerasConfigFor(topology: JsonObject, trainingConfig: TrainingConfig | undefined): { config: JsonObject; groups: WeightGroup[]; modelName: string } {
  const top = own(topology, 'config') as JsonObject;
  const entries = own(top, 'layers') as JsonObject[];
  const modelName = String(own(top, 'name') ?? 'sequential');
  const first = own(entries[0]!, 'config') as JsonObject;
  const input = own(first, 'batch_input_shape') as [null, number];
  let width = input[1];
  const names = new Set(entries.map((e) => String(own(own(e, 'config') as JsonObject, 'name'))));
  let inputName = 'input_layer';
  for (let i = 1; names.has(inputName); i++) inputName = `input_layer_${i}`;
  const layers: JsonObject[] = [
    serialized('keras.layers', 'InputLayer', { batch_shape: [null, width], dtype: 'float32', sparse: false, name: inputName }),
  ];
  const inner: JsonObject[] = [];
  for (const e of entries) {
    const cls = own(e, 'class_name') as string;
    const cfg = own(e, 'config') as JsonObject;
    const where = `save .keras: layer '${String(own(cfg, 'name'))}' (${cls})`;
    const kind = LAYERS[cls];
    if (!kind?.toKeras) throw new Error(`${where}: layer class '${cls}' has no Keras 3 mapping yet; .keras files hold ${SAVABLE}`);
    const inWidth = width;
    const { config, width: out, built } = kind.toKeras(cfg, width, where);
    width = out;
    const layer: JsonObject = serialized('keras.layers', cls, { name: own(cfg, 'name'), trainable: true, dtype: POLICY(), ...config });
    if (built) layer.build_config = { input_shape: [null, inWidth] };
    layers.push(layer);
    inner.push(layer);
  }
  const config: JsonObject = {
    ...serialized('keras', 'Sequential', { name: modelName, trainable: true, dtype: POLICY(), layers }),
    build_config: { input_shape: [null, input[1]] },
  };
  (config.config as JsonObject).build_input_shape = [null, input[1]];
  if (trainingConfig) config.compile_config = compileConfigFor(trainingConfig);
  return { config, groups: weightGroups(inner), modelName };
}

/** tfjs optimizer class → Keras 3 class and its config (from wasm-mlp's training config). */
function compileConfigFor(tc: TrainingConfig): JsonObject {
  const o = tc.optimizer_config;
  const c = o.config as JsonObject;
  const num = (k: string, d: number): number => (typeof own(c, k) === 'number' ? (own(c, k) as number) : d);
  const betas = () => ({ beta_1: num('beta1', 0.9), beta_2: num('beta2', 0.999), epsilon: num('epsilon', 1e-7), amsgrad: false });
  let cls: string;
  let specific: JsonObject;
  switch (o.class_name) {
    case 'SGD':
    case 'Momentum':
      cls = 'SGD';
      specific = { momentum: num('momentum', 0), nesterov: own(c, 'use_nesterov') === true || own(c, 'nesterov') === true };
      break;
    case 'Adam':
      cls = 'Adam';
      specific = betas();
      break;
    case 'AdamW':
      cls = 'AdamW';
      specific = betas();
      break;
    case 'RMSProp':
      cls = 'RMSprop';
      specific = { rho: num('rho', 0.9), momentum: num('momentum', 0), epsilon: num('epsilon', 1e-7), centered: own(c, 'centered') === true };
      break;
    case 'Adagrad':
      cls = 'Adagrad';
      specific = { initial_accumulator_value: num('initial_accumulator_value', 0.1), epsilon: num('epsilon', 1e-7) };
      break;
    default:
      throw new Error(`save .keras: optimizer ${show(o.class_name)} has no Keras 3 mapping`);
  }
  const clip = (k: string) => (typeof own(c, k) === 'number' && (own(c, k) as number) > 0 ? own(c, k) : null);
  const optimizer = serialized('keras.optimizers', cls, {
    name: cls.toLowerCase(),
    // A schedule is already in Keras 3's serialized form ({ module: 'keras.optimizers.schedules', … }).
    learning_rate: isObject(own(c, 'learning_rate')) ? own(c, 'learning_rate') : num('learning_rate', 0.01),
    weight_decay: cls === 'AdamW' ? num('weight_decay', 0.004) : null,
    clipnorm: clip('clipnorm'),
    global_clipnorm: null,
    clipvalue: clip('clipvalue'),
    use_ema: false,
    ema_momentum: 0.99,
    ema_overwrite_frequency: null,
    loss_scale_factor: null,
    gradient_accumulation_steps: null,
    ...specific,
  });
  const metrics = Array.isArray(tc.metrics) && tc.metrics.length ? tc.metrics.map((m) => (typeof m === 'string' ? kerasMetricName(m) : m)) : null;
  return { optimizer, loss: tc.loss, loss_weights: null, metrics, weighted_metrics: null, run_eagerly: false, steps_per_execution: 1, jit_compile: 'auto' };
}

// ---- loading ----------------------------------------------------------------------------------

/** Keras 3 config.json → the tfjs-layers topology our loader reads, its training config, and the weight groups. */
export function fromKerasConfig(config: unknown, compile: boolean): { modelTopology: JsonObject; trainingConfig?: JsonObject; groups: WeightGroup[] } {
  if (!isObject(config)) throw new Error(`.keras config.json: expected an object, got ${show(config)}`);
  const cls = own(config, 'class_name');
  if (cls !== 'Sequential') {
    throw new Error(`.keras config.json: model class ${show(cls)} is not supported; wasm-mlp loads Sequential models (rebuild a Functional model as keras.Sequential)`);
  }
  const inner = own(config, 'config');
  if (!isObject(inner) || !Array.isArray(own(inner, 'layers'))) throw new Error(`.keras config.json: expected config: { name, layers: [...] }, got ${show(inner)}`);
  const layers = (own(inner, 'layers') as unknown[]).map((l, i) => {
    if (!isObject(l) || typeof own(l, 'class_name') !== 'string' || !isObject(own(l, 'config'))) throw new Error(`.keras config.json layer ${i}: expected { class_name, config }, got ${show(l)}`);
    const c = own(l, 'class_name') as string;
    if (c !== 'InputLayer' && !Object.hasOwn(LAYERS, c)) {
      throw new Error(`.keras config.json layer ${i} (${c}): layer class '${c}' is not supported; wasm-mlp loads ${LOADABLE}`);
    }
    const registered = own(l, 'registered_name');
    if (registered !== undefined && registered !== null && registered !== c) throw new Error(`.keras config.json layer ${i} (${c}): custom registered class ${show(registered)} is not supported`);
    const name = own(own(l, 'config') as JsonObject, 'name');
    if (typeof name !== 'string') throw new Error(`.keras config.json layer ${i} (${c}): config.name must be a string, got ${show(name)}`);
    return l;
  });
  const withVars = layers.filter((l) => own(l, 'class_name') !== 'InputLayer');
  // An unbuilt-from-Input Sequential keeps the input shape in build_input_shape instead.
  const modelTopology: JsonObject = { class_name: 'Sequential', config: { ...inner, layers } };
  const bis = own(inner, 'build_input_shape');
  if (layers.length && own(layers[0]!, 'class_name') !== 'InputLayer' && Array.isArray(bis)) {
    (modelTopology.config as JsonObject).layers = [{ class_name: 'InputLayer', config: { batch_shape: bis, name: 'input_layer' } }, ...layers];
  }
  const cc = own(config, 'compile_config');
  let trainingConfig: JsonObject | undefined;
  // An uncompiled model has compile_config {} (or none).
  if (compile && isObject(cc) && own(cc, 'optimizer') !== undefined && own(cc, 'optimizer') !== null) trainingConfig = trainingConfigFromKeras(cc);
  return { modelTopology, trainingConfig, groups: weightGroups(withVars) };
}

/** Keras 3 compile_config → { loss, metrics, optimizer_config }, refusing options wasm-mlp would silently drop. */
function trainingConfigFromKeras(cc: JsonObject): JsonObject {
  const where = '.keras compile_config';
  const opt = own(cc, 'optimizer');
  let optimizerConfig: unknown = opt;
  if (typeof opt === 'string') optimizerConfig = { class_name: opt === 'rmsprop' ? 'RMSprop' : opt === 'sgd' ? 'SGD' : opt.charAt(0).toUpperCase() + opt.slice(1), config: {} };
  if (isObject(optimizerConfig)) {
    const oc = own(optimizerConfig, 'config');
    if (isObject(oc)) {
      const clsName = own(optimizerConfig, 'class_name');
      const refuse = (k: string, ok: (v: unknown) => boolean) => {
        const v = own(oc, k);
        if (v !== undefined && !ok(v)) throw new Error(`${where}: optimizer ${String(clsName)} option ${k}=${show(v)} is not supported by wasm-mlp; load with { compile: false } and compile it yourself`);
      };
      const unset = (v: unknown) => v === null || v === false;
      refuse('use_ema', unset);
      refuse('global_clipnorm', unset);
      refuse('gradient_accumulation_steps', (v) => v === null || v === 1);
      refuse('loss_scale_factor', (v) => v === null || v === 1);
      refuse('amsgrad', unset);
      if (clsName !== 'AdamW') refuse('weight_decay', (v) => v === null || v === 0);
    }
  }
  for (const k of ['loss_weights', 'weighted_metrics']) {
    const v = own(cc, k);
    if (v !== undefined && v !== null) throw new Error(`${where}: ${k} ${show(v)} is not supported by wasm-mlp; load with { compile: false }`);
  }
  return { loss: own(cc, 'loss'), metrics: own(cc, 'metrics') ?? [], optimizer_config: optimizerConfig };
}
