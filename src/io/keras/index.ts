/**
 * Keras 3 native `.keras` files ↔ TensorFlow.js-layers artifacts. Imported on first use only
 * (src/io routes `.keras` URLs here), and it imports fflate (zip) and h5wasm (HDF5, ~4 MB of
 * wasm) lazily itself, so neither the core bundle nor the other save paths grow.
 *
 * A .keras file is a zip of:
 *   config.json       the model, serialized as Keras 3 does (module/class_name/config/
 *                     registered_name), with compile_config
 *   metadata.json     { keras_version, date_saved }
 *   model.weights.h5  HDF5: layers/<snake_case class>[_n]/vars/{0,1,…} float32 datasets, each
 *                     vars group with a `name` attribute; an empty root `vars` group
 *
 * Loading converts the file into artifacts and hands them to fromArtifacts, so every check of
 * the existing loader applies (caps, shapes, finite weights, layer and option whitelist); this
 * module adds the container's own: the file, each entry and each dataset is size-checked before
 * anything is inflated or read, and nothing in the file is ever evaluated as code.
 */
import { isObject, own, parseJson, show, type JsonObject } from '../json.js';
import { formatBytes, type LoadLimits } from '../limits.js';
import type { ArtifactsInput, ModelArtifacts, TrainingConfig } from '../types.js';
import { fromKerasConfig, kerasConfigFor, type WeightGroup } from './config.js';
import { unzipEntries, zipStored } from './zip.js';

/** The Keras version whose .keras layout this writer reproduces (written to metadata.json). */
export const KERAS_VERSION = '3.15.1';

type H5 = typeof import('h5wasm');
let h5Ready: Promise<{ h5: H5; FS: NonNullable<H5['FS']> }> | undefined;
let fileSerial = 0;

async function loadH5(): Promise<{ h5: H5; FS: NonNullable<H5['FS']> }> {
  h5Ready ??= (async () => {
    const mod = (await import('h5wasm')) as H5 & { default?: H5 };
    const h5 = (mod.default ?? mod) as H5;
    const Module = await h5.ready;
    // HDF5 reports damaged files by throwing, not by printing a diagnostic stack to stderr.
    (Module as unknown as { deactivate_throwing_error_handler?: () => void; activate_throwing_error_handler?: () => void }).activate_throwing_error_handler?.();
    return { h5, FS: (Module as unknown as { FS: NonNullable<H5['FS']> }).FS };
  })();
  return h5Ready;
}

