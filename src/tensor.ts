/**
 * Tensor2D: a row-major Float32Array with a [rows, cols] shape. It lives in ordinary JS memory
 * (not in a backend arena), so it is safe to keep, pass to workers and read at any time.
 */
export class Tensor2D {
  readonly shape: [number, number];
  readonly data: Float32Array;

  constructor(data: Float32Array, shape: [number, number]) {
    this.data = data;
    this.shape = shape;
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
    if (data.length !== rows * cols) {
      throw new Error(`tensor2d: shape [${rows}, ${cols}] needs ${rows * cols} values, got ${data.length}`);
    }
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

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)}`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `${typeof v} ${String(v)}`;
}

/** Accept a Tensor2D or number[][] and return a Tensor2D (no copy for a Tensor2D). */
export function toTensor(x: Tensor2DLike, what: string): Tensor2D {
  if (x instanceof Tensor2D) return x;
  if (Array.isArray(x)) {
    try {
      return tensor2d(x);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message.replace(/^tensor2d: /, '')}`);
    }
  }
  const maybe = x as { shape?: unknown; data?: unknown };
  if (maybe && maybe.data instanceof Float32Array && Array.isArray(maybe.shape) && maybe.shape.length === 2) {
    return tensor2d(maybe.data, maybe.shape as [number, number]);
  }
  throw new Error(`${what}: expected a Tensor2D or number[][], got ${describe(x)}`);
}
