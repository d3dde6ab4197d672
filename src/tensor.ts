/**
 * Tensor2D: a row-major Float32Array with a [rows, cols] shape. It lives in ordinary JS memory
 * (not in a backend arena), so it is safe to keep, pass to workers and read at any time.
 *
 * The constructor refuses data that does not hold exactly rows × cols float32 values, and the
 * shape is a frozen copy. Every entry point checks again (`checkTensor`), because the data's
 * buffer can be detached later (transferred to a worker, or a wasm memory that grew).
 */
export class Tensor2D {
  readonly shape: [number, number];
  readonly data: Float32Array;

  constructor(data: Float32Array, shape: [number, number]) {
    checkTensorParts(data, shape, 'Tensor2D');
    this.data = data;
    // A copy, frozen: the caller's array (or a later assignment to an element) cannot change it.
    this.shape = Object.freeze([shape[0], shape[1]]) as unknown as [number, number];
  }

  get rows(): number {
    return this.shape[0];
  }
  get cols(): number {
    return this.shape[1];
  }

  /** The values as nested arrays, one array per row. */
  toArray(): number[][] {
    const [rows, cols] = this.shape;
    const out: number[][] = new Array(rows);
    for (let r = 0; r < rows; r++) out[r] = Array.from(this.data.subarray(r * cols, (r + 1) * cols));
    return out;
  }

  /** Row `r` as a view (no copy). */
  row(r: number): Float32Array {
    const cols = this.shape[1];
    return this.data.subarray(r * cols, (r + 1) * cols);
  }

  toString(): string {
    return `Tensor2D[${this.shape[0]}×${this.shape[1]}]`;
  }
}

export type Tensor2DLike = Tensor2D | number[][];

/**
 * Make a Tensor2D from nested arrays (copied) or wrap a Float32Array with a shape (no copy).
 * Throws on ragged rows, non-numbers, a shape that does not match the data length.
 */
export function tensor2d(values: number[][] | Float32Array | ArrayLike<number>, shape?: [number, number]): Tensor2D {
  if (values === null || typeof values !== 'object') {
    throw new Error(`tensor2d: expected number[][] or a Float32Array with a shape, got ${describe(values)}`);
  }
  if (shape !== undefined && (!Array.isArray(shape) || shape.length !== 2)) {
    throw new Error(`tensor2d: shape must be [rows, cols], got ${describe(shape)}`);
  }
  if (values instanceof Float32Array || (shape !== undefined && !Array.isArray((values as ArrayLike<unknown>)[0]))) {
    if (!shape || shape.length !== 2) throw new Error('tensor2d: a flat array needs a shape [rows, cols]');
    const [rows, cols] = shape;
    checkDim('rows', rows);
    checkDim('cols', cols);
    const data = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    checkTensorParts(data, [rows, cols], 'tensor2d');
    return new Tensor2D(data, [rows, cols]);
  }
  if (!Array.isArray(values)) throw new Error(`tensor2d: expected number[][] or a Float32Array with a shape, got ${describe(values)}`);
  const rows = values.length;
  const first = values[0];
  if (rows > 0 && !Array.isArray(first) && !ArrayBuffer.isView(first)) {
    throw new Error(`tensor2d: expected rows as arrays (number[][]), but row 0 is ${describe(first)}`);
  }
  const cols = rows === 0 ? 0 : (first as ArrayLike<number>).length;
  if (shape && (shape[0] !== rows || shape[1] !== cols)) {
    throw new Error(`tensor2d: given shape [${shape}] but the data is [${rows}, ${cols}]`);
  }
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = values[r] as ArrayLike<number> | undefined;
    if (!row || typeof row !== 'object' || row.length !== cols) {
      throw new Error(`tensor2d: ragged rows: row 0 has ${cols} values but row ${r} has ${row && typeof row === 'object' ? row.length : describe(row)}`);
    }
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (typeof v !== 'number') throw new Error(`tensor2d: value at [${r}][${c}] is ${describe(v)}, expected a number`);
      data[r * cols + c] = v;
    }
  }
  return new Tensor2D(data, [rows, cols]);
}

function checkDim(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new Error(`tensor2d: ${name} must be an integer >= 0, got ${v}`);
}

/**
 * Throws unless `data` is a Float32Array on a live (not detached) buffer holding exactly
 * rows × cols values and `shape` is [rows, cols] of integers >= 0. `what` starts the message.
 */
export function checkTensorParts(data: unknown, shape: unknown, what: string): void {
  // No closures or destructuring: this runs on every trainOnBatch, which must not allocate.
  const rows = Array.isArray(shape) ? (shape[0] as unknown) : undefined;
  const cols = Array.isArray(shape) ? (shape[1] as unknown) : undefined;
  if (!Array.isArray(shape) || shape.length !== 2 || !isDim(rows) || !isDim(cols)) {
    throw new Error(`${what}: shape must be [rows, cols] of integers >= 0, got ${Array.isArray(shape) ? `[${shape.map((d) => describeDim(d)).join(', ')}]` : describe(shape)}`);
  }
  if (!(data instanceof Float32Array)) {
    const hint = ArrayBuffer.isView(data) ? '; convert it with Float32Array.from(data) (its bytes are not reinterpreted)' : '; use nn.tensor2d(values) for nested arrays';
    throw new Error(`${what}: data must be a Float32Array of ${rows}×${cols} = ${rows * cols} values, got ${describe(data)}${hint}`);
  }
  if (data.length !== rows * cols) {
    // A view on a detached buffer reports length 0: say so, rather than "got 0 values".
    if (data.buffer.byteLength === 0 && rows * cols > 0) {
      throw new Error(
        `${what}: shape [${rows}, ${cols}] needs ${rows * cols} values, but the data's buffer is detached (0 values left) — ` +
          'it was transferred (postMessage) or was a view on a WebAssembly memory that grew; copy the data before that',
      );
    }
    throw new Error(`${what}: shape [${rows}, ${cols}] needs ${rows * cols} values (${rows} × ${cols}), got ${data.length}`);
  }
}

/** Re-check a Tensor2D at an entry point (its buffer may have been detached since it was made). */
export function checkTensor(t: Tensor2D, what: string): Tensor2D {
  checkTensorParts(t.data, t.shape, what);
  return t;
}

function isDim(d: unknown): d is number {
  return typeof d === 'number' && Number.isInteger(d) && d >= 0;
}

function describeDim(d: unknown): string {
  return typeof d === 'number' ? String(d) : describe(d);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)}`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `${typeof v} ${String(v)}`;
}

/** Accept a Tensor2D or number[][] and return a Tensor2D (no copy for a Tensor2D). */
export function toTensor(x: Tensor2DLike, what: string): Tensor2D {
  if (x instanceof Tensor2D) return checkTensor(x, what);
  if (Array.isArray(x)) {
    try {
      return tensor2d(x);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message.replace(/^tensor2d: /, '')}`);
    }
  }
  const maybe = x as { shape?: unknown; data?: unknown };
  if (maybe && typeof maybe === 'object' && ArrayBuffer.isView(maybe.data) && maybe.shape !== undefined) {
    // A { shape, data } object (e.g. posted from a worker): checked as strictly as the constructor.
    checkTensorParts(maybe.data, maybe.shape, what);
    return new Tensor2D(maybe.data as Float32Array, maybe.shape as [number, number]);
  }
  throw new Error(`${what}: expected a Tensor2D or number[][], got ${describe(x)}`);
}
