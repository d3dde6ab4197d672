/**
 * Sequential ↔ Keras JSON topology, with the snake_case keys TensorFlow.js's `LayersModel.save`
 * writes. Saving goes through each layer's `toKeras()` (its `getConfig()`); loading goes through
 * the fixed registry in src/layers/index.ts, each class's static `fromConfig()` checking the
 * options it reads through the reader below. Anything else — a layer
 * class, an activation, an option that would change what the model computes or how it trains —
 * is refused with the layer's index and name, never silently dropped.
 */
import { activationFromKerasName, kerasActivationNames, type ActivationName } from '../activations.js';
import type { Initializer } from '../initializers.js';
import * as inits from '../initializers.js';
import { isRegisteredLayer, layerClasses, layerClassFor } from '../layers/index.js';
import type { Layer, LayerArgs, LayerConfigReader } from '../layers/layer.js';
import type { SavableModel } from '../model/persistence.js';
import { regularizerFromConfig, regularizerKerasClassNames, type Regularizer } from '../regularizers.js';
import { isObject, own, ownAny, show, type JsonObject } from './json.js';
import type { LoadLimits } from './limits.js';
import { GENERATED_BY } from './types.js';

// ---- activations ------------------------------------------------------------------------------

/**
 * Activation names in Keras JSON come from the declarations in src/activations.ts. 'step' has
 * no TensorFlow.js/Keras equivalent: it is written as 'step' (a wasm-mlp extension that tfjs
 * refuses to load). 'leakyRelu' never appears: it is saved as a LeakyReLU layer with an alpha.
 */
function activationFromKeras(v: unknown, where: string): ActivationName {
  if (v === undefined || v === null) return 'linear';
  const name = activationFromKerasName(v);
  if (name) return name;
  throw new Error(`${where}: activation ${show(v)} is not supported; wasm-mlp has ${kerasActivationNames.map((n) => `'${n}'`).join(', ')}`);
}

// ---- saving -----------------------------------------------------------------------------------

/** The Keras `{ class_name, config }` of an initializer or regularizer object. */
function serializable(v: unknown): unknown {
  if (v && typeof v === 'object' && 'className' in v) {
    const o = v as { className: string; config?: Record<string, unknown>; l1?: number; l2?: number };
    if (o.className === 'L1L2') return { class_name: 'L1L2', config: { l1: o.l1 ?? 0, l2: o.l2 ?? 0 } };
    return { class_name: o.className, config: { ...(o.config ?? {}) } };
  }
  return v;
}

/** Keras layer entries for the model, first one with batch_input_shape. */
export function modelToTopology(model: SavableModel): JsonObject {
  const used = new Set(model.layers.map((l) => l.name));
  const unique = (base: string): string => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  const entries: JsonObject[] = [];
  for (const layer of model.layers) {
    if (!isRegisteredLayer(layer)) throw new Error(`save: layer '${layer.name}' (${layer.className}) has no TensorFlow.js layers-format mapping`);
    // The layer's own entry gets its name; extra entries (Dense + LeakyReLU) name themselves.
    layer.toKeras(unique).forEach((entry, i) => {
      const cfg: JsonObject = {};
      for (const [k, v] of Object.entries(entry.config)) cfg[k] = serializable(v);
      if (i === 0) {
        cfg.name = layer.name;
        cfg.trainable = true;
      }
      entries.push({ class_name: entry.className, config: cfg });
    });
  }
  const first = entries[0]?.config as JsonObject | undefined;
  if (first) {
    first.batch_input_shape = [null, model.inputUnits];
    first.dtype = 'float32';
  }
  return { class_name: 'Sequential', config: { name: model.name, layers: entries }, keras_version: GENERATED_BY, backend: 'tensor_flow.js' };
}

// ---- loading ----------------------------------------------------------------------------------

export interface ParsedTopology {
  name: string;
  layers: Layer[];
}

const SUPPORTED = `${layerClasses.map((c) => c.kerasClassName).join(', ')} (after an optional InputLayer)`;
const NAME_RE = /^[A-Za-z0-9_.\-]{1,256}$/;

