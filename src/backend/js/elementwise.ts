/** Small elementwise kernels and reductions: products, copies, scaling, regularizers, column sums, gathers. */

/** out = a ⊙ b over n floats (in place allowed). */
export function multiply(f: Float32Array, n: number, a: number, b: number, out: number): void {
  for (let i = 0; i < n; i++) f[out + i] = f[a + i]! * f[b + i]!;
}

/** dst = src over n floats (overlap allowed). */
export function copy(f: Float32Array, n: number, src: number, dst: number): void {
  if (src !== dst) f.copyWithin(dst, src, src + n);
}

/** x = value over n floats. */
export function fill(f: Float32Array, n: number, x: number, value: number): void {
  f.fill(value, x, x + n);
}

/** x *= alpha over n floats. */
export function scale(f: Float32Array, n: number, x: number, alpha: number): void {
  for (let i = 0; i < n; i++) f[x + i] *= alpha;
}

/** Σ x² over n floats, accumulated in f64. */
export function sumSquares(f: Float32Array, n: number, x: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) { const v = f[x + i]!; sum += v * v; }
  return sum;
}

/** Whether any of the n floats at x is NaN or ±Infinity. */
export function anyNonFinite(f: Float32Array, n: number, x: number): boolean {
  for (let i = 0; i < n; i++) {
    const v = f[x + i]!;
    if (v - v !== 0) return true;
  }
  return false;
}

/** g += l1·sign(w) + 2·l2·w (sign(0) = 0); returns the penalty l1·Σ|w| + l2·Σw² (f64). */
export function regularize(f: Float32Array, n: number, w: number, g: number, l1: number, l2: number): number {
  let abs = 0, sq = 0;
  for (let i = 0; i < n; i++) {
    const v = f[w + i]!;
    abs += Math.abs(v);
    sq += v * v;
    f[g + i] += l1 * (v > 0 ? 1 : v < 0 ? -1 : 0) + 2 * l2 * v;
  }
  return l1 * abs + l2 * sq;
}

/** dst[r, :] = src[idx[r], :] for r < rows, rows of `cols` floats; idx indexes the i32 view. */
export function gatherRows(f: Float32Array, ints: Int32Array, rows: number, cols: number, src: number, idx: number, dst: number): void {
  for (let r = 0; r < rows; r++) {
    const from = src + ints[idx + r]! * cols;
    f.copyWithin(dst + r * cols, from, from + cols);
  }
}

/** out[j] (+)= Σ_i x[i, j] over `rows` rows of `cols` floats — the bias gradient. */
export function columnSums(f: Float32Array, rows: number, cols: number, x: number, out: number, accumulate: boolean): void {
  if (!accumulate) f.fill(0, out, out + cols);
  for (let r = 0; r < rows; r++) {
    const row = x + r * cols;
    for (let j = 0; j < cols; j++) f[out + j] += f[row + j]!;
  }
}