/** An h5wasm file on its in-memory file system, removed afterwards whatever happens. */
async function withH5<T>(bytes: Uint8Array | null, mode: 'r' | 'w', use: (f: InstanceType<H5['File']>, h5: H5) => T): Promise<{ result: T; bytes: Uint8Array }> {
  const { h5, FS } = await loadH5();
  const name = `/wasm-mlp-${++fileSerial}.h5`;
  try {
    if (bytes) FS.writeFile(name, bytes);
    const f = new h5.File(name, mode);
    let result: T;
    try {
      result = use(f, h5);
      if (mode === 'w') f.flush();
    } finally {
      f.close();
    }
    return { result, bytes: mode === 'w' ? (FS.readFile(name) as Uint8Array) : new Uint8Array(0) };
  } finally {
    try {
      FS.unlink(name);
    } catch {
      // never created
    }
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);

// ---- saving -----------------------------------------------------------------------------------

/** The artifacts' training config, with every compiled metric (userDefinedMetadata.wasmMlp.metrics, when tfjs's list leaves some out). */
function trainingConfigOf(a: ModelArtifacts): TrainingConfig | undefined {
  const ours = isObject(a.userDefinedMetadata) ? own(a.userDefinedMetadata, 'wasmMlp') : undefined;
  const all = isObject(ours) ? own(ours, 'metrics') : undefined;
  if (a.trainingConfig) return Array.isArray(all) ? { ...a.trainingConfig, metrics: all as string[] } : a.trainingConfig;
  const tc = isObject(ours) ? own(ours, 'trainingConfig') : undefined;
  return isObject(tc) ? (tc as unknown as TrainingConfig) : undefined;
}

/** The bytes of a Keras 3 .keras file for the artifacts (`model.toArtifacts()`). */
export async function artifactsToKeras(a: ModelArtifacts): Promise<Uint8Array> {
  const { config, groups, modelName } = kerasConfigFor(a.modelTopology, trainingConfigOf(a));
  // Weight values by spec name, from the one little-endian buffer.
  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  const view = new DataView(a.weightData);
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  let at = 0;
  for (const s of a.weightSpecs) {
    const n = s.shape.reduce((p, d) => p * d, 1);
    let data: Float32Array;
    if (littleEndian && at % 4 === 0) data = new Float32Array(a.weightData, at, n);
    else {
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat32(at + i * 4, true);
    }
    at += n * 4;
    values.set(s.name, { shape: s.shape, data });
  }
  const { bytes: h5bytes } = await withH5(null, 'w', (f) => {
    const layers = f.create_group('layers');
    for (const g of groups) {
      const vars = layers.create_group(g.path.slice('layers/'.length)).create_group('vars');
      vars.create_attribute('name', g.layer);
      g.specs.forEach((spec, i) => {
        const w = values.get(spec);
        if (!w) throw new Error(`save .keras: the artifacts have no weight '${spec}'`);
        vars.create_dataset({ name: String(i), data: w.data, shape: w.shape, dtype: '<f' });
      });
    }
    f.create_group('vars').create_attribute('name', modelName);
    const opt = optimizerState(config, groups.flatMap((g) => g.trainable.map((spec) => values.get(spec)!.shape)));
    if (opt) {
      const vars = f.create_group('optimizer').create_group('vars');
      vars.create_attribute('name', opt.name);
      opt.vars.forEach((v, i) => vars.create_dataset({ name: String(i), data: v.data, shape: v.shape, dtype: v.dtype }));
    }
  });
  const fflate = await import('fflate');
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  const dateSaved = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}@${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  return zipStored(fflate, [
    ['metadata.json', utf8(JSON.stringify({ keras_version: KERAS_VERSION, date_saved: dateSaved }))],
    ['config.json', utf8(JSON.stringify(config))],
    ['model.weights.h5', h5bytes],
  ]);
}

/**
 * A freshly built Keras 3 optimizer's variables, in Keras's order: iterations (0), learning_rate,
 * then the slots of every trainable variable (Adam/AdamW: momentum and velocity per variable;
 * SGD with momentum: momentum; RMSprop: all velocities, then momentums, then average gradients;
 * Adagrad: accumulators at initial_accumulator_value). wasm-mlp saves no optimizer state, so this
 * is the state Keras would start from; writing it lets Keras restore the optimizer without a
 * "Skipping variable loading for optimizer" warning.
 */
function optimizerState(config: JsonObject, shapes: number[][]): { name: string; vars: { shape: number[]; data: Float32Array | Int32Array; dtype: string }[] } | undefined {
  const cc = own(config, 'compile_config');
  if (!isObject(cc) || !isObject(own(cc, 'optimizer'))) return undefined;
  const opt = own(cc, 'optimizer') as JsonObject;
  const c = own(opt, 'config') as JsonObject;
  const cls = own(opt, 'class_name');
  const one = (shape: number[], fill = 0) => ({ shape, data: new Float32Array(shape.reduce((p, d) => p * d, 1)).fill(fill), dtype: '<f' });
  const slot = (fill = 0) => shapes.map((shape) => one(shape, fill));
  let slots: ReturnType<typeof slot>;
  if (cls === 'Adam' || cls === 'AdamW') slots = shapes.flatMap((shape) => [one(shape), one(shape)]);
  else if (cls === 'SGD') slots = own(c, 'momentum') ? slot() : [];
  else if (cls === 'RMSprop') slots = [...slot(), ...(own(c, 'momentum') ? slot() : []), ...(own(c, 'centered') ? slot() : [])];
  else if (cls === 'Adagrad') slots = slot(own(c, 'initial_accumulator_value') as number);
  else return undefined;
  return {
    name: String(own(c, 'name')),
    vars: [
      { shape: [], data: new Int32Array([0]), dtype: '<i' },
      // Keras keeps a constant rate as a variable; a schedule is computed from iterations, no variable.
      ...(typeof own(c, 'learning_rate') === 'number' ? [{ shape: [], data: new Float32Array([own(c, 'learning_rate') as number]), dtype: '<f' }] : []),
      ...slots,
    ],
  };
}

// ---- loading ----------------------------------------------------------------------------------

/** Largest .keras file accepted for the given caps (weights + JSON + HDF5/zip bookkeeping). */
export function maxKerasBytes(limits: LoadLimits): number {
  return limits.maxWeightBytes + 2 * limits.maxJsonBytes + h5Overhead(limits);
}
const h5Overhead = (limits: LoadLimits) => 1024 * 1024 + limits.maxLayers * 8192;

export interface KerasLoadOptions extends Partial<LoadLimits> {
  compile?: boolean;
}

/**
 * A .keras file's bytes → artifacts for fromArtifacts. `limits` are the caller's merged load caps
 * (this module may be a chunk of its own in the browser build, so it reads no global state).
 * `what` names the source in errors.
 */
export async function kerasToArtifacts(bytes: Uint8Array, limits: LoadLimits, options: KerasLoadOptions, what: string): Promise<ArtifactsInput> {
  if (bytes.byteLength > maxKerasBytes(limits)) throw new Error(`${what} is ${formatBytes(bytes.byteLength)}, more than the ${formatBytes(maxKerasBytes(limits))} allowed for a .keras file (raise maxWeightBytes with setLoadLimits if you trust this model)`);
  const fflate = await import('fflate');
  const entries = unzipEntries(fflate, bytes, [
    { name: 'config.json', maxBytes: limits.maxJsonBytes, what: 'config.json (maxJsonBytes)' },
    { name: 'metadata.json', maxBytes: Math.min(limits.maxJsonBytes, 1024 * 1024), what: 'metadata.json' },
    { name: 'model.weights.h5', maxBytes: limits.maxWeightBytes + h5Overhead(limits), what: 'the weights (maxWeightBytes)' },
  ], what);
  const dec = new TextDecoder('utf-8', { fatal: true });
  const text = (name: string) => {
    try {
      return dec.decode(entries.get(name)!);
    } catch {
      throw new Error(`${what}: ${name} is not UTF-8 text`);
    }
  };
  const metadata = parseJson(text('metadata.json'), limits.maxJsonBytes, `${what} metadata.json`);
  const version = isObject(metadata) ? own(metadata, 'keras_version') : undefined;
  if (typeof version !== 'string' || !/^3\./.test(version)) {
    throw new Error(`${what}: metadata.json says keras_version ${show(version)}; wasm-mlp reads .keras files written by Keras 3`);
  }
  const config = parseJson(text('config.json'), limits.maxJsonBytes, `${what} config.json`);
  const { modelTopology, trainingConfig, groups } = fromKerasConfig(config, options.compile !== false);
  if (groups.length > limits.maxLayers) throw new Error(`${what}: ${groups.length} layers is more than the ${limits.maxLayers} allowed (maxLayers)`);
  const { weightSpecs, weightData } = await readWeights(entries.get('model.weights.h5')!, groups, limits, what);
  const out: ArtifactsInput = { modelTopology, weightSpecs, weightData };
  if (trainingConfig) out.trainingConfig = trainingConfig;
  return out;
}

async function readWeights(h5bytes: Uint8Array, groups: WeightGroup[], limits: LoadLimits, what: string): Promise<{ weightSpecs: JsonObject[]; weightData: ArrayBuffer }> {
  const where = `${what} model.weights.h5`;
  const head = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  if (h5bytes.length < 8 || head.some((b, i) => h5bytes[i] !== b)) throw new Error(`${where} is not an HDF5 file`);
  try {
    const { result } = await withH5(h5bytes, 'r', (f, h5) => {
      // 1. Metadata only: every dataset's dtype and shape, sizes summed against the cap.
      const plan: { spec: string; ds: InstanceType<H5['Dataset']>; shape: number[]; size: number }[] = [];
      let total = 0;
      for (const g of groups) {
        const vars = f.get(`${g.path}/vars`);
        const here = `${where}: ${g.path}/vars (layer '${g.layer}')`;
        if (!g.specs.length) continue;
        if (!(vars instanceof h5.Group)) throw new Error(`${here} is missing`);
        const keys = vars.keys();
        if (keys.length !== g.specs.length) throw new Error(`${here} holds ${keys.length} variables, but the layer has ${g.specs.length} (${g.specs.join(', ')})`);
        g.specs.forEach((spec, i) => {
          const ds = vars.get(String(i));
          if (!(ds instanceof h5.Dataset)) throw new Error(`${here}/${i} is missing or not a dataset`);
          const m = ds.metadata;
          if (m.type !== 1 || m.size !== 4 || !m.littleEndian) throw new Error(`${here}/${i}: dtype ${show(ds.dtype)} is not supported; wasm-mlp reads little-endian float32 weights`);
          const shape = m.shape ?? [];
          if (shape.length > 8) throw new Error(`${here}/${i}: ${shape.length} dimensions`);
          const size = shape.reduce((p, d) => p * d, 1);
          total += size * 4;
          if (total > limits.maxWeightBytes) throw new Error(`${where}: the weights total more than the ${formatBytes(limits.maxWeightBytes)} allowed (raise maxWeightBytes with setLoadLimits if you trust this model)`);
          plan.push({ spec, ds, shape, size });
        });
      }
      // 2. The values.
      const weightData = new ArrayBuffer(total);
      const f32 = new Float32Array(weightData);
      let at = 0;
      for (const p of plan) {
        const v = p.ds.value;
        if (!(v instanceof Float32Array) || v.length !== p.size) throw new Error(`${where}: ${p.spec} could not be read as ${p.size} float32 values`);
        f32.set(v, at);
        at += p.size;
      }
      return { weightSpecs: plan.map((p) => ({ name: p.spec, shape: p.shape, dtype: 'float32' })), weightData };
    });
    return result;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(msg.startsWith(where) ? msg : `${where} is damaged or not readable (${msg.split('\n')[0]})`);
  }
}
