/**
 * Turning user data into checked Float32Arrays before anything touches the model, so bad input
 * fails with a message that names what was expected and what came — and changes nothing.
 */
import { isClassId } from '../backend/class-ids.js';
import { Tensor2D, describe, toTensor, type Tensor2DLike } from '../tensor.js';

export type Labels = Tensor2DLike | number[] | Int32Array | Float32Array;

/**
 * Check a feature matrix: a Tensor2D or number[][], `cols` wide, finite, non-empty. `finite`
 * false leaves the finiteness to the caller (fit checks its arena copy with the backend, then
 * checkFinite names the value).
 */
export function checkFeatures(x: Tensor2DLike, cols: number, what: string, finite = true): Tensor2D {
  if (x === undefined || x === null) throw new Error(`${what}: expected a Tensor2D or number[][] with ${cols} columns, got ${String(x)}`);
  const t = toTensor(x, what);
  if (t.rows === 0) throw new Error(`${what}: expected at least one row, got an empty dataset`);
  if (t.cols !== cols) throw new Error(`${what}: expected ${cols} columns (the model's input width), got ${t.cols} (shape [${t.shape}])`);
  if (finite) checkFinite(t.data, t.cols, what);
  return t;
}

/**
 * Check targets. Sparse labels become one f32 class id per row (accepting number[], Int32Array,
 * a [n,1] tensor); others must be `cols` wide.
 */
export function checkTargets(y: Labels, rows: number, cols: number, sparse: boolean, what: string): Tensor2D {
  if (y === undefined || y === null) throw new Error(`${what}: expected labels, got ${String(y)}`);
  let t: Tensor2D;
  if (sparse && (ArrayBuffer.isView(y) || (Array.isArray(y) && (y.length === 0 || typeof y[0] === 'number')))) {
    const flat = y as ArrayLike<number>;
    for (let i = 0; i < flat.length; i++) {
      if (typeof flat[i] !== 'number') throw new Error(`${what}: label ${i} is ${describe(flat[i])}, expected a class id`);
    }
    // Before float32 rounding: 1.00000001 would become exactly 1.
    checkClassIds(flat, cols, what);
    t = new Tensor2D(Float32Array.from(flat), [flat.length, 1]);
  } else {
    // Nested arrays are rounded to float32 by toTensor: check their class ids first.
    if (sparse && Array.isArray(y) && Array.isArray(y[0]) && y.every((r) => Array.isArray(r) && r.length === 1)) {
      checkClassIds((y as number[][]).map((r) => r[0]!), cols, what);
    }
    if (ArrayBuffer.isView(y)) throw new Error(`${what}: got a flat ${y.constructor.name}; flat class ids are only for sparseCategoricalCrossentropy — pass [n, ${cols}] targets`);
    t = toTensor(y as Tensor2DLike, what);
  }
  if (t.rows !== rows) throw new Error(`${what}: x has ${rows} rows but y has ${t.rows}; each sample needs one label row`);
  const want = sparse ? 1 : cols;
  if (t.cols !== want) {
    throw new Error(
      sparse
        ? `${what}: sparseCategoricalCrossentropy takes one class id per row, got ${t.cols} columns`
        : `${what}: expected labels ${cols} wide (the output layer's units), got ${t.cols} (shape [${t.shape}])` +
            (cols > 1 && t.cols === 1 ? '; one-hot encode them, or use loss sparseCategoricalCrossentropy for class ids' : ''),
    );
  }
  checkFinite(t.data, t.cols, what, ' labels');
  if (sparse) checkClassIds(t.data, cols, what);
  return t;
}

/** Every finite value an integer class id in [0, cols) (NaN and ±Infinity are checkFinite's to report). */
function checkClassIds(ids: ArrayLike<number>, cols: number, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    const c = ids[i]!;
    if (typeof c === 'number' && Number.isFinite(c) && !isClassId(c, cols)) {
      throw new Error(`${what}: label ${i} is ${c}, but class ids must be integers in [0, ${cols - 1}] for ${cols} output units`);
    }
  }
}

/**
 * Throws on the first NaN or ±Infinity, naming its row (counted from `firstRow`) and column.
 * `suffix` is appended to `what` only in the message (no string built per call: trainOnBatch must not allocate).
 */
export function checkFinite(data: Float32Array, cols: number, what: string, suffix = '', firstRow = 0): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      throw new Error(`${what}${suffix}: value at row ${firstRow + Math.floor(i / cols)}, column ${i % cols} is ${v}; data must be finite (no NaN or Infinity)`);
    }
  }
}

export function checkPositiveInt(v: unknown, name: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${what}: ${name} must be an integer >= 1, got ${describe(v)}`);
  return v;
}

