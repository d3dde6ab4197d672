/** Copying parameters out of and into a model's arena, with every value checked before anything is written. */
import { weightsInOrder, type Layer } from '../layers/layer.js';
import { describe } from '../tensor.js';
import type { ModelMemory } from './layout.js';

/** A weight as returned by getWeights: `shape` [in, units] for kernels, [units] for biases. */
export interface WeightTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** What setWeights accepts: { shape, data } (e.g. from getWeights) or a TensorFlow.js tensor. */
export interface WeightLike {
  shape: readonly number[];
  data?: ArrayLike<number> | (() => unknown);
  dataSync?: () => ArrayLike<number>;
}

/**
 * Copies of every weight in TensorFlow.js's order: the trainable ones layer by layer (kernel
 * [in, units], bias [units], PReLU alpha, gamma, beta [units]), then the non-trainable ones
 * (batch normalization's moving_mean, moving_variance).
 */
export function readWeights(layers: readonly Layer[], memory: ModelMemory): WeightTensor[] {
  const f32 = memory.backend.f32();
  return weightsInOrder(layers).map(({ layer, param: p }) => ({ name: `${layer.name}/${p.name}`, shape: p.shape.slice(), data: f32.slice(p.offset >>> 2, (p.offset >>> 2) + p.size) }));
}

/**
 * Check replacement weights against the layers' parameters (same order and shapes as
 * readWeights): count, shapes, and every value a finite float32. Returns the values to store.
 */
export function checkWeights(layers: readonly Layer[], weights: ArrayLike<WeightLike>): ArrayLike<number>[] {
  const params = weightsInOrder(layers).map(({ layer, param }) => [layer, param] as const);
  if (!weights || typeof weights.length !== 'number') throw new Error(`setWeights: expected an array of ${params.length} weights, got ${describe(weights)}`);
  if (weights.length !== params.length) {
    throw new Error(`setWeights: the model has ${params.length} weights (${params.map(([l, p]) => `${l.name}/${p.name}`).join(', ')}), got ${weights.length}`);
  }
  const datas: ArrayLike<number>[] = [];
  for (let i = 0; i < params.length; i++) {
    const [layer, p] = params[i]!;
    const w = weights[i];
    const where = `setWeights: weight ${i} (${layer.name}/${p.name})`;
    if (!w || !Array.isArray(w.shape)) throw new Error(`${where}: expected { shape, data }, got ${describe(w)}`);
    if (w.shape.length !== p.shape.length || w.shape.some((d, k) => d !== p.shape[k])) {
      throw new Error(`${where}: expected shape [${p.shape}], got [${w.shape}]`);
    }
    const data = typeof w.dataSync === 'function' ? w.dataSync() : typeof w.data === 'function' ? undefined : w.data;
    if (!data) throw new Error(`${where}: expected ${p.size} values, got ${describe(data)}`);
    const values = checkWeightValues(data, p.size, where);
    if (p.nonNegative) {
      for (let k = 0; k < p.size; k++) {
        if (values[k]! < 0) throw new Error(`${where}: value ${k} is ${values[k]}; a variance must be >= 0`);
      }
    }
    datas.push(values);
  }
  return datas;
}

/**
 * Check one weight's values for setWeights: `size` finite numbers within the float32 range, as
 * number[] or a Float32Array / Float64Array / Int32Array (what a TensorFlow.js tensor's dataSync
 * gives) on a live buffer. Other views are refused: a Uint8Array is more likely the bytes of float
 * data than the weights themselves.
 */
function checkWeightValues(data: unknown, size: number, where: string): ArrayLike<number> {
  if (ArrayBuffer.isView(data)) {
    if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array)) {
      throw new Error(`${where}: expected ${size} values as a Float32Array, Float64Array, Int32Array or number[], got ${describe(data)}; convert it with Float32Array.from(...)`);
    }
    if (data.length !== size && data.buffer.byteLength === 0) {
      throw new Error(`${where}: expected ${size} values, but the data's buffer is detached (0 values left) — it was transferred (postMessage) or was a view on a WebAssembly memory that grew`);
    }
  } else if (!Array.isArray(data)) {
    throw new Error(`${where}: expected ${size} values as a Float32Array or number[], got ${describe(data)}`);
  }
  const values = data as ArrayLike<number>;
  if (values.length !== size) throw new Error(`${where}: expected ${size} values, got ${values.length}`);
  for (let k = 0; k < size; k++) {
    const v = values[k]!;
    // fround: a finite double beyond ±3.4e38 would be stored as ±Infinity.
    if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
      throw new Error(`${where}: value ${k} is ${describe(v)}; weights must be finite numbers within the float32 range (±3.4e38)`);
    }
  }
  return values;
}

/** Write values from checkWeights into the parameters, in layer order. */
export function storeWeights(layers: readonly Layer[], memory: ModelMemory, values: readonly ArrayLike<number>[]): void {
  const f32 = memory.backend.f32();
  let i = 0;
  for (const { param } of weightsInOrder(layers)) f32.set(values[i++]!, param.offset >>> 2);
}