/** Keras JSON topology → layers (not yet added to a model; nothing allocated). */
export function topologyToLayers(topology: unknown, limits: LoadLimits): ParsedTopology {
  if (!isObject(topology)) throw new Error(`modelTopology: expected an object like { class_name: 'Sequential', config: {...} }, got ${show(topology)}`);
  let top: JsonObject = topology;
  const wrapped = own(top, 'model_config');
  if (wrapped !== undefined && wrapped !== null) {
    if (!isObject(wrapped)) throw new Error(`modelTopology.model_config: expected an object, got ${show(wrapped)}`);
    top = wrapped;
  }
  const cls = own(top, 'class_name');
  if (cls !== 'Sequential') {
    if (typeof cls !== 'string') throw new Error(`modelTopology: class_name is missing or not a string (${show(cls)}); expected 'Sequential'`);
    throw new Error(`modelTopology: class_name '${cls}' is not supported; wasm-mlp loads Sequential models only (rebuild a functional model as tf.sequential)`);
  }
  const config = own(top, 'config');
  let name = 'sequential';
  let entries: unknown;
  if (Array.isArray(config)) entries = config; // Keras 1–2.1 wrote the layer list directly
  else if (isObject(config)) {
    entries = own(config, 'layers');
    const n = own(config, 'name');
    if (typeof n === 'string' && NAME_RE.test(n)) name = n;
  } else throw new Error(`modelTopology.config: expected { name, layers: [...] }, got ${show(config)}`);
  if (!Array.isArray(entries)) throw new Error(`modelTopology.config.layers: expected an array of layers, got ${show(entries)}`);
  if (entries.length > limits.maxLayers) throw new Error(`modelTopology: ${entries.length} layers is more than the ${limits.maxLayers} allowed (maxLayers)`);

  const layers: Layer[] = [];
  const names = new Set<string>();
  let inputUnits: number | undefined;
  entries.forEach((entry, i) => {
    let where = `modelTopology layer ${i}`;
    if (!isObject(entry)) throw new Error(`${where}: expected { class_name, config }, got ${show(entry)}`);
    const className = own(entry, 'class_name');
    const cfg = own(entry, 'config') ?? {};
    if (typeof className !== 'string') throw new Error(`${where}: class_name is missing or not a string (${show(className)})`);
    if (!isObject(cfg)) throw new Error(`${where} (${className}): config must be an object, got ${show(cfg)}`);
    const layerName = own(cfg, 'name');
    if (layerName !== undefined) {
      if (typeof layerName !== 'string' || !NAME_RE.test(layerName)) throw new Error(`${where} (${className}): name must be 1–256 characters of letters, digits, '_', '.', '-', got ${show(layerName)}`);
      where += ` '${layerName}'`;
      if (names.has(layerName)) throw new Error(`${where}: the name '${layerName}' is used by two layers; weights are matched by layer name`);
      names.add(layerName);
    }
    where += ` (${className})`;
    checkCommon(cfg, where);
    const shape = batchShape(cfg, where);
    if (className === 'InputLayer') {
      if (i !== 0) throw new Error(`${where}: an InputLayer must be the first entry`);
      if (shape === undefined) throw new Error(`${where}: batch_input_shape is missing`);
      inputUnits = shape;
      return;
    }
    if (shape !== undefined && layers.length === 0 && inputUnits === undefined) inputUnits = shape;
    const args: LayerArgs = typeof layerName === 'string' ? { name: layerName } : {};
    if (layers.length === 0) {
      if (inputUnits === undefined) throw new Error(`${where}: the first layer has no batch_input_shape, so the input width is unknown`);
      args.inputShape = [inputUnits];
    }
    try {
      layers.push(makeLayer(className, cfg, args, where));
    } catch (e) {
      const msg = (e as Error).message;
      throw new Error(msg.startsWith(where) ? msg : `${where}: ${msg}`);
    }
  });
  if (layers.length === 0) throw new Error('modelTopology: the model has no layers');
  return { name, layers };
}

/** A layer from the registry in src/layers/index.ts, reading its config through `reader`. */
function makeLayer(className: string, cfg: JsonObject, args: LayerArgs, where: string): Layer {
  const cls = layerClassFor(className);
  if (!cls) throw new Error(`${where}: layer class '${className}' is not supported; wasm-mlp loads ${SUPPORTED}`);
  return cls.fromConfig(reader(cfg, where), args);
}

/** The Keras-config reader a layer class's fromConfig uses; errors name the layer (`where`). */
function reader(cfg: JsonObject, where: string): LayerConfigReader {
  return {
    raw: (key) => own(cfg, key),
    number: (keys, fallback) => {
      const list = typeof keys === 'string' ? [keys] : keys;
      return finite(ownAny(cfg, ...list) ?? fallback, `${where} ${list[0]}`);
    },
    activation: (key) => activationFromKeras(own(cfg, key), where),
    initializer: (key) => initializerFromKeras(own(cfg, key), `${where} ${key}`),
    regularizer: (key) => regularizerFromKeras(own(cfg, key), `${where} ${key}`),
    refuse: (...keys) => refuseSet(cfg, where, ...keys),
  };
}

