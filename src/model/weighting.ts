/**
 * fit()'s `classWeight` and `sampleWeight`, resolved once per fit into one weight per training
 * row (a Float32Array); fitDataset's, written per batch into the same arena buffer. The training step never sees the options: the fit loop gathers each
 * batch's weights in the arena with the rows, and the loss kernel multiplies row r's loss and
 * gradient by its weight, so the loss is Σ w_r·ℓ_r / rows (Keras's sample_weight with the
 * default 'sum_over_batch_size' reduction; TensorFlow.js computes classWeight the same way).
 * Validation losses and `evaluate` stay unweighted, as in TensorFlow.js.
 */
import { describe, type Tensor2D } from '../tensor.js';

/** `{ 0: 1, 1: 5 }`: a loss weight per class id. */
export type ClassWeight = Readonly<Record<number, number>>;

/** One non-negative weight per row of x. */
export type SampleWeight = ArrayLike<number> | { readonly data: ArrayLike<number>; readonly shape: readonly number[] };

/**
 * The per-row weights fit() trains with, or undefined when neither option is given. `y` is the
 * checked target tensor (class ids for sparse losses, else one row per sample); `classes` is the
 * number of classes the output can express. Throws naming what was expected and what came.
 */
export function rowWeights(
  classWeight: unknown, sampleWeight: unknown, y: Tensor2D, sparse: boolean, outputUnits: number,
): Float32Array | undefined {
  if (classWeight !== undefined && sampleWeight !== undefined) {
    throw new Error('fit: give classWeight or sampleWeight, not both (as Keras 3); multiply the class weights into sampleWeight to combine them');
  }
  if (sampleWeight !== undefined) return sampleWeights(sampleWeight, y.rows);
  if (classWeight !== undefined) return classWeights(classWeight, y, sparse, outputUnits);
  return undefined;
}

function sampleWeights(sw: unknown, rows: number): Float32Array {
  const out = new Float32Array(rows);
  writeSampleWeights(sw, rows, out, 0, 'fit');
  return out;
}

/**
 * Check `sw` (one finite weight ≥ 0 per row; an array, typed array, or a [rows] / [rows, 1]
 * tensor) and write it to out[at …]. Allocates nothing, so trainOnBatch can take weights per step.
 */
export function writeSampleWeights(sw: unknown, rows: number, out: Float32Array, at: number, where: string): void {
  let data: ArrayLike<number> | undefined;
  if (sw && typeof sw === 'object' && 'data' in sw && 'shape' in sw) {
    const shape = (sw as { shape: readonly number[] }).shape;
    if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
      throw new Error(`${prefix(where)}sampleWeight must be one weight per row (shape [${rows}] or [${rows}, 1]), got shape [${shape.join(', ')}]`);
    }
    data = (sw as { data: ArrayLike<number> }).data;
  } else if (sw && typeof sw === 'object' && typeof (sw as ArrayLike<number>).length === 'number') {
    data = sw as ArrayLike<number>;
  }
  if (!data) throw new Error(`${prefix(where)}sampleWeight must be an array or Float32Array of one weight per row, got ${describe(sw)}`);
  if (data.length !== rows) throw new Error(`${prefix(where)}sampleWeight has ${data.length} weights, expected one per row of x: ${rows}`);
  for (let i = 0; i < rows; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v < Infinity)) throw new Error(`${prefix(where)}sampleWeight[${i}] is ${typeof v === 'number' ? v : describe(v)}; expected a finite number >= 0`);
    out[at + i] = v;
  }
}

/**
 * A checked classWeight as a lookup table over the class ids the output can express (0 … units−1,
 * or 0/1 for a one-unit output); NaN marks a class without a weight.
 */
export function classWeightTable(cw: unknown, outputUnits: number, where: string): Float64Array {
  if (!cw || typeof cw !== 'object' || cw instanceof Map) {
    throw new Error(`${where}: classWeight must be an object mapping class ids to weights, e.g. { 0: 1, 1: 5 }, got ${describe(cw)}`);
  }
  const classes = Math.max(2, outputUnits);
  const table = new Float64Array(classes).fill(NaN);
  for (const [key, v] of Object.entries(cw)) {
    const id = Number(key);
    if (!/^\d+$/.test(key) || id >= classes) {
      throw new Error(`${where}: classWeight has key '${key}', which is not a class id of this model; expected integers 0…${classes - 1} (${outputUnits === 1 ? 'a one-unit output has classes 0 and 1' : `${outputUnits} output units`})`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${where}: classWeight[${key}] is ${typeof v === 'number' ? v : describe(v)}; expected a finite number >= 0`);
    table[id] = v;
  }
  return table;
}

/**
 * Write each row's class weight (`table` from classWeightTable) to out[at …]: the class is the
 * label's id (sparse, or a one-column label), else the argmax of the row, as TensorFlow.js reads
 * it. Allocates nothing (fitDataset does this per batch).
 */
export function writeClassWeights(table: Float64Array, y: Tensor2D, sparse: boolean, out: Float32Array, at: number, where: string): void {
  const classes = table.length;
  const d = y.data, cols = y.cols;
  for (let r = 0; r < y.rows; r++) {
    let c: number;
    if (sparse || cols === 1) {
      c = d[r * cols]!;
      if (!(Number.isInteger(c) && c >= 0 && c < classes)) throw new Error(`${prefix(where)}classWeight needs class-id labels, but row ${r} of y is ${c}; expected an integer 0…${classes - 1}`);
    } else {
      c = 0;
      for (let j = 1; j < cols; j++) if (d[r * cols + j]! > d[r * cols + c]!) c = j;
    }
    const w = table[c]!;
    if (Number.isNaN(w)) {
      const given = [...table.keys()].filter((k) => !Number.isNaN(table[k]!)).join(', ') || 'none';
      throw new Error(`${prefix(where)}classWeight has no weight for class ${c}, which row ${r} of y holds; classWeight must cover every class in the training data (it has ${given})`);
    }
    out[at + r] = w;
  }
}

/** An error message's opening: `where: `, or nothing for an empty `where` (built only when an error is thrown: the step allocates nothing). */
const prefix = (where: string): string => (where ? `${where}: ` : '');

function classWeights(cw: unknown, y: Tensor2D, sparse: boolean, outputUnits: number): Float32Array {
  const out = new Float32Array(y.rows);
  writeClassWeights(classWeightTable(cw, outputUnits, 'fit'), y, sparse, out, 0, 'fit');
  return out;
}
