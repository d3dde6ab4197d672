/**
 * Model ↔ artifacts (topology JSON + weight specs + one little-endian float32 buffer), and the
 * validation that makes loading untrusted artifacts safe: every count, shape and byte length is
 * checked against the caps and against each other before any weight memory is allocated, and
 * every value must be finite before it reaches the model.
 */
import { checkOptionKeys, optionKeys } from '../util/options.js';
import { weightsInOrder } from '../layers/layer.js';
import { ready } from '../backend/index.js';
import type { SavableModel, SaveOptions } from '../model/persistence.js';
import { Sequential, sequential } from '../model/sequential.js';
import type { CompileArgs } from '../model/sequential.js';
import { checkJsonTree, isObject, own, parseJson, show, type JsonObject } from './json.js';
import { formatBytes, mergeLimits, type LoadLimits } from './limits.js';
import { modelToTopology, topologyToLayers } from './topology.js';
import { compileSpecFrom, trainingConfigFor } from './training-config.js';
import { FORMAT, GENERATED_BY, type ArtifactsInput, type ModelArtifacts, type WeightSpec } from './types.js';

export interface LoadOptions extends Partial<LoadLimits> {
  /** Compile the model with the saved optimizer/loss/metrics when present (default true). */
  compile?: boolean;
}
export const loadOptionKeys = optionKeys<LoadOptions>()(['compile', 'maxWeightBytes', 'maxJsonBytes', 'maxLayers']);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const MAX_SPECS = 100_000;

// ---- saving -----------------------------------------------------------------------------------

export const saveOptionKeys = optionKeys<SaveOptions>()(['includeOptimizer', 'epoch']);

export function checkSaveOptions(options: SaveOptions): void {
  if (!isObject(options)) throw new Error(`save: options must be an object like { includeOptimizer: true }, got ${show(options)}`);
  checkOptionKeys(options, saveOptionKeys, 'save');
  if (options.includeOptimizer !== undefined && typeof options.includeOptimizer !== 'boolean') throw new Error(`save: includeOptimizer must be a boolean, got ${show(options.includeOptimizer)}`);
  const epoch: unknown = options.epoch;
  if (epoch !== undefined && !(typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 0)) throw new Error(`save: epoch must be an integer >= 0, got ${show(epoch)}`);
}

/**
 * The model as TensorFlow.js layers-format artifacts (what `tf.io.fromMemory` takes). With
 * `includeOptimizer` (as tfjs's `save(…, { includeOptimizer: true })`): the optimizer's specs,
 * group 'optimizer', come after the model's — 'iter' (int32 scalar), then
 * one float32 weight per parameter and state slot — and the random position goes to
 * userDefinedMetadata.wasmMlp.rng.
 */
export function modelToArtifacts(model: SavableModel, options: SaveOptions = {}): ModelArtifacts {
  if (!(model instanceof Sequential)) throw new Error(`toArtifacts: expected a wasm-mlp Sequential model, got ${show(model)}`);
  checkSaveOptions(options);
  const weights = model.getWeights();
  const modelTopology = modelToTopology(model);
  const state = options.includeOptimizer ? model.getTrainingState() : undefined;
  if (options.includeOptimizer && !state) throw new Error('save: includeOptimizer needs a compiled model (there is no optimizer to save)');
  const optWeights = state?.optimizer.weights ?? [];
  const total = weights.reduce((s, w) => s + w.data.length, 0) + (state ? 1 + optWeights.reduce((s, w) => s + w.data.length, 0) : 0);
  const weightData = new ArrayBuffer(total * 4);
  const f32 = new Float32Array(weightData);
  const view = new DataView(weightData);
  let at = 0;
  const put = (data: Float32Array): void => {
    if (LITTLE_ENDIAN) f32.set(data, at);
    else for (let i = 0; i < data.length; i++) view.setFloat32((at + i) * 4, data[i]!, true);
    at += data.length;
  };
  for (const w of weights) put(w.data);
  const weightSpecs: WeightSpec[] = weights.map((w) => ({ name: w.name, shape: w.shape.slice(), dtype: 'float32' }));
  if (state) {
    view.setInt32(at * 4, state.optimizer.iterations, true);
    at++;
    weightSpecs.push({ name: 'iter', shape: [], dtype: 'int32', group: 'optimizer' });
    for (const w of optWeights) {
      put(w.data);
      weightSpecs.push({ name: w.name, shape: w.shape, dtype: 'float32', group: 'optimizer' });
    }
  }
  const artifacts: ModelArtifacts = {
    modelTopology,
    weightSpecs,
    weightData,
    format: FORMAT,
    generatedBy: GENERATED_BY,
    convertedBy: null,
  };
  const compiled = model.trainingConfig;
  if (compiled) {
    const { config, tfjsCompatible, allMetrics } = trainingConfigFor(compiled);
    const ours: JsonObject = {};
    if (tfjsCompatible) {
      artifacts.trainingConfig = config;
      if (allMetrics) ours.metrics = allMetrics;
    } else ours.trainingConfig = config as unknown as JsonObject;
    if (state) {
      ours.rng = state.rng;
      if (options.epoch !== undefined) ours.epoch = options.epoch;
    }
    if (Object.keys(ours).length) artifacts.userDefinedMetadata = { wasmMlp: ours };
  }
  return artifacts;
}