function finite(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what}: expected a finite number, got ${show(v)}`);
  return v;
}

/** Options wasm-mlp cannot honour must be null/absent. */
function refuseSet(cfg: JsonObject, where: string, ...keys: string[]): void {
  for (const k of keys) {
    const v = own(cfg, k);
    if (v !== undefined && v !== null) throw new Error(`${where}: ${k} ${show(v)} is not supported by wasm-mlp (it must be null)`);
  }
}

function checkCommon(cfg: JsonObject, where: string): void {
  const trainable = own(cfg, 'trainable');
  if (trainable === false) throw new Error(`${where}: frozen layers (trainable: false) are not supported`);
  let dtype = own(cfg, 'dtype');
  // Keras 3 writes a DTypePolicy object.
  if (isObject(dtype)) dtype = isObject(own(dtype, 'config')) ? own(own(dtype, 'config') as JsonObject, 'name') : own(dtype, 'name');
  if (dtype !== undefined && dtype !== null && dtype !== 'float32') throw new Error(`${where}: dtype ${show(dtype)} is not supported; wasm-mlp computes in float32`);
}

/** Input width from batch_input_shape (tfjs, Keras 2) or batch_shape (Keras 3), if present. */
function batchShape(cfg: JsonObject, where: string): number | undefined {
  const s = ownAny(cfg, 'batch_input_shape', 'batch_shape');
  if (s === undefined || s === null) return undefined;
  if (!Array.isArray(s) || s.length !== 2 || (s[0] !== null && !(Number.isInteger(s[0]) && s[0] > 0)) || !Number.isInteger(s[1]) || s[1] < 1 || s[1] > 2 ** 26) {
    throw new Error(`${where}: batch_input_shape must be [null, features] with an integer features >= 1 (an MLP takes flat rows), got ${show(s)}`);
  }
  return s[1] as number;
}

// ---- initializers and regularizers ------------------------------------------------------------

/** Keras initializers wasm-mlp does not implement: kept by name and config (for saving again). */
const keptInitializers = new Set(['VarianceScaling', 'TruncatedNormal', 'Orthogonal', 'Identity']);

function initializerFromKeras(v: unknown, where: string): Initializer | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return inits.getInitializer(v, inits.zeros, where);
  if (!isObject(v)) throw new Error(`${where}: expected { class_name, config }, got ${show(v)}`);
  const cls = own(v, 'class_name');
  const cfgRaw = own(v, 'config') ?? {};
  const cfg = isObject(cfgRaw) ? cfgRaw : {};
  const num = (key: string, fallback: number): number => {
    const x = own(cfg, key);
    return x === undefined || x === null ? fallback : finite(x, `${where} ${key}`);
  };
  if (typeof cls === 'string') {
    const named = inits.initializerFromKerasClass(cls);
    if (named) return named;
    if (cls === 'Constant') return inits.constant({ value: num('value', 0) });
    if (cls === 'RandomUniform') return inits.randomUniform({ minval: num('minval', -0.05), maxval: num('maxval', 0.05) });
    if (cls === 'RandomNormal') return inits.randomNormal({ mean: num('mean', 0), stddev: num('stddev', 0.05) });
    if (keptInitializers.has(cls)) {
      // Only ever used to initialise weights that the loaded values then replace.
      const config: Record<string, number | string | null> = {};
      for (const [k, x] of Object.entries(cfg)) if (x === null || typeof x === 'number' || typeof x === 'string') config[k] = x;
      return { className: cls, config, fill: (out) => out.fill(0) };
    }
  }
  throw new Error(`${where}: initializer class ${show(cls)} is not supported`);
}

function regularizerFromKeras(v: unknown, where: string): Regularizer | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new Error(`${where}: expected { class_name: 'L1L2', config: { l1, l2 } }, got ${show(v)}`);
  const cls = own(v, 'class_name');
  const cfg = own(v, 'config');
  if (typeof cls === 'string' && regularizerKerasClassNames.includes(cls) && isObject(cfg)) {
    const rate = (k: string) => {
      const x = own(cfg, k);
      return x === undefined || x === null ? 0 : finite(x, `${where} ${k}`);
    };
    try {
      return regularizerFromConfig(cls, { l1: rate('l1'), l2: rate('l2') });
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
  }
  throw new Error(`${where}: regularizer ${show(cls)} is not supported; wasm-mlp has ${regularizerKerasClassNames.join(', ')}`);
}