// ---- loading ----------------------------------------------------------------------------------

export interface CheckedSpec {
  name: string;
  shape: number[];
  size: number;
  byteOffset: number;
  /** Optimizer state (group 'optimizer'): not a layer weight; restored when the model is compiled from the file. */
  skip: boolean;
  dtype: 'float32' | 'int32';
}

/**
 * Build a model from artifacts (after `await nn.ready()`, on the current backend). Throws an
 * Error saying what is wrong for malformed topology, unsupported layers, weights that do not
 * match the layers, truncated or oversized weight data, non-finite values or caps exceeded.
 */
export async function fromArtifacts(input: ArtifactsInput, options: LoadOptions = {}): Promise<Sequential> {
  if (!isObject(input)) throw new Error(`fromArtifacts: expected { modelTopology, weightSpecs, weightData }, got ${show(input)}`);
  if (typeof options !== 'object' || options === null) throw new Error(`fromArtifacts: options must be an object, got ${show(options)}`);
  const { fetch: _fetch, requestInit: _init, ...loadOptions } = options as LoadOptions & { fetch?: unknown; requestInit?: unknown };
  checkOptionKeys(loadOptions, loadOptionKeys, 'fromArtifacts');
  const limits = mergeLimits({ maxWeightBytes: options.maxWeightBytes, maxJsonBytes: options.maxJsonBytes, maxLayers: options.maxLayers }, 'fromArtifacts options');

  // 1. Topology → layers → an unbuilt model: shapes only, no weight memory yet.
  let topology = own(input, 'modelTopology');
  if (typeof topology === 'string') topology = parseJson(topology, limits.maxJsonBytes, 'modelTopology');
  else if (topology instanceof ArrayBuffer) throw new Error('modelTopology: binary (GraphDef) topologies are graph models, not layers models; wasm-mlp loads layers models');
  else checkJsonTree(topology, 'modelTopology');
  const { name, layers } = topologyToLayers(topology, limits);
  const model = sequential({ name, layers });
  const params = weightsInOrder(model.layers).map(({ layer: l, param: p }) => ({ name: `${l.name}/${p.name}`, shape: p.shape, size: p.size }));
  const paramBytes = params.reduce((s, p) => s + p.size * 4, 0);
  if (paramBytes > limits.maxWeightBytes) {
    throw new Error(`modelTopology: the layers need ${formatBytes(paramBytes)} of weights, more than the ${formatBytes(limits.maxWeightBytes)} allowed (raise maxWeightBytes with setLoadLimits if you trust this model)`);
  }

  // 2. Specs: shapes, dtypes, sizes and byte offsets; matched to the layers by name.
  const specs = checkSpecs(own(input, 'weightSpecs'), limits);
  const byName = new Map<string, CheckedSpec>();
  for (const s of specs) {
    if (s.skip) continue;
    if (byName.has(s.name)) throw new Error(`weightSpecs: '${s.name}' appears twice`);
    byName.set(s.name, s);
  }
  const matched = params.map((p) => {
    const s = byName.get(p.name);
    if (!s) {
      const have = [...byName.keys()].slice(0, 8).join(', ') || 'none';
      throw new Error(`weightSpecs: no weight named '${p.name}' for layer ${p.name.split('/')[0]} (the specs have: ${have})`);
    }
    if (s.shape.length !== p.shape.length || s.shape.some((d, k) => d !== p.shape[k])) {
      throw new Error(`weightSpecs: '${p.name}' has shape [${s.shape}] but the layer needs [${p.shape}]`);
    }
    byName.delete(p.name);
    return s;
  });
  if (byName.size) throw new Error(`weightSpecs: weight '${[...byName.keys()][0]}' matches no layer of the model${byName.size > 1 ? ` (and ${byName.size - 1} more)` : ''}`);

  // 3. The bytes: exactly as many as the specs describe.
  const expected = specs.reduce((s, x) => s + x.size * 4, 0);
  const bytes = weightBytes(own(input, 'weightData'), expected);

  // 4. Decode (allocates at most maxWeightBytes) and check every value.
  const values = matched.map((s) => decodeFloat32(bytes, s));

  // 5. Build on the current backend and load the weights.
  await ready();
  try {
    model.setWeights(params.map((p, i) => ({ shape: p.shape, data: values[i]! })));
    if (options.compile !== false) {
      const udm = own(input, 'userDefinedMetadata');
      const wasmMlp = isObject(udm) && isObject(own(udm, 'wasmMlp')) ? (own(udm, 'wasmMlp') as JsonObject) : undefined;
      const ours = wasmMlp && own(wasmMlp, 'trainingConfig');
      // Keras-converted model.json files keep it in modelTopology.training_config.
      const wrapped = isObject(topology) ? own(topology, 'training_config') : undefined;
      const tc = own(input, 'trainingConfig') ?? wrapped ?? ours;
      if (tc !== undefined && tc !== null) {
        checkJsonTree(tc, 'trainingConfig');
        const spec = compileSpecFrom(tc, wasmMlp && own(wasmMlp, 'metrics'));
        model.compile({ optimizer: spec.optimizer, loss: spec.loss, metrics: spec.metrics as CompileArgs['metrics'] });
        restoreTrainingState(model, specs, bytes, wasmMlp);
      }
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * The optimizer weights (tfjs's 'iter', then '<weight>/<slot>' per parameter and slot) into the
 * compiled model, with the random position and the epoch a checkpoint recorded. Files without
 * optimizer weights start from fresh state, as before.
 */
function restoreTrainingState(model: Sequential, specs: CheckedSpec[], bytes: Uint8Array, wasmMlp: JsonObject | undefined): void {
  const opt = specs.filter((s) => s.skip);
  const epoch = wasmMlp && own(wasmMlp, 'epoch');
  if (typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 0) model.savedEpoch = epoch;
  if (opt.length === 0) return;
  const iter = opt[0]!;
  if (iter.name !== 'iter' || iter.size !== 1) throw new Error(`weightSpecs: the optimizer weights must start with 'iter' (a scalar), got '${iter.name}' [${iter.shape}]; load with { compile: false } to ignore them`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + iter.byteOffset, 4);
  const iterations = iter.dtype === 'int32' ? view.getInt32(0, true) : view.getFloat32(0, true);
  const values: [string, Float32Array][] = [];
  for (const s of opt.slice(1)) {
    if (s.dtype !== 'float32') throw new Error(`weightSpecs: optimizer weight '${s.name}' has dtype ${s.dtype}, expected float32`);
    values.push([s.name, decodeFloat32(bytes, s)]);
  }
  const rng = wasmMlp && own(wasmMlp, 'rng');
  try {
    model.setTrainingState(iterations, values, rng ?? undefined);
  } catch (e) {
    // The weights load either way; state that does not fit the optimizer is not worth refusing the model for.
    console.warn(`loading: ${(e as Error).message}; the optimizer starts from fresh state`);
  }
}

export function checkSpecs(raw: unknown, limits: LoadLimits): CheckedSpec[] {
  if (raw === undefined || raw === null) raw = [];
  if (!Array.isArray(raw)) throw new Error(`weightSpecs: expected an array of { name, shape, dtype }, got ${show(raw)}`);
  if (raw.length > MAX_SPECS) throw new Error(`weightSpecs: ${raw.length} entries is more than ${MAX_SPECS}`);
  const maxFloats = Math.floor(limits.maxWeightBytes / 4);
  const out: CheckedSpec[] = [];
  let offset = 0;
  raw.forEach((s, i) => {
    const where = `weightSpecs[${i}]`;
    if (!isObject(s)) throw new Error(`${where}: expected { name, shape, dtype }, got ${show(s)}`);
    const name = own(s, 'name');
    if (typeof name !== 'string' || name.length === 0 || name.length > 1024) throw new Error(`${where}: name must be a non-empty string, got ${show(name)}`);
    const w = `${where} '${name}'`;
    const shape = own(s, 'shape');
    if (!Array.isArray(shape) || shape.length > 8) throw new Error(`${w}: shape must be an array of at most 8 dimensions, got ${show(shape)}`);
    let size = 1;
    for (const d of shape) {
      if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) throw new Error(`${w}: shape ${show(shape)} must hold integers >= 0`);
      size *= d;
      if (size > maxFloats) throw new Error(`${w}: shape ${show(shape)} is more than the ${formatBytes(limits.maxWeightBytes)} allowed (maxWeightBytes)`);
    }
    const q = own(s, 'quantization');
    if (q !== undefined && q !== null) throw new Error(`${w}: quantized weights are not supported; save the model with float32 weights`);
    const group = own(s, 'group');
    const skip = group === 'optimizer';
    const dtype = own(s, 'dtype');
    if (dtype !== 'float32' && !(skip && dtype === 'int32')) {
      throw new Error(`${w}: dtype ${show(dtype)} is not supported; wasm-mlp weights are float32`);
    }
    out.push({ name, shape: shape as number[], size, byteOffset: offset, skip, dtype });
    offset += size * 4;
    if (offset > limits.maxWeightBytes) throw new Error(`weightSpecs: the weights total more than the ${formatBytes(limits.maxWeightBytes)} allowed (raise maxWeightBytes with setLoadLimits if you trust this model)`);
  });
  return out;
}

function isArrayBuffer(v: unknown): v is ArrayBuffer {
  return v instanceof ArrayBuffer || Object.prototype.toString.call(v) === '[object ArrayBuffer]' || Object.prototype.toString.call(v) === '[object SharedArrayBuffer]';
}

/** weightData (ArrayBuffer, ArrayBuffer[] as tfjs 4 allows, or a typed-array view) as bytes. */
function weightBytes(data: unknown, expected: number): Uint8Array {
  let bytes: Uint8Array;
  if (data === undefined || data === null) {
    if (expected === 0) return new Uint8Array(0);
    throw new Error(`weightData is missing; the weight specs need ${formatBytes(expected)}`);
  }
  if (isArrayBuffer(data)) bytes = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else if (Array.isArray(data)) {
    if (data.length > MAX_SPECS || !data.every(isArrayBuffer)) throw new Error('weightData: expected an ArrayBuffer or an array of ArrayBuffers');
    const total = (data as ArrayBuffer[]).reduce((s, b) => s + b.byteLength, 0);
    checkLength(total, expected);
    bytes = new Uint8Array(total);
    let at = 0;
    for (const b of data as ArrayBuffer[]) {
      bytes.set(new Uint8Array(b), at);
      at += b.byteLength;
    }
  } else throw new Error(`weightData: expected an ArrayBuffer, got ${show(data)}`);
  checkLength(bytes.byteLength, expected);
  return bytes;
}

function checkLength(got: number, expected: number): void {
  if (got < expected) throw new Error(`weightData is truncated: ${formatBytes(got)}, but the weight specs need ${formatBytes(expected)}`);
  if (got > expected) throw new Error(`weightData is too long: ${formatBytes(got)}, but the weight specs describe only ${formatBytes(expected)} (a mismatched weights file?)`);
}

function decodeFloat32(bytes: Uint8Array, s: CheckedSpec): Float32Array {
  const out = new Float32Array(s.size);
  const start = bytes.byteOffset + s.byteOffset;
  if (LITTLE_ENDIAN && start % 4 === 0) out.set(new Float32Array(bytes.buffer, start, s.size));
  else {
    const view = new DataView(bytes.buffer, start, s.size * 4);
    for (let i = 0; i < s.size; i++) out[i] = view.getFloat32(i * 4, true);
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) throw new Error(`weightData: '${s.name}' value ${i} is ${out[i]}; weights must be finite`);
  }
  return out;
}

export type { ModelArtifacts, WeightSpec };
